"""A pydantic error in words a caller can act on, wherever one is answered (a request's
body or header, a row of a push or an import).

Chinese first, pydantic's English after it (`必填 (Field required)`): the offices that meet
these reasons read Chinese, and the English keeps what pydantic's own documentation and a
developer's search engine know. Only the reason is translated: `code`/`type` stay pydantic's
error type, which machines read. Every error type a request can meet has Chinese words
here (tests/shared/test_chinese_reasons.py lists the Python-only ones left out, which keep
pydantic's English alone); a check of ours (`value_error`) keeps its own sentence, which is
already worded for the caller.

Pydantic words a few errors for its own use: a length limit placed on a text type of ours
(`Annotated[Line, Field(max_length=...)]`) is checked after our check, by its generic
length validator, which counts "items"; a choice among a hundred values lists them all; a
check of ours that raises `ValueError` has its sentence prefixed with "Value error, "."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

URL_INT_ENGLISH = (
    "Input should be a whole number written in the digits 0-9 alone, such as 1 or 12: no "
    "decimal point, exponent, sign, spaces, leading zeros or full-width digits"
)
URL_INT_CHINESE = (
    "须为整数, 只用半角数字 0-9 书写, 如 1 或 12, 不带小数点, 指数, 正负号, 空格, 前导零或全角数字"
)
"""The Chinese `reason_of` puts before `URL_INT_ENGLISH`: a URL's number
(`shared.types.UrlInt`). Kept here, not in shared.types, so that this module needs the
standard library only (the offline verifier loads it: tests/scoring/engine/test_purity.py)."""

LONG_CHOICE = 200
"""A choice among more values than a reason reads well with (an answer on any of the five
scales is one of over a hundred): said in words, the values left to the schema."""

LONG_CHOICE_REASON = (
    "不是可接受的值之一, 可接受的值见接口文档 /docs "
    "(not one of the accepted values; the request's schema lists them: /docs)"
)

BLANK = (
    "不能为空, 只有空格 (全角空格也算) 即为空 "
    "(must not be blank: spaces alone, full-width ones included, are blank)"
)
"""Text that is whitespace alone, refused where text is required: a model strips it to
nothing (`str_strip_whitespace`) before its length is checked, and "　" (the ideographic
space a Chinese input method types) is whitespace too."""

_CHINESE = {
    "missing": "必填",
    "extra_forbidden": "不接受此字段",
    "string_type": "须为文本",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "date_parsing": "须为日期, 如 2024-05-01",
    "date_from_datetime_parsing": "须为日期, 如 2024-05-01",
    "date_from_datetime_inexact": "须为日期, 如 2024-05-01, 不带时刻",
    "date_type": "须为日期, 如 2024-05-01",
    "datetime_parsing": "须为日期时间, 如 2024-05-01T09:00:00+08:00",
    "datetime_from_date_parsing": "须为日期时间, 如 2024-05-01T09:00:00+08:00",
    "datetime_type": "须为日期时间, 如 2024-05-01T09:00:00+08:00",
    # Offices' systems often send local time without its offset; the reason shows the fix.
    "timezone_aware": "须带时区, 如 2024-11-05T10:00:00+08:00",
    "timezone_naive": "不可带时区, 如 2024-11-05T10:00:00",
    "uuid_parsing": "须为 UUID 格式的编号",
    "uuid_type": "须为 UUID 格式的编号",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "须为 JSON 文本",
    "string_pattern_mismatch": "格式不符",
    # A lone surrogate (JSON "\ud800") cannot be stored or sent on as UTF-8.
    "string_unicode": "须为有效的 Unicode 文本, 不能含不成对的代理字符",
    "string_not_ascii": "只能含 ASCII 字符",
    # JSON has no NaN or infinity; a number past the float range (1e400) reads as one.
    "finite_number": "须为有限的数, 不能是 NaN 或无穷大, 也不能超出数值范围",
    "int_parsing_size": "数字位数过多",
    "none_required": "须为 null",
    "tuple_type": "须为列表",
    "set_type": "须为列表",
    "frozen_set_type": "须为列表",
    "iterable_type": "须为列表",
    "mapping_type": "须为对象",
    "date_past": "须为过去的日期",
    "date_future": "须为将来的日期",
    "datetime_past": "须为过去的时刻",
    "datetime_future": "须为将来的时刻",
    "datetime_object_invalid": "须为有效的日期时间",
    "time_type": "须为时刻, 如 09:00:00",
    "time_parsing": "须为时刻, 如 09:00:00",
    "timezone_offset": "时区偏移不符",
    "time_delta_type": "须为时长, 如 PT1H",
    "time_delta_parsing": "须为时长, 如 PT1H",
    "url_type": "须为网址",
    "url_parsing": "须为有效的网址",
    "url_syntax_violation": "须为有效的网址",
    "url_too_long": "网址过长",
    "url_scheme": "网址的协议不在可接受之列",
    "bytes_type": "须为字节串",
    "bytes_invalid_encoding": "字节串的编码无效",
}
_WITH_CONTEXT = {
    "greater_than": ("gt", "须大于 {}"),
    "greater_than_equal": ("ge", "须不小于 {}"),
    "less_than": ("lt", "须小于 {}"),
    "less_than_equal": ("le", "须不大于 {}"),
    "multiple_of": ("multiple_of", "须为 {} 的倍数"),
    "decimal_max_digits": ("max_digits", "至多 {} 位数字"),
    "decimal_max_places": ("decimal_places", "小数至多 {} 位"),
    "decimal_whole_digits": ("whole_digits", "整数部分至多 {} 位"),
    "uuid_version": ("expected_version", "须为第 {} 版 UUID"),
    "union_tag_invalid": ("expected_tags", "类型须为以下之一: {}"),
    "union_tag_not_found": ("discriminator", "缺少类型字段 {}"),
}
"""Reasons that carry a value from the error's context (a bound, a count of digits)."""
_CHOICES = ("literal_error", "enum")
_LENGTH_WORDS = {"too_long": ("at most", "至多"), "too_short": ("at least", "至少")}
_TOO_SHORT = ("too_short", "string_too_short")
"""A text too short, as pydantic says it: by its generic length check (a limit placed on a
text type of ours, `Annotated[Line, Field(min_length=1)]`) or its string one (`reason: Prose
= Field(min_length=1)`)."""
_LENGTH_KINDS = {
    "too_long": "too_long",
    "string_too_long": "too_long",
    "too_short": "too_short",
    "string_too_short": "too_short",
}


