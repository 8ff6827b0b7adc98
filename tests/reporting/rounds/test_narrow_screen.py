"""Every public page read on a phone (375 CSS pixels, an iPhone's width), in Debian's Chromium:
nothing runs past the screen's right edge but inside a box that scrolls sideways (the wide
tables), so the page itself never scrolls sideways. The pages a person meets: the list of
published rounds, a round published twice (the version in force and `?version=1`), a unit's
dossier, a jurisdiction summary, the error pages of an embargoed round, a bad `?version=`, a
version that does not exist and a long path in Chinese; and, once the round is withdrawn with
a long reason, the 已撤回 pages.

Headless Chromium never lays a window out narrower than 500 pixels, whatever its window size
says; the pages are measured in an iframe of the phone's width (`browser.narrow_layout`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds import browser
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    published_round,
    run,
)

PHONE = 375
REASON = "评议结果发布时未经县纠风办集体审定，且部分单位样本数据录入有误，" * 4


@pytest.fixture(scope="module")
def scored() -> Iterator[Scored]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, _ = published_round(cluster)
        more_answers(scored)
        corrected = run(scored, final=True, reason="补录问卷")
        publish(scored, {"run_id": corrected["run_id"], "reason": "补录问卷后更正"})
        yield scored


def _pages(scored: Scored) -> dict[str, int]:
    campaign, world = scored.rnd.campaign_id, scored.rnd.world
    rounds = f"/public/pages/campaigns/{campaign}/rounds"
    summary = f"/public/pages/summaries/jurisdictions/{world.city_id}/campaigns/{campaign}"
    return {
        "/public/pages": 200,
        f"{rounds}/1": 200,
        f"{rounds}/1?version=1": 200,
        f"/public/pages/campaigns/{campaign}/units/{world.unit_ids[0]}": 200,
        f"{summary}/rounds/1": 200,
        f"{rounds}/2": 404,
        f"{rounds}/1?version=abc": 422,
        f"{rounds}/1?version=9": 404,
        "/public/pages/" + "漯河市民主评议政风行风结果" * 40: 404,
    }


def _fits(scored: Scored, path: str, status: int) -> None:
    response = scored.reporting.get(path, headers={"Accept": "text/html"})
    assert response.status_code == status, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), path
    assert '<meta name="viewport" content="width=device-width' in response.text, path
    laid_out = browser.narrow_layout(response.text, PHONE)
    assert laid_out["width"] == PHONE, laid_out
    assert (laid_out["scroll_width"], laid_out["past"]) == (PHONE, []), (path, laid_out)


def test_the_layout_is_measured_at_a_phone_width() -> None:
    """A window of 375 is laid out at 500 by headless Chromium: a page measured that way
    says nothing of a phone. The iframe is the phone's width, and a wide line shows."""
    wide = '<!doctype html><html><body><p style="width:600px">宽</p></body></html>'
    laid_out = browser.narrow_layout(wide, PHONE)
    assert laid_out["width"] == PHONE
    assert laid_out["scroll_width"] > PHONE and [p["tag"] for p in laid_out["past"]] == ["p"]


def test_every_public_page_fits_a_phone(scored: Scored) -> None:
    for path, status in _pages(scored).items():
        _fits(scored, path, status)


def test_a_withdrawn_round_s_pages_fit_a_phone(scored: Scored) -> None:
    response = scored.reporting.post(
        scored.path("/rounds/1/withdrawals"), json={"reason": REASON}, headers=scored.office
    )
    assert response.status_code == 201, response.text
    scored.cluster.wait_caught_up("reporting", "reporting")
    for path, status in _pages(scored).items():
        _fits(scored, path, 410 if status == 200 and path != "/public/pages" else status)
