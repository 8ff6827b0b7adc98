"""One typed workbook cell as the text a person typed, or sees: its value read with its
number format where the value alone says too little (a datetime at midnight)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

EXACT_DIGITS = 15
"""Excel keeps a number's first 15 significant digits and no more."""

_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
"""The parts of a number format that are not codes: quoted text (`"时"`), bracketed
colours, locales and conditions (`[Red]`, `[$-804]`), and escaped characters (`\\h`)."""


def cell_text(value: Any, number_format: str | None = None) -> str:
    """Excel's typed cell as the text a person typed: 13800138000 not 13800138000.0. A
    datetime at midnight reads as its day unless the cell's format shows hours: "2024-11-05
    00:00" is a moment the sheet shows, and a consumer that needs a time must get it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return _whole_number_text(value)
    if isinstance(value, datetime):
        if value.time() == time() and not shows_hours(number_format):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def shows_hours(number_format: str | None) -> bool:
    """Whether a number format writes the hour (`yyyy-mm-dd hh:mm`, `m/d/yy h:mm`); an `h`
    in quoted or bracketed text or escaped is no hour."""
    return number_format is not None and "h" in _LITERALS.sub("", number_format).lower()


def _whole_number_text(value: float) -> str:
    """A whole number as typed; one past Excel's 15 digits (a 统一社会信用代码 or an ID
    number typed into a number cell) lost its last digits before the file was written, so
    it reads as Excel shows it, `9.14403E+17`, never as other digits that look typed: the
    field's own check then says to format the column as text."""
    if abs(value) < 10**EXACT_DIGITS:
        return str(int(value))
    mantissa, exponent = f"{value:.5E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E+{int(exponent):02d}"
