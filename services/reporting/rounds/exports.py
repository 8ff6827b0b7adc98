"""Round results as the files offices use: XLSX (one sheet per category, Chinese headers,
frozen header row, numbers as numbers) and CSV (UTF-8 with BOM, so Excel reads Chinese).
An office's file of a run nobody published has a last column 状态 (未发布) on every row.

Both read the run's unit results a page at a time: the CSV is streamed as it is written, the
workbook is written in openpyxl's write-only mode (rows go to temporary files, not memory)
and then streamed from disk.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from services.reporting.rounds.method import other_flags
from services.reporting.rounds.read import INSUFFICIENT_SAMPLE, entry
from services.reporting.rounds.shares import weighting_name

BOM = "\ufeff"
CHUNK = 64 * 1024
BASE_HEADERS = (
    "类别",
    "名次",
    "名次区间",
    "单位名称",
    "综合得分",
    "区间下限",
    "区间上限",
    "等级",
    "有效样本",
    "样本不足",
    "标记",
    "名单",
)
# Last, so every other column keeps its place in an unpublished run's file and a published one's.
STATUS_HEADER = "状态"
# Spreadsheets run a cell starting with these as a formula; a unit name is text, never one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


class Columns:
    """The columns of one run: the fixed ones, then per survey component each level's count
    and share, taken from the first unit that has them (one scheme, one set of levels)."""

    def __init__(self, list_names: dict[str, str], status: str | None = None) -> None:
        self.list_names = list_names
        self.status = status  # 未发布 or 暂定、未发布: an office's run nobody published
        self.levels: list[tuple[str, str, str]] | None = None  # (code, name, level)
        self.weighting: dict[str, str | None] = {}  # per component: 按测评点加权, or None

    def learn(self, line: dict[str, Any]) -> None:
        if self.levels is None and line["shares"]:
            self.levels = [
                (share["code"], share["name"], level)
                for share in line["shares"]
                for level in share["counts"]
            ]
            self.weighting = {share["code"]: weighting_name(share) for share in line["shares"]}

    def headers(self) -> list[str]:
        extra = []
        for code, name, level in self.levels or []:
            # A weighted share is not count ÷ valid: its header says so, as the page does.
            weighted = self.weighting.get(code)
            percent = f"（%，{weighted}）" if weighted else "（%）"
            extra += [f"{name}·{level}（份）", f"{name}·{level}{percent}"]
        return [*BASE_HEADERS, *extra, *([STATUS_HEADER] if self.status else [])]

    def values(self, line: dict[str, Any]) -> list[Any]:
        """A unit's row; numbers as Decimal or int, text as text, missing as None."""
        low, high = line["interval"] or (None, None)
        rank_range = line["rank_range"]
        row: list[Any] = [
            line["category"],
            line["rank"],
            None if rank_range is None else f"{rank_range[0]}–{rank_range[1]}",
            line["unit_name"],
            _number(line["score"]),
            _number(low),
            _number(high),
            line["grade"],
            line["valid_sample"],
            INSUFFICIENT_SAMPLE if line["insufficient_sample"] else None,
            other_flags(line) or None,
            "、".join(self.list_names.get(code, code) for code in line["lists"]) or None,
        ]
        by_code = {share["code"]: share for share in line["shares"]}
        for code, _, level in self.levels or []:
            share = by_code.get(code) or {}
            row.append((share.get("counts") or {}).get(level))
            row.append(_number((share.get("shares") or {}).get(level)))
        if self.status:
            row.append(self.status)
        return row


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _lines(results: Iterable[dict[str, Any]], columns: Columns) -> Iterator[dict[str, Any]]:
    """The units' ranking lines; the columns learn the levels from the first line before
    it is handed out, so headers can be written before any row."""
    for result in results:
        line = entry(result)
        columns.learn(line)
        yield line


# --- CSV -------------------------------------------------------------------------------------