def reason_of(err: Mapping[str, Any]) -> str:
    # A check of ours raises ValueError with the sentence to show; pydantic prefixes it.
    english = str(err.get("msg", "")).removeprefix("Value error, ")
    kind, given = err.get("type"), err.get("input")
    context = err.get("ctx") or {}
    if kind in _CHOICES and len(english) > LONG_CHOICE:
        return LONG_CHOICE_REASON
    if kind in _TOO_SHORT and isinstance(given, str) and given and not given.strip():
        return BLANK  # stripped to nothing: "at least 1 character, not 3" misleads
    if kind in _LENGTH_KINDS:
        return _length(_LENGTH_KINDS[kind], given, context) or english
    if kind in _CHOICES and isinstance(context.get("expected"), str):
        return f"须为以下之一: {_listed(context['expected'])} ({english})"
    if kind in _WITH_CONTEXT and _WITH_CONTEXT[kind][0] in context:
        key, words = _WITH_CONTEXT[kind]
        return f"{words.format(context[key])} ({english})"
    if kind == "int_parsing" and english == URL_INT_ENGLISH:
        return f"{URL_INT_CHINESE} ({english})"  # a URL's number (`shared.types.UrlInt`)
    chinese = _CHINESE.get(str(kind))
    return f"{chinese} ({english})" if chinese else english


def _length(kind: str, given: object, context: Mapping[str, Any]) -> str | None:
    """A length in characters for a text (pydantic's generic check says "items"), in items
    for a list; None where pydantic left out the limit."""
    limit = context.get("max_length" if kind == "too_long" else "min_length")
    if not isinstance(limit, int):
        return None
    english, chinese = _LENGTH_WORDS[kind]
    if isinstance(given, str):
        size = len(given)
        unit, measure, counted = ("character" if limit == 1 else "characters"), "个字符", "个"
    else:
        found = context.get("actual_length")
        if not isinstance(found, int):
            return None
        size, unit, measure, counted = found, ("item" if limit == 1 else "items"), "项", "项"
    said = f"should have {english} {limit} {unit}, not {size}"
    return f"{chinese} {limit} {measure}, 现为 {size} {counted} ({said})"


def _listed(expected: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" as a list: the final " or " read as a comma."""
    head, sep, last = expected.rpartition(" or ")
    return f"{head}, {last}" if sep else expected


def first_problem(error: ValueError) -> str:
    """A decoding error in one line: pydantic's first problem, where and what, in the words
    of `reason_of` (its full text runs over several lines, with a link); any other error's
    text on one line."""
    problems = getattr(error, "errors", None)
    found = problems() if callable(problems) else []
    if found:
        where = ".".join(str(part) for part in found[0].get("loc", ()))
        reason = reason_of(found[0])
        return f"{where}: {reason}" if where else reason
    return " ".join(str(error).split())
