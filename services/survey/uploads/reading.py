"""The uploaded bytes as rows: which format they are (the Content-Type decides when it names
one), and, in a workbook, the cells whose text the kernel's reader cannot give.

The kernel (`shared.tabular`) reads a workbook for the values Excel saved with its formulas,
as a person sees them, and names the cells whose value it cannot give: a formula saved
without a value (a workbook written by a program and never opened in Excel, e.g. `=1+1`
from openpyxl) or an error value (#DIV/0!, #N/A), which would otherwise read as an empty
cell or as the error's text, a rating silently "not rated". They are reported here
(`bad_cell`), never read as empty.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing

from shared.tabular import (
    RawRow,
    TableFormat,
    declared_format,
    iter_rows,
)

Marks = dict[int, str]
"""0-based column → why the cell's value cannot be read."""


def sheet_format(data: bytes, content_type: str | None, filename: str | None) -> TableFormat:
    """CSV (in its declared charset, if any) or XLSX, by the kernel's rule for an upload sent
    as the request body, as registry's imports read theirs (`declared_format`): the
    Content-Type decides; one that names no format (none, octet-stream, curl's form default,
    what Windows calls a .csv) leaves it to the file name and the bytes; any other is 415;
    a body that is not what its type says is 422 naming Content-Type."""
    return declared_format(data, content_type, filename)


def marked_rows(
    data: bytes, kind: str, max_columns: int, encoding: str | None = None
) -> Generator[tuple[RawRow, Marks], None, None]:
    """Every row that is not blank, with its unreadable cells within the template's columns
    (the kernel's reader names them in `RawRow.unreadable`; a row whose only cells are
    formulas without values is kept). Close the generator when stopping early."""
    with closing(iter_rows(data, kind, max_columns=max_columns, encoding=encoding)) as rows:
        for row in rows:
            found = {col: why for col, why in row.unreadable.items() if col < max_columns}
            if found or any(row.cells):
                yield row, found
