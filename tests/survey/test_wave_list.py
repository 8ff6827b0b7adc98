"""GET /waves pages in SQL: walking it with a small limit gives exactly the one-page list,
by name, for every kind of caller (an agency by the waves it was contracted for, everyone
else by jurisdiction subtree); a bad cursor is a 422 naming `query.cursor`."""

from __future__ import annotations

import pytest

from shared.text_order import pinyin_key
from tests.harness import ADMIN, Cluster
from tests.pages import assert_bad_cursor, assert_pages_match
from tests.survey.helpers import open_wave, seed_world

# The cluster (tests/survey/conftest.py) on SQLite files: the pages are read in SQL.
pytestmark = pytest.mark.parametrize("common", ["embedded"], indirect=True)


def test_waves_page_by_name_within_each_callers_scope(cluster: Cluster) -> None:
    world = seed_world(cluster)
    other = {"jurisdiction_id": world.other_county_id, "unit_ids": [world.other_county_unit_id]}
    opened = [
        ("丙批次", world.county_office, {}),
        ("甲批次", world.county_office, {"agency_id": world.other_agency.principal_id}),
        ("乙批次", world.other_county_office, other),
        (
            "丁批次",
            world.other_county_office,
            other | {"agency_id": world.other_agency.principal_id},
        ),
        ("甲批次", world.city_office, {}),
    ]
    for name, office, overrides in opened:
        open_wave(cluster, world, office.headers, name=name, **overrides)
    cluster.wait_caught_up("survey", "survey")
    client = cluster["survey"]
    everything = assert_pages_match(client, "/waves", ADMIN)
    # Names in dictionary (pinyin) order (丙 bǐng, 丁 dīng, 甲 jiǎ…), then by id.
    assert [(w["name"], w["wave_id"]) for w in everything] == sorted(
        ((w["name"], w["wave_id"]) for w in everything),
        key=lambda pair: (pinyin_key(pair[0]), pair[1]),
    )
    assert len(everything) == 5
    county = [w for w in everything if w["jurisdiction_id"] == world.county_id]
    expected = [
        (world.auditor, everything),
        (world.city_office, everything),
        (world.county_office, county),
        (world.other_county_office, [w for w in everything if w not in county]),
        (world.agency, [w for w in everything if w["agency_id"] == world.agency.principal_id]),
        (
            world.other_agency,
            [w for w in everything if w["agency_id"] == world.other_agency.principal_id],
        ),
    ]
    for caller, waves in expected:
        for limit in (1, 2):
            assert assert_pages_match(client, "/waves", caller.headers, limit=limit) == waves
    assert_bad_cursor(client, "/waves", ADMIN)