def csv_chunks(
    results: Iterable[dict[str, Any]],
    list_names: dict[str, str],
    status: str | None = None,
) -> Iterator[bytes]:
    """The CSV, about 64 KB at a time. A `status` (an unpublished run's, a superseded or
    withdrawn version's) is its last column, on every row, never a row above the headers:
    programs take a CSV's first row for its headers, and rows copied out still say it."""
    columns = Columns(list_names, status)
    lines = _lines(results, columns)
    first = next(lines, None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns.headers())
    if first is not None:
        writer.writerow([_csv_cell(value) for value in columns.values(first)])
    for line in lines:
        writer.writerow([_csv_cell(value) for value in columns.values(line)])
        if buffer.tell() >= CHUNK:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


# --- XLSX ------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WIDTHS = {"A": 22, "B": 6, "C": 10, "D": 32, "E": 10, "F": 10, "G": 10, "H": 8, "I": 10}


def sheet_title(category: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("_", category).strip("'")[:28] or "类别"
    title, n = base, 2
    while title in taken:
        title, n = f"{base}{n}", n + 1
    taken.add(title)
    return title


NOTICE_FONT = Font(bold=True, color="C00000")


class _Sheets:
    def __init__(self, workbook: Workbook, columns: Columns, notice: str | None) -> None:
        self.workbook = workbook
        self.columns = columns
        self.notice = notice
        self.by_category: dict[str, WriteOnlyWorksheet] = {}
        self.taken: set[str] = set()

    def sheet(self, category: str) -> WriteOnlyWorksheet:
        found = self.by_category.get(category)
        if found is None:
            found = self.workbook.create_sheet(sheet_title(category, self.taken))
            # Write-only: the view and the columns go out with the first row, so before it.
            found.freeze_panes = "A3" if self.notice else "A2"
            for letter, width in WIDTHS.items():
                found.column_dimensions[letter].width = width
            self._notice(found)
            found.append([self._header(found, text) for text in self.columns.headers()])
            self.by_category[category] = found
        return found

    def _notice(self, sheet: WriteOnlyWorksheet) -> None:
        """A superseded version, or a run nobody published, says so above its headers and in
        the printed page's header, on every sheet: a sheet copied or printed alone shows it."""
        if self.notice is None:
            return
        sheet.oddHeader.center.text = self.notice.replace("&", "&&")  # & starts a code
        cell = WriteOnlyCell(sheet, value=self.notice)
        cell.font, cell.data_type = NOTICE_FONT, "s"
        sheet.append([cell])

    def _header(self, sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return cell

    def append(self, line: dict[str, Any]) -> None:
        sheet = self.sheet(line["category"])
        sheet.append([self._cell(sheet, value) for value in self.columns.values(line)])

    def _cell(self, sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
        # openpyxl writes text as text (never a formula) only when told its type.
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal):
            cell.number_format = number_format(value)
        elif isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        return cell


def number_format(value: Decimal) -> str:
    """Shown with the places scoring rounded it to (85.50 stays 85.50, not 85.5)."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0" if places == 0 else "0." + "0" * places


def xlsx_file(
    results: Iterable[dict[str, Any]],
    list_names: dict[str, str],
    notice: str | None = None,
    status: str | None = None,
) -> tempfile.SpooledTemporaryFile[bytes]:
    """The workbook written to a temporary file (on disk past 1 MB), rewound for reading;
    a `notice` (a superseded version's, or an unpublished run's) heads every sheet, and a
    `status` (an unpublished run's) is the last column, as in the CSV."""
    workbook = Workbook(write_only=True)
    columns = Columns(list_names, status)
    lines = _lines(results, columns)
    first = next(lines, None)
    sheets = _Sheets(workbook, columns, notice)
    if first is not None:
        sheets.append(first)
    for line in lines:
        sheets.append(line)
    if not sheets.by_category:
        sheets.sheet("无结果")
    # Handed to the response open; file_chunks closes it once the body is sent.
    spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=1024 * 1024
    )
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool: Any) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()
