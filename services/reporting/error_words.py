"""An error entry of the kernel's JSON body as a person reading a page is told it.

The JSON body names a field by where it sits (`path.campaign_id`, `query.version`,
`X-API-Key`) and gives the reason Chinese first with pydantic's English after it (`须为整数
(Input should be a valid integer, …)`, `shared.reasons`): right for a program and a
developer, but a resident who mistyped a link on a public page reads neither a parameter's
code nor pydantic's English. The page says which part of the link or request is wrong in
Chinese words and the reason in Chinese alone; the codes, the field as the API names it
and the whole reason stay on the page, under 技术信息, for whoever reports the problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

PLACES = {
    "path": "网址中的",
    "query": "网址参数中的",
    "header": "请求头中的",
    "cookie": "Cookie 中的",
}
"""Where the field sits, as the kernel's field prefix names it."""

FIELD_WORDS = {
    "campaign_id": "评议活动编号",
    "round_number": "轮次",
    "version": "版本号",
    "unit_id": "单位编号",
    "jurisdiction_id": "辖区编号",
    "wave_id": "测评编号",
    "cursor": "翻页位置",
    "limit": "每页条数",
    "week": "周次",
    "month": "月份",
    "next": "登录后返回的地址",
    "X-API-Key": "API 密钥",
    "api_key": "API 密钥",
    "Idempotency-Key": "幂等键 Idempotency-Key",
}
"""Every parameter of a page route (tests/reporting/test_error_words.py holds them to it),
and the headers met before any route runs."""


class PageEntry(NamedTuple):
    where: str | None
    """The field in Chinese words; None where the error names no field."""
    reason: str
    """The reason in Chinese alone (the English of `shared.reasons` left to 技术信息)."""


def page_entry(entry: Mapping[str, Any]) -> PageEntry:
    field = entry.get("field")
    return PageEntry(
        field_words(field) if isinstance(field, str) and field else None,
        chinese_reason(str(entry.get("reason", ""))),
    )


def field_words(field: str) -> str:
    """`query.version` -> 网址参数中的版本号; a field named nowhere keeps its code."""
    place, dot, name = field.partition(".")
    if not dot or place not in PLACES:
        place, name = "", field
    words = FIELD_WORDS.get(name)
    if words is None:
        return field
    return PLACES.get(place, "") + words


def chinese_reason(reason: str) -> str:
    """The reason without a last parenthesis that holds no Chinese (`shared.reasons`'
    English after the Chinese); a reason with no Chinese before it stays whole, as does a
    Chinese parenthesis (`只有空格 (全角空格也算)`)."""
    opening = _last_parenthesis(reason)
    if opening is None:
        return reason
    head, tail = reason[:opening].rstrip(), reason[opening:]
    if _has_chinese(tail) or not _has_chinese(head):
        return reason
    return head


def _last_parenthesis(text: str) -> int | None:
    """Where the parenthesis that closes `text` opens, matched through nested ones."""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                return index
    return None


def _has_chinese(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)
