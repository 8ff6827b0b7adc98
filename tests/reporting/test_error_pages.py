"""The HTML pages answer their errors as pages to a browser, with the status, code, field
and reason the JSON body names; every other client keeps the JSON body
(`services/reporting/error_pages.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.reporting.error_pages import wants_html
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import register_jurisdiction

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[TestClient, str]]:
    with Cluster(in_memory(), ["registry", "reporting"]) as cluster:
        city = register_jurisdiction(cluster["registry"], "漯河市", "city")
        cluster.wait_caught_up("reporting", "registry")
        yield cluster["reporting"], city


def _pages(city: str) -> list[tuple[str, int, str, str | None]]:
    """(page, status, error, field) for an error each page can meet."""
    nobody = uuid4()
    summary = f"/public/pages/summaries/jurisdictions/{nobody}/campaigns/{nobody}/rounds/1"
    return [
        (f"/public/pages/campaigns/{nobody}/rounds/1", 404, "not_published", "path.round_number"),
        (f"/public/pages/campaigns/{nobody}/units/{nobody}", 404, "not_published", None),
        (summary, 404, "jurisdiction_not_found", "path.jurisdiction_id"),
        (f"/public/pages/campaigns/{nobody}/rounds/0", 422, "validation_failed", None),
        ("/public/pages?limit=0", 422, "validation_failed", "query.limit"),
        (f"/waves/{nobody}/progress.html", 404, "wave_not_found", "wave_id"),
        (
            f"/bulletins/weekly.html?jurisdiction_id={city}&week=2026-W99",
            422,
            "invalid_period",
            "query.week",
        ),
    ]


def test_a_browser_reads_an_error_of_a_page_as_a_page(world: tuple[TestClient, str]) -> None:
    reporting, city = world
    for page, status, error, field in _pages(city):
        answer = reporting.get(page, headers=ADMIN | {"Accept": BROWSER})
        assert answer.status_code == status, (page, answer.text)
        assert answer.headers["content-type"].startswith("text/html"), page
        assert answer.headers["vary"] == "Accept"
        assert (
            answer.headers["cache-control"]
            == reporting.get(page, headers=ADMIN).headers["cache-control"]
        )
        assert f'<code class="error-code">{error}</code>' in answer.text, page
        assert f"HTTP {status}" in answer.text
        assert '<html lang="zh-CN">' in answer.text
        if field is not None:
            assert f"<code>{field}</code>" in answer.text, page
        json_body = reporting.get(page, headers=ADMIN).json()
        for entry in json_body["detail"]:
            assert entry["reason"] in answer.text


def test_a_script_reads_the_same_error_as_json(world: tuple[TestClient, str]) -> None:
    reporting, city = world
    for accept in ("*/*", "application/json", "application/json, text/html;q=0.5", None):
        headers = ADMIN if accept is None else ADMIN | {"Accept": accept}
        for page, status, error, field in _pages(city):
            answer = reporting.get(page, headers=headers)
            assert answer.status_code == status, (page, answer.text)
            assert answer.headers["content-type"] == "application/json", (page, accept)
            body = answer.json()
            assert body["error"] == error
            if field is not None:
                assert body["detail"][0]["field"] == field


def test_the_json_routes_answer_json_to_a_browser_too(world: tuple[TestClient, str]) -> None:
    reporting, _ = world
    nobody = uuid4()
    answer = reporting.get(
        f"/public/campaigns/{nobody}/rounds/1", headers=ADMIN | {"Accept": BROWSER}
    )
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_published"


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("*/*", False),
        ("", False),
        ("application/json", False),
        ("application/json;q=0.9, text/html", True),
        ("text/html;q=0.5, application/json", False),
        ("text/html;q=0", False),
        ("text/html;q=x", False),
    ],
)
def test_which_clients_get_a_page(accept: str, html: bool) -> None:
    assert wants_html(accept) is html
