"""What a cache between reporting and its readers may keep (shared/web/cache_control.py),
behind the real services (memory mode): an office's answers, embargoed results among them,
are never stored by a shared cache; the public's are kept only if checked each time, since
a correction puts another version in force at the same URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import SERVICES, Scored, published_round


@pytest.fixture(scope="module")
def story() -> Iterator[Scored]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, _ = published_round(cluster)
        yield scored


def test_an_offices_answers_are_kept_by_no_shared_cache(story: Scored) -> None:
    # The same URL a guessing reader would ask for: X-API-Key is no credential to a cache.
    for path in ("/rounds/1/results", "/rounds/1/results.pdf", "/rounds/1/publications"):
        answer = story.reporting.get(story.path(path), headers=story.office)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "private, no-store", path


@pytest.mark.parametrize(
    "path",
    [
        "/public/results",
        "/public/pages",
        "/public{round}",
        "/public{round}/snapshot",
        "/public{round}/results.csv",
        "/public{round}/results.pdf",
        "/public{round}/charts/ranking.svg",
        "/public/pages{round}",
    ],
)
def test_the_publics_answers_are_checked_again_before_any_cache_reuses_them(
    story: Scored, path: str
) -> None:
    answer = story.reporting.get(path.format(round=story.path("/rounds/1")))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-cache"
