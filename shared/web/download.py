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


def disposition(filename: str) -> dict[str, str]:
    # HTTP headers are latin-1: an ASCII fallback name, the Chinese one per RFC 6266/5987.
    # Only a safe ASCII set: user-chosen names must not inject CR/LF or quotes into headers.
    fallback = re.sub(r"[^A-Za-z0-9._-]", "", filename) or "export"
    if fallback.startswith("."):
        fallback = "export" + fallback
    return {
        "Content-Disposition": f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(filename)}"
    }
