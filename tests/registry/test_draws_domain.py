"""The draw algorithm and the commit → freeze → reveal order, without storage."""

from __future__ import annotations

import hashlib
from uuid import uuid4

import pytest

from services.registry.domain.draws import (
    Draw,
    DrawConflict,
    InvalidDraw,
    PoolLedger,
    commitment_of,
    run_draw,
)
from services.registry.domain.jurisdictions import Jurisdiction
from services.registry.domain.people import AppointingBody, Person
from tests.registry.people_helpers import COMMITMENT, SECTORS, SEED


def pool(size: int) -> dict[str, str]:
    return {str(uuid4()): SECTORS[i % len(SECTORS)] for i in range(size)}


def test_the_key_is_sha256_of_seed_colon_id_and_the_smallest_keys_win() -> None:
    people = pool(50)
    expected = sorted(people, key=lambda p: hashlib.sha256(f"{SEED}:{p}".encode()).hexdigest())[:7]
    assert run_draw(SEED, people, 7, {}) == expected


def test_the_draw_is_deterministic_and_depends_on_the_seed() -> None:
    people = pool(300)
    first = run_draw(SEED, people, 20, {})
    assert run_draw(SEED, dict(reversed(list(people.items()))), 20, {}) == first
    assert run_draw(SEED + "x", people, 20, {}) != first
    assert len(set(first)) == 20


def test_stratified_draws_fill_each_quota_in_the_fixed_sector_order() -> None:
    people = pool(600)
    quotas = {"npc_deputy": 3, "service_user": 5, "community_cadre": 2}
    chosen = run_draw(SEED, people, 10, quotas)
    assert [people[p] for p in chosen] == ["service_user"] * 5 + ["npc_deputy"] * 3 + [
        "community_cadre"
    ] * 2
    # Within a stratum: the smallest keys among that sector only.
    cadres = [p for p, s in people.items() if s == "community_cadre"]
    assert chosen[-2:] == run_draw(SEED, dict.fromkeys(cadres, "community_cadre"), 2, {})


def test_a_quota_bigger_than_its_stratum_names_the_sector() -> None:
    with pytest.raises(InvalidDraw) as raised:
        run_draw(SEED, pool(12), 3, {"npc_deputy": 3})
    assert raised.value.field == "quotas.npc_deputy"
    with pytest.raises(InvalidDraw) as too_big:
        run_draw(SEED, pool(12), 13, {})
    assert too_big.value.field == "size"


@pytest.mark.parametrize(
    ("quotas", "field"),
    [
        ({"npc_deputy": 5}, "quotas"),
        ({"路人": 10}, "quotas.路人"),
        ({"npc_deputy": 0, "service_user": 10}, "quotas.npc_deputy"),
        ({"npc_deputy": 5, "人大代表": 5}, "quotas.人大代表"),
    ],
)
def test_quotas_are_checked_when_the_draw_is_committed(quotas: dict[str, int], field: str) -> None:
    with pytest.raises(Exception) as raised:
        Draw.commit(uuid4(), None, "2026", "general", 10, quotas, COMMITMENT, "office:x")
    assert getattr(raised.value, "field", None) == field


def test_a_commitment_must_look_like_sha256() -> None:
    with pytest.raises(InvalidDraw) as raised:
        Draw.commit(uuid4(), None, "2026", "general", 10, None, "not-a-hash", "office:x")
    assert raised.value.field == "commitment"


def test_commit_freeze_reveal_in_that_order_only() -> None:
    draw = Draw.commit(uuid4(), None, "2026-2027", "general", 3, None, COMMITMENT, "office:x")
    with pytest.raises(DrawConflict):
        draw.reveal(SEED, [], 1, "office:x")
    members = pool(10)
    draw.freeze(members, 5, "office:x")
    with pytest.raises(DrawConflict):
        draw.freeze(members, 6, "office:x")
    with pytest.raises(InvalidDraw) as wrong:
        draw.reveal("a-different-seed-of-length", [], 7, "office:x")
    assert wrong.value.field == "seed"
    excluded = sorted(members)[0]
    draw.reveal(SEED, [excluded], 7, "office:x")
    assert commitment_of(SEED) == draw.commitment
    assert draw.chosen == run_draw(SEED, {p: s for p, s in members.items() if p != excluded}, 3, {})
    assert excluded not in draw.chosen and draw.excluded == [excluded]
    with pytest.raises(DrawConflict):
        draw.reveal(SEED, [], 8, "office:x")


def test_a_pool_the_quotas_cannot_be_drawn_from_is_refused_at_freeze() -> None:
    draw = Draw.commit(uuid4(), None, "2026", "general", 4, {"人大代表": 4}, COMMITMENT, "o:x")
    with pytest.raises(InvalidDraw) as raised:
        draw.freeze(pool(12), 3, "o:x")
    assert raised.value.field == "quotas.npc_deputy"
    assert draw.status == "committed"


def test_the_ledger_knows_who_was_eligible_at_each_position() -> None:
    city = Jurisdiction("武汉市", "city", None, "admin:x")
    zone = Jurisdiction("开发区", "zone", city.id, "admin:x")
    elsewhere = Jurisdiction("汉阳区", "district", None, "admin:x")
    inside = Person.register(zone.id, "甲", "人大代表", "o:x")
    outside = Person.register(elsewhere.id, "乙", "人大代表", "o:x")
    later = Person.register(zone.id, "丙", "服务对象", "o:x")
    other_purpose = Person.register(zone.id, "丁", "服务对象", "o:x")
    body = AppointingBody("office", zone.id)
    inside.appoint(body, "2026", "general", "o:x")
    outside.appoint(body, "2026", "general", "o:x")
    other_purpose.appoint(body, "2026", "school_special", "o:x")
    ledger = PoolLedger()
    events = [
        *city.collect_events(),
        *zone.collect_events(),
        *elsewhere.collect_events(),
        *inside.collect_events(),
        *outside.collect_events(),
        *other_purpose.collect_events(),
    ]
    for position, domain_event in enumerate(events, start=1):
        ledger.observe(position, domain_event)
    now = len(events)
    assert ledger.eligible(city.id, "2026", "general", now) == {str(inside.id): "npc_deputy"}
    later.appoint(body, "2026", "general", "o:x")
    inside.disqualify("违纪", "o:x")
    for offset, domain_event in enumerate(
        [*later.collect_events(), *inside.collect_events()], start=now + 1
    ):
        ledger.observe(offset, domain_event)
    assert ledger.eligible(city.id, "2026", "general", now) == {str(inside.id): "npc_deputy"}
    assert ledger.eligible(city.id, "2026", "general", now + 3) == {str(later.id): "service_user"}
    assert ledger.disqualified_between([str(inside.id)], now, now + 3) == [str(inside.id)]
    assert ledger.disqualified_between([str(inside.id)], now + 3, now + 9) == []
