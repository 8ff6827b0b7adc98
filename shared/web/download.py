"""Sheets → download responses: the bytes (`shared.tabular.to_csv`/`to_xlsx`, which defuse
formulas), the media type and a Content-Disposition naming the file."""

from __future__ import annotations

import re
from urllib.parse import quote

from shared.tabular import CSV, XLSX, Sheet, to_csv, to_xlsx


def render(sheet: Sheet, fmt: str) -> tuple[bytes, str, dict[str, str]]:
    """The file's bytes, its media type and a Content-Disposition naming it."""
    if fmt == "xlsx":
        return to_xlsx(sheet), XLSX, disposition(f"{sheet.title}.xlsx")
    return to_csv(sheet), f"{CSV}; charset=utf-8", disposition(f"{sheet.title}.csv")


def disposition(filename: str, ascii_name: str | None = None) -> dict[str, str]:
    """Content-Disposition naming the file in full (RFC 6266/5987) and in ASCII for what
    reads only `filename` (curl -OJ, older browsers). HTTP headers are latin-1, and only a
    safe ASCII set goes in: user-chosen names must not inject CR/LF or quotes. `ascii_name`
    (without extension; the full name's is kept): an ASCII name chosen by the caller, where
    the full name stripped to ASCII would say nothing ("2026-1.pdf" of a Chinese title)."""
    if ascii_name is None:
        fallback = re.sub(r"[^A-Za-z0-9._-]", "", filename) or "export"
        if fallback.startswith("."):
            fallback = "export" + fallback
    else:
        extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
        fallback = re.sub(r"[^A-Za-z0-9._-]", "", ascii_name).lstrip(".") or "download"
        if extension:
            fallback = f"{fallback}.{extension}"
    return {
        "Content-Disposition": f'attachment; filename="{fallback}"; '
        # safe="": "/" too is encoded; left bare, clients read "上半年/结果.csv" as a path.
        f"filename*=UTF-8''{quote(filename, safe='')}"
    }
