"""The cells of a 参评单位 sheet that are read the same way wherever they come: a unit's kind
(单位类型), its 统一社会信用代码 and a day (生效日期), as offices write them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from openpyxl.utils.datetime import from_excel, to_excel

from services.registry.domain import UNIT_KIND_BY_LABEL, UNIT_KIND_LABELS
from services.registry.domain.credit_code import canonical_credit_code, credit_code_problem
from services.registry.domain.units import china_today
from services.registry.importing.columns import CellError, header_key
from shared.types import EARLIEST_YEAR, LATEST_YEAR

_KIND_SPELLINGS = {"其他机构": "其它机构"}
_DAY = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    # A date cell formatted with hours (pandas and other systems export dates so) reads
    # with its midnight; any other time of day is not a day.
    r"(?:[T\s]+0?0:00(?::00(?:\.0+)?)?)?$"
)
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_FIRST_DAY, _LAST_DAY = date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31)
_FIRST_SERIAL, _LAST_SERIAL = int(to_excel(_FIRST_DAY)), int(to_excel(_LAST_DAY))
_LAST_EXCEL_SERIAL = 2958465  # 9999-12-31, the last day Excel's 1900 date system holds


def unit_kind(text: str) -> str:
    key = header_key(text)
    key = _KIND_SPELLINGS.get(key, key)
    if key in UNIT_KIND_BY_LABEL:
        return UNIT_KIND_BY_LABEL[key]
    if key in UNIT_KIND_LABELS:
        return key
    labels = "、".join(UNIT_KIND_LABELS.values())
    raise CellError(
        f"未知单位类型, 可选: {labels} (unknown unit kind; use one of the listed kinds)"
    )


def credit_code(text: str) -> str:
    code = canonical_credit_code(text)
    problem = credit_code_problem(code)
    if problem is not None:
        raise CellError(problem)
    return code


def day(text: str) -> date:
    """2017-05-15, 2017/5/15, 2017.5.15 or 2017年5月15日, as offices write dates (at 00:00
    too, as a cell formatted with hours shows a day); or the
    number Excel keeps a date as (45413 is 2024-05-01), which a date cell formatted as a
    number shows and a CSV saved from such a sheet holds."""
    text = text.strip()
    value = _excel_day(text) if _SERIAL.match(text) else _written_day(text)
    if value > china_today():
        raise CellError(
            "日期不能晚于今天, 单位成立后再登记 (in the future: record a unit once it exists)"
        )
    return value


def _excel_day(text: str) -> date:
    """A whole serial number of Excel's 1900 date system, read as openpyxl reads a date
    cell; a fraction is a time of day and a serial outside the days a `Day` holds is no
    day the registry records, so both are refused naming what the number reads as."""
    serial = Decimal(text)
    hint = ("日期格式应为 2017-05-15", "write it as 2017-05-15")
    if 1 <= serial <= _LAST_EXCEL_SERIAL:
        moment: datetime = from_excel(float(serial))
        if serial != serial.to_integral_value():
            raise CellError(
                f"{text} 在 Excel 中是日期加时刻 ({moment:%Y-%m-%d %H:%M}), 不是日期; {hint[0]} "
                f"({text} reads as an Excel date and time ({moment:%Y-%m-%d %H:%M}), "
                f"not a day; {hint[1]})"
            )
        if _FIRST_SERIAL <= serial <= _LAST_SERIAL:
            return moment.date()
        raise CellError(
            f"{text} 在 Excel 中是 {moment.date().isoformat()}, 不在 {_FIRST_DAY.isoformat()} "
            f"至 {_LAST_DAY.isoformat()} 之间; {hint[0]} "
            f"({text} reads as the Excel date {moment.date().isoformat()}, outside "
            f"{_FIRST_DAY.isoformat()} to {_LAST_DAY.isoformat()}; {hint[1]})"
        )
    raise CellError(
        f"{text} 不是日期, 也不是 Excel 的日期编号; {hint[0]} "
        f"({text} is not a date, nor any day as Excel numbers days; {hint[1]})"
    )


def _written_day(text: str) -> date:
    found = _DAY.match(text)
    try:
        if found is None:
            raise ValueError(text)
        value = date(*(int(part) for part in found.groups()))
    except ValueError:
        raise CellError("日期格式应为 2017-05-15 (not a date; write it as 2017-05-15)") from None
    return value
