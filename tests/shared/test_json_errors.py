"""Malformed JSON names the body and says where it breaks in words and in `context` (line and
column, as a YAML body's problems do), never as a field path: `body.10` read as an array's
eleventh item, not the eleventh character."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pingyi.catalog import NAMES as SERVICES
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.world import build_world


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), SERVICES) as running:
        yield running


@pytest.fixture(scope="module")
def campaign(cluster: Cluster) -> str:
    return build_world(cluster).targets["campaign"].value


def _post(cluster: Cluster, service: str, url: str, raw: bytes, **headers: str) -> Any:
    return cluster[service].post(
        url, content=raw, headers=ADMIN | {"content-type": "application/json"} | headers
    )


def test_a_truncated_body_names_the_body_and_the_line_and_column(
    cluster: Cluster, campaign: str
) -> None:
    response = _post(
        cluster, "scoring", f"/campaigns/{campaign}/rounds/1/score-runs", b'{"final": tru'
    )
    assert response.status_code == 422, response.text
    assert response.json() == {
        "error": "validation_failed",
        "detail": [
            {
                "field": "body",
                "reason": "不是有效的 JSON, 第 1 行第 11 个字符处应为一个值 "
                "(JSON decode error at line 1, column 11: Expecting value)",
                "code": "json_invalid",
                "type": "json_invalid",
                "context": {"line": 1, "column": 11},
            }
        ],
    }


BROKEN = [
    # (body, line, column, the problem's Chinese, json's own words)
    (b'{\n  "name": "x",\n  "level" "city"\n}', 3, 11, "应为冒号", "Expecting ':' delimiter"),
    (b"[1 2]", 1, 4, "应为逗号", "Expecting ',' delimiter"),
    (b"{name: 1}", 1, 2, "应为双引号括起的字段名", "Expecting property name"),
    (b'{"name": "abc', 1, 10, "开始的字符串没有结束", "Unterminated string starting at"),
    (b'{"name": "x"} {}', 1, 15, "之后还有多余的内容", "Extra data"),
    ('{"name": "漯河\n市"}'.encode(), 1, 13, "是字符串中未转义的控制字符", "Invalid control"),
    (b'{"name": "\\q"}', 1, 11, "是无效的转义", "Invalid \\escape"),
    # Columns count characters, not bytes: 漯河 is six bytes of UTF-8.
    ('{"name": "漯河", }'.encode(), 1, 16, "应为双引号括起的字段名", "Expecting property name"),
]


@pytest.mark.parametrize(("raw", "line", "column", "chinese", "english"), BROKEN)
def test_each_kind_of_break_is_said_where_it_is(
    cluster: Cluster, raw: bytes, line: int, column: int, chinese: str, english: str
) -> None:
    with pytest.raises(json.JSONDecodeError) as broken:
        json.loads(raw)
    assert (broken.value.lineno, broken.value.colno) == (line, column)
    response = _post(cluster, "registry", "/jurisdictions", raw)
    assert response.status_code == 422, response.text
    [entry] = response.json()["detail"]
    assert (entry["field"], entry["code"]) == ("body", "json_invalid")
    assert entry["context"] == {"line": line, "column": column}
    assert entry["reason"].startswith(
        f"不是有效的 JSON, 第 {line} 行第 {column} 个字符处{chinese} ("
    )
    assert f"at line {line}, column {column}: {english}" in entry["reason"]


def test_a_route_that_reads_its_own_body_says_it_alike(cluster: Cluster) -> None:
    """Scoring's `POST /schemes` decodes its JSON itself (it also takes YAML) and raises
    FastAPI's error without the text: the kernel finds the text in the request it read."""
    response = _post(cluster, "scoring", "/schemes", b'{"reason": "x",\n "document": [1,]}')
    assert response.status_code == 422, response.text
    [entry] = response.json()["detail"]
    assert (entry["field"], entry["code"]) == ("body", "json_invalid")
    assert entry["context"] == {"line": 2, "column": 17}
    assert entry["reason"].startswith("不是有效的 JSON, 第 2 行第 17 个字符处应为一个值 (")
