"""What a voter reads of a public wave (services/survey/api/public.py): whether a vote is
taken now, by the window as well as by the office's close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave
from tests.survey.voter_codes import api_code_for

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def _voting_wave(cluster: Cluster, world: World, opens_at: datetime, closes_at: datetime) -> str:
    wave = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        channels=["online"],
        opens_at=opens_at.isoformat(),
        closes_at=closes_at.isoformat(),
    )
    wave_id: str = wave["wave_id"]
    return wave_id


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "status", "vote_error"),
    [
        (NOW - DAY, NOW + DAY, "open", None),
        (NOW - 2 * DAY, NOW - DAY, "closed", "wave_closed"),
        (NOW + DAY, NOW + 2 * DAY, "not_open_yet", "not_open_yet"),
    ],
)
def test_a_public_waves_status_says_whether_a_vote_is_taken_now(
    cluster: Cluster,
    world: World,
    opens_at: datetime,
    closes_at: datetime,
    status: str,
    vote_error: str | None,
) -> None:
    # The wave itself stays `open` until the office closes it; a voter reading `open`
    # after the window ended was then refused `wave_closed` on every vote.
    survey = cluster["survey"]
    wave_id = _voting_wave(cluster, world, opens_at, closes_at)
    seen = survey.get(f"/public/waves/{wave_id}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == status
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    if vote_error is None:
        vote["code"] = api_code_for(cluster, wave_id, "13800138000")
    voted = survey.post(f"/public/waves/{wave_id}/votes", json=vote)
    if vote_error is None:
        assert voted.status_code == 201, voted.text
    else:
        assert voted.status_code == 409 and voted.json()["error"] == vote_error


def test_a_public_wave_closed_by_its_office_reads_closed_within_its_window(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = _voting_wave(cluster, world, NOW - DAY, NOW + DAY)
    closed = survey.post(
        f"/waves/{wave_id}/close",
        json={"reason": "评议结束"},
        headers=world.county_office.headers,
    )
    assert closed.status_code == 200, closed.text
    assert survey.get(f"/public/waves/{wave_id}").json()["status"] == "closed"
