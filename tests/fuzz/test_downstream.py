"""After every other fuzz test of the package (tests/fuzz/conftest.py orders this last):
whatever the fuzzed requests managed to store — hostile strings, odd uploads, generated
commands — every consumer of every service applied it. Each (view, upstream) consumer is at
its upstream's head, none stalled, each service's /positions says the same, and each service
still reports ready. Nothing is stuck downstream.

test_openapi.py runs in a process of its own when the suite is spread over processes (it is
half the package), on a cluster of its own: it ends with this same check."""

from __future__ import annotations

from tests.fuzz.downstream import assert_nothing_stuck_downstream
from tests.fuzz.seed import Fuzzed


def test_every_consumer_is_at_its_upstreams_head(fuzzed: Fuzzed) -> None:
    assert_nothing_stuck_downstream(fuzzed)
