"""Spreadsheet bytes ↔ rows of text cells: the format-level reading and writing every upload
and download of a table shares (registry imports, survey questionnaire uploads).

Offices send what their tools produce: CSV from Excel in UTF-8 (with a BOM) or in GB18030
(what a Chinese Windows Excel writes as "CSV"), sometimes tab-separated, or XLSX.

- `formats`: which format an upload is. Sent as a request body, its Content-Type decides
  (`declared_format`; 415 for another type, 422 for a body that is not what its type
  says); a file without a declared type goes by its bytes and name (`file_kind`).
- `decoding`: a CSV's bytes as text (`decode_text`: the declared charset, UTF-8, UTF-16 or
  GB18030).
- `reading`: the bytes as numbered rows of the text a person typed (`iter_rows`,
  `read_rows`), with the cell rule of request strings (`cell_text_problem`).
- `cells`: one typed workbook cell as text (`cell_text`; a midnight datetime keeps its
  time when the cell's format shows hours).
- `sheets`: what a workbook's sheet XML says besides its values (merged cells, filled down;
  cells whose value cannot be read; where the rows end), and which sheets a workbook has
  (`header_elsewhere`, for a refusal that found no header).
- `writing`: rows as CSV or XLSX for downloads, formulas defused.
- `limits`: the errors an upload is refused with before its rows are read.
"""

from shared.tabular.cells import cell_text
from shared.tabular.decoding import decode_text
from shared.tabular.formats import (
    CHARSETS,
    CSV,
    CSV_TYPES,
    UNSAID_TYPES,
    XLSX,
    TableFormat,
    declared_format,
    file_kind,
    media_type,
)
from shared.tabular.limits import (
    FileTooLarge,
    TooManyRows,
    UnreadableFile,
    UnsupportedFile,
    check_size,
    too_large,
    too_many_rows,
)
from shared.tabular.reading import (
    DAMAGED_WORKBOOK,
    FORMULA_START,
    MAX_COLUMNS,
    MAX_UNPACKED,
    RawRow,
    cell_text_problem,
    iter_rows,
    read_rows,
    unquote,
)
from shared.tabular.sheets import FORMULA_WITHOUT_VALUE
from shared.tabular.workbook_sheets import SheetInfo, header_elsewhere, sheet_names
from shared.tabular.writing import MAX_WIDTH, MIN_WIDTH, Sheet, display_width, to_csv, to_xlsx

__all__ = [
    "CHARSETS",
    "CSV",
    "CSV_TYPES",
    "DAMAGED_WORKBOOK",
    "FORMULA_START",
    "FORMULA_WITHOUT_VALUE",
    "MAX_COLUMNS",
    "MAX_UNPACKED",
    "MAX_WIDTH",
    "MIN_WIDTH",
    "UNSAID_TYPES",
    "XLSX",
    "FileTooLarge",
    "RawRow",
    "Sheet",
    "SheetInfo",
    "TableFormat",
    "TooManyRows",
    "UnreadableFile",
    "UnsupportedFile",
    "cell_text",
    "cell_text_problem",
    "check_size",
    "declared_format",
    "decode_text",
    "display_width",
    "file_kind",
    "header_elsewhere",
    "iter_rows",
    "media_type",
    "read_rows",
    "sheet_names",
    "to_csv",
    "to_xlsx",
    "too_large",
    "too_many_rows",
    "unquote",
]
