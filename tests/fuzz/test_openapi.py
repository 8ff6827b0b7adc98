"""Bad input never gets a 500: every operation of every service, driven from its own OpenAPI
spec, answers < 500, and every 4xx is the shared error body naming field and reason.

The tests run in this order on one seeded cluster (tests/fuzz/conftest.py): boundary cases,
generated cases, random path parameters. After every fuzz test of the package,
tests/fuzz/test_downstream.py checks that nothing they stored stalled a consumer.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzz.checks import send
from tests.fuzz.deepen import deepen
from tests.fuzz.downstream import assert_nothing_stuck_downstream
from tests.fuzz.operations import (
    FUZZ_SETTINGS,
    IDS,
    OPERATIONS,
    TEMPLATED,
    TEMPLATED_IDS,
    Operation,
    boundary_cases,
)
from tests.fuzz.seed import Fuzzed

# Path segments that have broken routers and id parsers elsewhere.
AWKWARD_SEGMENTS = ["0", "-1", "null", "undefined", "..", ".", "%", "%00", " ", "评议", "a" * 300]
pytestmark = pytest.mark.filterwarnings(
    # Raised by schemathesis' own strategies, not by anything these tests do.
    "ignore:Do not use the `random` module inside strategies"
)


@pytest.mark.parametrize(("service", "operation"), OPERATIONS, ids=IDS)
def test_boundary_cases(fuzzed: Fuzzed, service: str, operation: Operation) -> None:
    client = fuzzed.cluster[service]
    failures = []
    sent = 0
    for case in boundary_cases(operation):
        sent += 1
        try:
            send(client, case)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
    assert sent > 0


@pytest.mark.parametrize(("service", "operation"), OPERATIONS, ids=IDS)
@FUZZ_SETTINGS
@given(data=st.data())
def test_generated_cases(
    fuzzed: Fuzzed, service: str, operation: Operation, data: st.DataObject
) -> None:
    mode = data.draw(st.sampled_from(list(GenerationMode)), label="mode")
    case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
    deepen(case, data, fuzzed.seeded)
    send(fuzzed.cluster[service], case)


@pytest.mark.parametrize(("service", "operation"), TEMPLATED, ids=TEMPLATED_IDS)
@FUZZ_SETTINGS
@given(data=st.data())
def test_random_path_parameters(
    fuzzed: Fuzzed, service: str, operation: Operation, data: st.DataObject
) -> None:
    """Random UUIDs, random text and awkward segments in every path parameter, with an
    otherwise valid request, so the path is the only thing wrong (or, for a UUID, unknown)."""
    values = {
        param.name: data.draw(_path_value(fuzzed, param.name), label=param.name)
        for param in operation.path_parameters
    }
    strategy = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=values)
    send(fuzzed.cluster[service], data.draw(strategy, label="case"))


def _path_value(fuzzed: Fuzzed, name: str) -> st.SearchStrategy[str]:
    choices = [
        st.uuids().map(str),
        st.text(min_size=1, max_size=60),
        st.sampled_from(AWKWARD_SEGMENTS),
    ]
    existing = fuzzed.seeded.pool(name)
    if existing:
        choices.append(st.sampled_from(existing))
    return st.one_of(choices)


def test_nothing_the_generated_cases_stored_is_stuck_downstream(fuzzed: Fuzzed) -> None:
    """Last in this file: the cases above, on whichever cluster ran them, left every consumer
    at its upstream's head (as test_downstream.py checks after the whole package)."""
    assert_nothing_stuck_downstream(fuzzed)
