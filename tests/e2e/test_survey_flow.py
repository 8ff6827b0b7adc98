"""End to end in embedded mode (`pingyi up` as one process): online public voting allows one
vote per person per unit per campaign round, and a questionnaire the wave's integrity rules
put in quarantine is not scored until an office releases it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e import thin_path
from tests.e2e.processes import Api
from tests.e2e.test_embedded import _up

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, Any]]]:
    """One `pingyi up` for the module, with the thin path's campaign registered."""
    workdir = tmp_path_factory.mktemp("survey-flow")
    proc, urls = _up(workdir / "data", workdir / "up.log")
    try:
        api = Api(urls)
        yield api, thin_path.register(api)
    finally:
        assert proc.stop() == 0, proc.output()[-3000:]


def test_a_second_vote_from_the_same_phone_number_is_refused(
    system: tuple[Api, dict[str, Any]],
) -> None:
    api, ctx = system
    api.wait_caught_up("survey", "registry")
    now = datetime.now(UTC)
    units = [u["unit_id"] for u in ctx["units"][:3]]
    wave = api.call(
        "survey",
        "POST",
        "/waves",
        key=ctx["office"]["api_key"],
        json={
            "name": "2026年上半年网上公开评议",
            "kind": "online_public_voting",
            "voter_check": "none",  # codes: tests/survey/test_voter_codes.py
            "jurisdiction_id": ctx["city"]["jurisdiction_id"],
            "campaign_id": ctx["campaign"]["campaign_id"],
            "round": 1,
            "unit_ids": units,
            "agency_id": ctx["agency"]["principal_id"],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
        },
    )
    assert wave["public"] is True
    public = f"{api.urls['survey']}/public/waves/{wave['wave_id']}"
    with httpx.Client(timeout=30) as anyone:  # no API key: the public
        shown = anyone.get(public)
        assert shown.status_code == 200, shown.text
        assert {u["unit_id"] for u in shown.json()["units"]} == set(units)
        assert shown.json()["answers"] == list(thin_path.RATINGS)

        first = anyone.post(
            f"{public}/votes",
            json={"voter": "13800138000", "ratings": {units[0]: "满意", units[1]: "基本满意"}},
        )
        assert first.status_code == 201, first.text
        assert first.json()["units"] == 2

        # The same number written another way, voting again on one of the same units.
        again = anyone.post(
            f"{public}/votes",
            json={"voter": "+86 138-0013-8000", "ratings": {units[1]: "不满意"}},
        )
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "already_voted"

        other = anyone.post(
            f"{public}/votes", json={"voter": "13900139000", "ratings": {units[1]: "不满意"}}
        )
        assert other.status_code == 201, other.text

    progress = thin_path.progress(api, ctx, wave["wave_id"], 2)
    assert progress["total"]["collected"] == 2


def _expected(items: list[dict[str, Any]], units: list[dict[str, Any]]) -> dict[str, Any]:
    counts = thin_path.expected_counts(items)
    return {u["unit_id"]: {r: counts[u["unit_id"]][r] for r in thin_path.RATINGS} for u in units}


def _counted_now(api: Api, ctx: dict[str, Any]) -> dict[str, dict[str, int]]:
    """What round 1 counts as it stands (scoring's standings: nothing stored)."""
    return thin_path.unit_counts(thin_path.standings(api, ctx)["results"])


def test_a_quarantined_questionnaire_counts_only_once_released(
    system: tuple[Api, dict[str, Any]],
) -> None:
    api, ctx = system
    office = ctx["office"]["api_key"]
    wave = thin_path.open_wave(
        api,
        ctx,
        name="2026年上半年问卷测评(防刷票)",
        integrity={"burst_size": 3, "burst_seconds": 60},
    )
    wave_id = wave["wave_id"]
    assert wave["integrity"]["burst_size"] == 3
    honest = thin_path.questionnaires(ctx["units"], 40, seed=21)
    thin_path.push(api, ctx, wave_id, honest, key_prefix="honest")

    # Three identical questionnaires from one point within the same minute: the third is a
    # burst and goes to quarantine.
    at = thin_path.ROUND_ONE_START + timedelta(days=1)
    same = {
        "survey_point": thin_path.POINTS[0],
        "channel": "survey_point",
        "group": "public",
        "ratings": {u["unit_id"]: "满意" for u in ctx["units"]},
    }
    burst = [
        same
        | {"questionnaire_id": f"B-{n}", "collected_at": (at + timedelta(seconds=n)).isoformat()}
        for n in range(1, 4)
    ]
    pushed = api.call(
        "survey",
        "POST",
        f"/waves/{wave_id}/questionnaires:batch",
        key=ctx["agency"]["api_key"],
        json={"questionnaires": burst},
    )
    assert (pushed["accepted"], pushed["quarantined"]) == (3, 1), pushed
    assert pushed["quarantined_questionnaire_ids"] == ["B-3"]

    # Scoring does not count it...
    assert _counted_now(api, ctx) == _expected(honest + burst[:2], ctx["units"])

    # ... while it waits in the quarantine list for an office's review ...
    quarantined: list[dict[str, Any]] = []

    def listed() -> bool:
        quarantined[:] = api.call(
            "survey",
            "GET",
            f"/waves/{wave_id}/questionnaires",
            key=office,
            params={"status": "quarantined"},
        )
        return bool(quarantined)

    thin_path.wait_until(listed, "the quarantine list shows the burst")
    assert [q["questionnaire_id"] for q in quarantined] == ["B-3"]
    assert [f["code"] for f in quarantined[0]["flags"]] == ["burst"]
    progress = thin_path.progress(api, ctx, wave_id, len(honest) + 3)
    assert Counter(progress["by_status"]) == Counter(counted=len(honest) + 2, quarantined=1)

    # ... and counts once released.
    review = api.call(
        "survey",
        "POST",
        f"/waves/{wave_id}/quarantine:review",
        key=office,
        json={
            "response_ids": [quarantined[0]["response_id"]],
            "decision": "release",
            "reason": "经核实为正常集中测评",
        },
    )
    assert review["decision"] == "release"
    assert _counted_now(api, ctx) == _expected(honest + burst, ctx["units"])

    rankings = thin_path.close_and_rank(api, ctx, wave_id)
    thin_path.assert_rankings_match(rankings, honest + burst, ctx["units"])
