"""Every link of the public pages stays on the site the reader is on, whatever `Host` the
request names: a client chooses that header (a proxy, a cache, a link in a mail), so a link
built from it (`http://evil.example/public/pages?…`) would send the next reader elsewhere.
Two published rounds (1 and 2 of the helpers' campaign), the index paged one a page."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import SERVICES, Scored, published_round

FORGED = {"Host": "evil.example"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("href", "src", "action"):
            if found.get(name) is not None:
                self.links.append((str(found[name]), found.get("rel")))


def _links(html: str) -> list[tuple[str, str | None]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _relative(html: str) -> list[tuple[str, str | None]]:
    """The page's links, each checked to stay on the site."""
    assert "evil.example" not in html
    links = _links(html)
    for href, _ in links:
        assert "://" not in href and not href.startswith("//"), href
        assert href.startswith(("/", "?", "#")), href
    return links


@pytest.fixture(scope="module")
def story() -> Iterator[Scored]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, _ = published_round(cluster)
        second = cluster["scoring"].post(
            f"/campaigns/{scored.rnd.campaign_id}/rounds/2/score-runs",
            json={"final": True, "reason": "下半年结果"},
            headers=scored.office,
        )
        assert second.status_code in (200, 201), second.text
        cluster.wait_caught_up("reporting", "scoring")
        published = scored.reporting.post(
            scored.path("/rounds/2/publications"),
            json={"run_id": second.json()["run_id"]},
            headers=scored.office,
        )
        assert published.status_code == 201, published.text
        cluster.wait_caught_up("reporting", "reporting")
        yield scored


def test_the_index_links_its_next_page_relatively_whatever_the_host(story: Scored) -> None:
    first = story.reporting.get("/public/pages?limit=1", headers=FORGED)
    assert first.status_code == 200, first.text
    links = _relative(first.text)
    following = [href for href, rel in links if rel == "next"]
    assert len(following) == 1 and following[0].startswith("?limit=1&cursor="), following
    # The same page with the next cursor, as the JSON list's Link header names it.
    listed = story.reporting.get("/public/results?limit=1", headers=FORGED)
    assert listed.headers["Link"].startswith("</public/results?limit=1&cursor=")
    second = story.reporting.get("/public/pages" + unescape(following[0]), headers=FORGED)
    assert second.status_code == 200, second.text
    rounds = {
        href.rsplit("/", 1)[-1]
        for page in (first.text, second.text)
        for href, _ in _relative(page)
        if "/rounds/" in href
    }
    assert rounds == {"1", "2"}
    assert not [href for href, rel in _relative(second.text) if rel == "next"]


def test_every_link_of_the_public_pages_stays_on_the_site(story: Scored) -> None:
    campaign, unit = story.rnd.campaign_id, story.rnd.world.unit_ids[0]
    county = story.rnd.world.county_id
    for path in (
        f"/public/pages/campaigns/{campaign}/rounds/1",
        f"/public/pages/campaigns/{campaign}/rounds/1?version=1",
        f"/public/pages/campaigns/{campaign}/units/{unit}",
        f"/public/pages/summaries/jurisdictions/{county}/campaigns/{campaign}/rounds/1",
    ):
        page = story.reporting.get(path, headers=FORGED)
        assert page.status_code == 200, (path, page.text)
        assert _relative(page.text), path
