"""A number in a wave request's body is a JSON number: `true` or `"5"` where a whole number
is wanted is a 422 naming the field, never read as 1 or 5 (`{"quota": true}` set a quota of
1). Query parameters are not bodies: they arrive as text and stay as they were."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, wave_body

BAD = [True, "5"]
# Each numeric field of a wave's body: where it goes, the place a refusal names.
WAVE_FIELDS = [
    ("round", ("round",)),
    ("template_version", ("template_version",)),
    ("points.0.target", ("points", 0, "target")),
    ("points.0.quota", ("points", 0, "quota")),
    ("groups.0.target_percent", ("groups", 0, "target_percent")),
    ("agencies.0.quota", ("agencies", 0, "quota")),
    *(
        (f"integrity.{name}", ("integrity", name))
        for name in (
            "burst_seconds",
            "burst_size",
            "straight_lining_min_units",
            "point_departure_percent",
            "point_departure_min_sample",
        )
    ),
]


def _full(world: World) -> dict[str, Any]:
    """A wave's body with every numeric field but those of a campaign, as numbers."""
    return wave_body(
        world,
        agency_id=None,
        points=[
            {
                "code": "WY-01",
                "name": "舞阳县政务服务中心",
                "jurisdiction_id": world.county_id,
                "target": 5,
                "quota": 5,
            }
        ],
        groups=[{"code": "public", "name": "群众", "target_percent": 100}],
        agencies=[{"agency_id": world.agency.principal_id, "quota": 5}],
        integrity={
            "burst_seconds": 5,
            "burst_size": 5,
            "straight_lining_min_units": 5,
            "point_departure_percent": 5,
            "point_departure_min_sample": 5,
        },
    )


def _with(body: Any, place: tuple[str | int, ...], value: Any) -> Any:
    """A copy of `body` (an object or a list) with `value` at `place`."""
    head, rest = place[0], place[1:]
    copy = list(body) if isinstance(head, int) else dict(body)
    copy[head] = value if not rest else _with(body[head], rest, value)
    return copy


def _refused(answer: Any, field: str) -> None:
    assert answer.status_code == 422, answer.text
    assert [d["field"] for d in answer.json()["detail"]] == [f"body.{field}"], answer.text


@pytest.mark.parametrize("value", BAD, ids=repr)
def test_a_waves_numbers_are_json_numbers(cluster: Cluster, world: World, value: Any) -> None:
    survey, office = cluster["survey"], world.county_office.headers
    full = _full(world)
    for field, place in WAVE_FIELDS:
        _refused(survey.post("/waves", json=_with(full, place, value), headers=office), field)
    wave_id = open_wave(cluster, world, **{k: v for k, v in full.items() if k != "name"})["wave_id"]

    quota = {"agency_id": world.agency.principal_id, "reason": "调整配额"}
    _refused(
        survey.post(
            f"/waves/{wave_id}/agencies:quota", json=quota | {"quota": value}, headers=office
        ),
        "quota",
    )
    accredit = {"agency_id": world.other_agency.principal_id, "quota": value}
    _refused(survey.post(f"/waves/{wave_id}/agencies", json=accredit, headers=office), "quota")
    # As numbers, the same requests are taken.
    changed = survey.post(
        f"/waves/{wave_id}/agencies:quota", json=quota | {"quota": 6}, headers=office
    )
    assert created(changed)["agencies"][0]["quota"] == 6
