"""A page's error entry in words a person reads (`services/reporting/error_words.py`): the
field in Chinese, the reason without pydantic's English; every parameter of every page
route has its words, so a page added later cannot show a resident a parameter's code."""

from __future__ import annotations

from typing import Any

import pytest

from services.reporting.error_pages import PageRoute
from services.reporting.error_words import FIELD_WORDS, chinese_reason, field_words, page_entry
from services.reporting.main import SERVICE
from shared.reasons import BLANK


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        (
            "须为整数 (Input should be a valid integer, unable to parse string as an integer)",
            "须为整数",
        ),
        (
            "须为 UUID 格式的编号 (Input should be a valid UUID, invalid length: found 3)",
            "须为 UUID 格式的编号",
        ),
        (BLANK, "不能为空, 只有空格 (全角空格也算) 即为空"),
        ("第1轮评议结果尚未发布", "第1轮评议结果尚未发布"),
        ("Field required", "Field required"),
        ("Input should be a valid integer (got 'x')", "Input should be a valid integer (got 'x')"),
        ("须为 a (b) 格式 (must be (nested) text)", "须为 a (b) 格式"),
        ("没有这个版本 (第3版)", "没有这个版本 (第3版)"),
        ("不平衡 )", "不平衡 )"),
    ],
)
def test_the_reason_keeps_its_chinese_and_drops_the_english_after_it(
    reason: str, shown: str
) -> None:
    assert chinese_reason(reason) == shown


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("path.campaign_id", "网址中的评议活动编号"),
        ("query.version", "网址参数中的版本号"),
        ("query.limit", "网址参数中的每页条数"),
        ("X-API-Key", "API 密钥"),
        ("wave_id", "测评编号"),
        ("body.something_else", "body.something_else"),
        ("query.unheard_of", "query.unheard_of"),
    ],
)
def test_a_field_is_named_in_chinese_where_it_has_words(field: str, words: str) -> None:
    assert field_words(field) == words


def test_an_entry_without_a_field_shows_its_reason_alone() -> None:
    entry = page_entry({"field": None, "reason": "必填 (Field required)", "code": "missing"})
    assert entry.where is None and entry.reason == "必填"


def _parameters(dependant: Any) -> set[str]:
    found = {
        param.alias
        for params in (dependant.path_params, dependant.query_params, dependant.header_params)
        for param in params
    }
    for sub in dependant.dependencies:
        found |= _parameters(sub)
    return found


def test_every_parameter_of_a_page_has_chinese_words() -> None:
    pages = [
        route
        for router in SERVICE.routers
        for route in router.routes
        if isinstance(route, PageRoute) and route.is_page
    ]
    assert len(pages) >= 8, "the page routes were not found"
    parameters = set().union(*(_parameters(route.dependant) for route in pages))
    assert {"campaign_id", "round_number", "version", "week"} <= parameters
    assert parameters - set(FIELD_WORDS) == set()
