"""The HTML pages answer their errors as pages to a browser, with the status, code, field
and reason the JSON body names; every other client keeps the JSON body
(`services/reporting/error_pages.py`). So do the errors answered before any route runs, on a
page's path: no or a bad API key, a path under /public/pages that no route has, too many
requests; on any other path they stay JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from services.reporting.error_pages import ErrorPages, wants_html
from services.reporting.error_words import page_entry
from shared.web.echo import error_body
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.reporting.rounds.helpers import SERVICES, published_round
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


def _assert_page(page: str, answer: Any, script: Any, status: int, error: str) -> None:
    """`answer` (to a browser) is the page of `script`'s JSON error answer."""
    assert answer.status_code == status == script.status_code, (page, answer.text)
    assert answer.headers["content-type"].startswith("text/html"), page
    assert answer.headers["vary"] == "Accept"
    assert answer.headers["cache-control"] == script.headers["cache-control"]
    assert f'<code class="error-code">{error}</code>' in answer.text, page
    assert f"HTTP {status}" in answer.text
    assert '<html lang="zh-CN">' in answer.text
    body = script.json()
    assert body["error"] == error
    notice = answer.text.split('<div class="notice" role="alert">')[1].split("</div>")[0]
    technical = answer.text.split('<details class="meta" id="technical">')[1]
    for entry in body["detail"]:
        # The notice in a resident's words; the API's own under 技术信息.
        shown = page_entry(entry)
        assert shown.reason in notice and "Input should" not in notice, page
        if entry["field"] is not None:
            assert f'<strong class="error-field">{shown.where}</strong>' in notice, page
            assert f"<code>{entry['field']}</code>" in technical, page
        assert entry["reason"] in technical


def test_a_browser_reads_an_error_of_a_page_as_a_page(world: tuple[TestClient, str]) -> None:
    reporting, city = world
    for page, status, error, field in _pages(city):
        answer = reporting.get(page, headers=ADMIN | {"Accept": BROWSER})
        script = reporting.get(page, headers=ADMIN)
        _assert_page(page, answer, script, status, error)
        if field is not None:
            assert f"<code>{field}</code>" in answer.text, page


def _before_any_route(city: str) -> list[tuple[str, dict[str, str], int, str]]:
    """(page path, headers, status, error) answered by the kernel before a route runs."""
    nobody = uuid4()
    bulletin = f"/bulletins/weekly.html?jurisdiction_id={city}&week=2026-W21"
    return [
        (f"/waves/{nobody}/progress.html", {}, 401, "unauthenticated"),
        (bulletin, {"X-API-Key": "pyk_not-a-real-key"}, 401, "unauthenticated"),
        (f"/public/pages/campaigns/{nobody}/rounds/1/typo", {}, 404, "not_found"),
        ("/public/pages/nothing-here", {}, 404, "not_found"),
    ]


def test_errors_before_any_route_are_pages_to_a_browser(world: tuple[TestClient, str]) -> None:
    reporting, city = world
    for page, headers, status, error in _before_any_route(city):
        answer = reporting.get(page, headers=headers | {"Accept": BROWSER})
        script = reporting.get(page, headers=headers)
        assert script.headers["content-type"] == "application/json", page
        _assert_page(page, answer, script, status, error)


def test_an_office_page_opened_in_a_browser_says_how_offices_read_it(
    world: tuple[TestClient, str],
) -> None:
    """A browser cannot send `X-API-Key` from its address bar: the 401 page of an office
    page says how offices read their pages, and never suggests a key in the URL. A script
    still gets the kernel's JSON body, unchanged."""
    reporting, city = world
    for page in (
        f"/waves/{uuid4()}/progress.html",
        f"/bulletins/weekly.html?jurisdiction_id={city}&week=2026-W21",
    ):
        answer = reporting.get(page, headers={"Accept": BROWSER})
        assert answer.status_code == 401, answer.text
        assert 'id="key-help"' in answer.text
        assert "请求头 X-API-Key" in answer.text and "请勿把密钥写进网址" in answer.text
        assert "api_key=" not in answer.text and "?key=" not in answer.text
        script = reporting.get(page)
        assert script.json()["error"] == "unauthenticated" and "key-help" not in script.text
    # Other errors of a page carry no such help.
    other = reporting.get(f"/waves/{uuid4()}/progress.html", headers=ADMIN | {"Accept": BROWSER})
    assert other.status_code == 404 and "key-help" not in other.text


def test_errors_off_the_pages_stay_json_to_a_browser(world: tuple[TestClient, str]) -> None:
    reporting, _ = world
    nobody = uuid4()
    for path, status, error in [
        (f"/campaigns/{nobody}/rounds", 401, "unauthenticated"),
        (f"/public/campaigns/{nobody}/rounds/1/typo", 404, "not_found"),
        ("/public/pagesnot", 404, "not_found"),
    ]:
        answer = reporting.get(path, headers={"Accept": BROWSER})
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["content-type"] == "application/json", path
        assert answer.json()["error"] == error


def test_a_browser_told_to_slow_down_reads_a_page() -> None:
    # Two public requests an hour from an address: the third is refused before any route.
    settings = in_memory().model_copy(update={"rate_public": "2/hour"})
    with Cluster(settings, ["registry", "reporting"]) as cluster:
        reporting = cluster["reporting"]
        for _ in range(2):
            assert reporting.get("/public/pages").status_code == 200
        answer = reporting.get("/public/pages", headers={"Accept": BROWSER})
        script = reporting.get("/public/pages")
        _assert_page("/public/pages", answer, script, 429, "rate_limited")
        assert answer.headers["retry-after"] == script.headers["retry-after"]
        assert "请求过于频繁" in answer.text
        assert error_body(script.json()) == script.json()


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


def test_a_json_error_of_another_shape_passes_as_it_is() -> None:
    # Only the kernel's error shape has entries to render; anything else is left alone.
    async def other(scope: Any, receive: Any, send: Any) -> None:
        await JSONResponse(["not", "the", "kernel's"], status_code=404)(scope, receive, send)

    client = TestClient(ErrorPages(other, []))
    answer = client.get("/public/pages/anything", headers={"Accept": BROWSER})
    assert answer.status_code == 404 and answer.json() == ["not", "the", "kernel's"]


def test_a_version_never_published_is_a_404_page_to_a_browser() -> None:
    """`?version=9` of a published round (versions 1 only): the 404 page, naming the
    version, under a heading that does not say the round is unpublished (it is)."""
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, _ = published_round(cluster)
        campaign, county = scored.rnd.campaign_id, scored.rnd.world.county_id
        summary = f"/public/pages/summaries/jurisdictions/{county}/campaigns/{campaign}/rounds/1"
        for page in (f"/public/pages/campaigns/{campaign}/rounds/1", summary):
            answer = scored.reporting.get(f"{page}?version=9", headers={"Accept": BROWSER})
            script = scored.reporting.get(f"{page}?version=9")
            _assert_page(page, answer, script, 404, "not_published")
            assert "<code>query.version</code>" in answer.text
            assert "<title>404 没有这个版本</title>" in answer.text, page
            assert scored.reporting.get(page, headers={"Accept": BROWSER}).status_code == 200
