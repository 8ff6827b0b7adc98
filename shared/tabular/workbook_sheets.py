"""Which sheets a workbook has (`sheet_names`), and, for a refusal that found no header on the
sheet it read, where the table might be instead (`header_elsewhere`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from shared.web.echo import clip


@dataclass(frozen=True)
class SheetInfo:
    name: str
    hidden: bool


def sheet_names(data: bytes) -> list[SheetInfo]:
    """The workbook's worksheets in order (none for bytes that are no workbook)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from shared.tabular.reading import DAMAGED_WORKBOOK

    if not data.startswith(b"PK\x03\x04"):
        return []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, *DAMAGED_WORKBOOK):
        return []
    with closing(workbook):
        return [SheetInfo(ws.title, ws.sheet_state != "visible") for ws in workbook.worksheets]


def header_elsewhere(
    data: bytes,
    read: str | None,
    has_header: Callable[[Sequence[Any]], bool],
    *,
    search_rows: int = 10,
    choose: str = "请用 sheet 参数指定 (name it with the `sheet` parameter)",
) -> str:
    """For a refusal that found no header on sheet `read` (None: the first): the workbook's
    other sheets, and which one has the header if exactly one does (`has_header` is given
    each sheet's first `search_rows` rows, `RawRow`s); "" for a CSV or a one-sheet workbook.
    `choose`: what the caller should do, `中文 (English)` as every refusal words it; the hint
    says it as one Chinese sentence, then one English bracket."""
    from shared.errors import PingyiError
    from shared.tabular.reading import DAMAGED_WORKBOOK, iter_rows

    sheets = sheet_names(data)
    if len(sheets) < 2:
        return ""
    here = read if read is not None else sheets[0].name
    listed = "、".join(clip(s.name) + ("（隐藏）" if s.hidden else "") for s in sheets)
    said = f"; 工作簿中的工作表 (the workbook's sheets): {listed}"
    headed: list[str] = []
    for other in sheets:
        if other.name == here:
            continue
        try:
            with closing(iter_rows(data, None, other.name)) as rows:
                first = [row for _, row in zip(range(search_rows), rows, strict=False)]
        except (PingyiError, *DAMAGED_WORKBOOK):  # a damaged sheet only leaves the hint out
            continue
        if has_header(first):
            headed.append(other.name)
    if len(headed) == 1:
        chinese, _, english = choose.rpartition(" (")
        if not chinese or not english.endswith(")"):  # no English given: the Chinese alone
            chinese, english = choose, ""
        english = f": {english.removesuffix(')')}" if english else ""
        said += (
            f"; 表头在工作表“{clip(headed[0])}”中，{chinese} (the header is on that sheet{english})"
        )
    return said
