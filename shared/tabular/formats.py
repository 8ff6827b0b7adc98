"""Which table format an upload is: CSV or XLSX.

Two rules, for two kinds of caller:

- `declared_format`, for an upload sent as the raw request body: the Content-Type decides.
  The XLSX type is read as XLSX; `text/csv` and the aliases browsers and scripts send for
  it (`CSV_TYPES`) as CSV, in the `charset` it declares (UTF-8 or GB18030 and their
  aliases; none: found from the bytes). A type that names no format (`UNSAID_TYPES`: none,
  `application/octet-stream`, curl's `application/x-www-form-urlencoded`, and
  `application/vnd.ms-excel`, which Windows puts on a .csv) leaves it to the file name and
  the bytes. Any other type or charset is 415 naming `Content-Type`; a body that is not
  what its type says (a workbook sent as CSV, text sent as XLSX, text not in its charset)
  is 422 `unreadable_file` naming `Content-Type`, never read as something else behind the
  sender's back.
- `file_kind`, where nothing was declared (a file on disk, the samples): the bytes first,
  then the file name's suffix, then the media type.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.tabular.limits import UnreadableFile, UnsupportedFile
from shared.web.echo import clip

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
CSV_TYPES = frozenset(
    {
        CSV,
        "text/plain",
        "text/tab-separated-values",
        "text/comma-separated-values",
        "text/x-csv",
        "text/x-comma-separated-values",
        "application/csv",
        "application/x-csv",
    }
)
UNSAID_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        # What curl sends with --data-binary unless told otherwise.
        "application/x-www-form-urlencoded",
        # Windows labels a .csv so when Excel is installed; a legacy .xls too (refused by
        # its bytes).
        "application/vnd.ms-excel",
    }
)
CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    # GB18030 is a superset of GBK and GB2312, byte for byte: what Chinese Excel writes.
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
}
"""Charsets a CSV may declare, as the codec it is read with."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_FILE_TYPES = {
    "",
    CSV,
    "text/plain",
    "text/tab-separated-values",
    "application/csv",
    "application/octet-stream",
    "application/vnd.ms-excel",
}
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_LEGACY = (
    "不支持旧版 .xls, 请另存为 .xlsx 或 CSV (legacy .xls is not supported; save as .xlsx or CSV)"
)


@dataclass(frozen=True)
class TableFormat:
    kind: str
    """CSV or XLSX."""
    encoding: str | None = None
    """A CSV's declared charset, as the codec that reads it; None: found from the bytes."""


def declared_format(
    data: bytes, content_type: str | None, filename: str | None = None
) -> TableFormat:
    """The format the Content-Type names, checked against the body (see the module)."""
    media, charset = media_type(content_type)
    if media in UNSAID_TYPES:
        return TableFormat(file_kind(data, None, filename))
    if media == XLSX:
        _expect(data, XLSX, media)
        return TableFormat(XLSX)
    if media in CSV_TYPES:
        encoding = _encoding(charset)
        _expect(data, CSV, media)
        return TableFormat(CSV, encoding)
    raise _unsupported(media)


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """(the media type, lower-case; the charset parameter, lower-case, if any)."""
    media, *params = (content_type or "").split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media.strip().lower(), charset


def _encoding(charset: str | None) -> str | None:
    if charset is None:
        return None
    found = CHARSETS.get(charset)
    if found is None:
        raise UnsupportedFile(
            f"请使用 UTF-8 或 GB18030 编码 (charset {clip(charset)} is not supported: send "
            "UTF-8 or GB18030 text)",
            field="Content-Type",
        )
    return found


def _expect(data: bytes, kind: str, media: str) -> None:
    """Refuses a body that is plainly another format than its Content-Type says. An empty
    one passes: reading it says that it is empty."""
    if not data or data.isspace():
        return
    workbook = data.startswith(_ZIP_MAGIC)
    legacy = data.startswith(_OLE_MAGIC)
    if kind == XLSX and not workbook:
        found = "a legacy .xls workbook; save it as .xlsx" if legacy else "not an XLSX workbook"
        raise _mismatch(f"the Content-Type says XLSX but the body is {found}")
    if kind == CSV and (workbook or legacy):
        found = f"an XLSX workbook: send it as {XLSX}" if workbook else "a legacy .xls workbook"
        raise _mismatch(f"the Content-Type says {clip(media)} but the body is {found}")


def _mismatch(reason: str) -> UnreadableFile:
    return UnreadableFile(
        f"文件内容与请求头 Content-Type 声明的格式不符 ({reason})", field="Content-Type"
    )


def _unsupported(media: str) -> UnsupportedFile:
    if media.startswith("multipart/"):
        reason = "send the file itself as the request body, not a multipart form"
    else:
        reason = f"send CSV ({CSV}) or XLSX ({XLSX}), not {clip(media)}"
    return UnsupportedFile(f"请上传 CSV 或 XLSX 文件 ({reason})", field="Content-Type")


def file_kind(data: bytes, content_type: str | None, filename: str | None = None) -> str:
    """XLSX or CSV, from the bytes first, then the file name's suffix, then the media type."""
    media = (content_type or "").split(";")[0].strip().lower()
    suffix = (filename or "").strip().lower()
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if data.startswith(_OLE_MAGIC) or suffix.endswith(".xls"):
        raise UnsupportedFile(_LEGACY, field="Content-Type" if filename is None else "file")
    if media == XLSX or suffix.endswith((".xlsx", ".xlsm")):
        raise UnreadableFile("不是 XLSX 文件 (the body is not an XLSX workbook)", field="file")
    if suffix.endswith(_CSV_SUFFIXES) or (filename is not None and "." not in suffix):
        return CSV
    if media in _FILE_TYPES and filename is None:
        return CSV
    if filename is not None:
        raise UnsupportedFile(
            f"请上传 CSV 或 XLSX 文件 (send a .csv or .xlsx file, not {filename})", field="file"
        )
    raise UnsupportedFile(
        f"请上传 CSV 或 XLSX 文件 (send CSV ({CSV}) or XLSX ({XLSX}), not {media})",
        field="Content-Type",
    )
