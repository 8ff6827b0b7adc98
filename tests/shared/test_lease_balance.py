"""Leases spread over the live replicas of a service (`shared.service.leases`, "Balance"):
a replica that starts gets its fair share, one that stops hands its leases on, nothing
moves once the share is fair, and a member that takes nothing leaves no lease unheld.
Replicas as in tests/shared/lease_replicas.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shared.service.leases import surplus, takes_at_once
from tests.shared.lease_replicas import KEYS, Replica, fair, holders, rounds_later, until


@pytest.fixture
def replicas(database_url: str) -> Iterator[Callable[..., Replica]]:
    started: list[Replica] = []

    def start(**kwargs: object) -> Replica:
        replica = Replica(database_url, **kwargs).start()  # type: ignore[arg-type]
        started.append(replica)
        return replica

    yield start
    for replica in started:
        replica.stop()


@pytest.mark.infra
def test_leases_spread_over_the_replicas_as_they_come_and_go(
    database_url: str, replicas: Callable[..., Replica]
) -> None:
    first = replicas()
    until(lambda: first.held() == KEYS, "one replica alone does not hold every lease")

    second = replicas()
    until(lambda: fair(database_url, [first, second]), "the second replica got no share")
    assert first.leases.given_up == 5  # exactly what was beyond its share, given up once
    assert second.leases.given_up == 0
    # What the first gave up reads as handed over (its consumers log it calmly), not lost.
    handed = {key for key in KEYS if first.leases.handed_over(key)}
    assert handed == second.held() and not any(second.leases.handed_over(k) for k in KEYS)

    third = replicas()
    until(lambda: fair(database_url, [first, second, third]), "the third got no share")
    # Nothing moves any more: many more looks at the balance (each longer than it takes a
    # surplus to settle) give nothing up, and no lease is held twice.
    given_up = [r.leases.given_up for r in (first, second, third)]
    before = holders(database_url)
    rounds_later([first, second, third], 3 * 10)
    assert [r.leases.given_up for r in (first, second, third)] == given_up
    assert holders(database_url) == before
    held = [r.held() for r in (first, second, third)]
    assert all(a.isdisjoint(b) for i, a in enumerate(held) for b in held[i + 1 :])

    second.stop()  # its session ends: its leases are free, and it is no member any more
    until(lambda: fair(database_url, [first, third]), "the leaver's share was not taken")
    assert first.held().isdisjoint(third.held())


@pytest.mark.infra
def test_a_member_that_takes_nothing_leaves_no_lease_unheld(
    database_url: str, replicas: Callable[..., Replica]
) -> None:
    """A process registered as a member that never takes (stuck before its consumers
    start): what the holder gave up for it is taken back once free for the grace."""
    holder = replicas(grace_seconds=0.5)
    until(lambda: holder.held() == KEYS, "one replica alone does not hold every lease")
    idle = replicas(work=False)
    until(lambda: holder.leases.given_up >= 5, "the holder gave nothing up for the newcomer")
    until(lambda: holder.held() == KEYS, "leases given up stayed unheld")
    assert idle.held() == set()


# --- the arithmetic of the share ----------------------------------------------------------


def test_a_surplus_is_what_lies_beyond_the_share_and_room_for_one_below_it() -> None:
    # One replica held everything; a second came.
    assert surplus(1, {1: 10, 2: 0}, 10) == 5
    assert surplus(2, {1: 10, 2: 0}, 10) == 0
    # Two held five each; a third came: it needs three, the free ones give it two, so the
    # first of the fullest (by pid) gives one more.
    assert [surplus(pid, {1: 5, 2: 5, 3: 0}, 10) for pid in (1, 2, 3)] == [2, 1, 0]
    # Four leases over three: 2, 2, 0 would leave the newcomer nothing.
    assert [surplus(pid, {1: 2, 2: 2, 3: 0}, 4) for pid in (1, 2, 3)] == [1, 0, 0]
    # Fair already (and with leases free, the one below takes them): nothing moves.
    assert [surplus(pid, {1: 4, 2: 3, 3: 3}, 10) for pid in (1, 2, 3)] == [0, 0, 0]
    assert [surplus(pid, {1: 4, 2: 3}, 10) for pid in (1, 2)] == [0, 0]
    assert surplus(1, {1: 10}, 10) == 0


def test_a_free_lease_goes_at_once_to_the_member_that_needs_it_most() -> None:
    assert takes_at_once(0, {}, 10)  # alone: everything
    assert takes_at_once(0, {1: 10}, 10)  # below its share
    assert not takes_at_once(5, {1: 5}, 10)  # at its share
    assert takes_at_once(3, {1: 4, 2: 3}, 10)  # below the most, no fewer than the others
    assert not takes_at_once(3, {1: 4, 2: 0}, 10)  # another needs it more
    assert not takes_at_once(4, {1: 3, 2: 3}, 10)  # at the most already
