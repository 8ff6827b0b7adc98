"""A scope refusal speaks the API's words: every scope kind any route declares (or any
service registers a resolver for) is refused, by every rule and for every role, with a
reason that names no internal identifier (`wave_points`, `progress_wave`, `round_run`…),
which an agency once read back as "only the agency keys this wave_points names…"."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from pingyi.catalog import every_service
from pingyi.policies import route_policies
from shared.policy import KERNEL_RESOLVERS, PARTICIPANTS, ScopeTarget
from shared.policy.checks import why_outside
from shared.policy.words import KERNEL_NOUNS, noun
from shared.principals import Principal

IDENTIFIER = re.compile(r"\w+_\w+")
"""An underscore name: a scope kind, a field, a role's code — never a word of a reason."""


def _declared_kinds() -> set[str]:
    routes = {scope["kind"] for route in route_policies() for scope in route.policy["scopes"]}
    resolvers = {kind for service in every_service() for kind in service.resolvers}
    return routes | resolvers | set(KERNEL_RESOLVERS)


DECLARED = sorted(_declared_kinds())
SCOPE_NOUNS = {
    kind: noun(kind, s.scope_nouns) for s in every_service() for kind in s.scope_nouns
} | {kind: noun(kind, {}) for kind in KERNEL_NOUNS}
"""Every kind a service or the kernel names, with what it is called."""


def _service_named(kind: str) -> str:
    return SCOPE_NOUNS.get(kind, noun(kind, {}))


def test_the_walk_finds_the_kinds_the_qa_pass_met() -> None:
    assert {"wave", "wave_points", "progress_wave", "round_run", "unit_ever"} <= set(DECLARED)


@pytest.mark.parametrize("kind", DECLARED)
def test_every_declared_kind_has_a_plain_name(kind: str) -> None:
    assert kind in SCOPE_NOUNS, f"scope kind {kind!r} has no name in shared.policy.words"
    assert IDENTIFIER.search(SCOPE_NOUNS[kind]) is None


def _caller(role: str, *, own_unit: bool) -> Principal:
    unit = uuid4() if own_unit else None
    return Principal(uuid4(), "某调查公司", role, uuid4(), unit)  # type: ignore[arg-type]


def _targets(role: str) -> list[ScopeTarget]:
    """A target each rule of `in_scope` refuses by: one unit's, one naming its parties of
    `role`, one in another jurisdiction."""
    elsewhere = str(uuid4())
    return [
        ScopeTarget(elsewhere, unit_id=str(uuid4())),
        ScopeTarget(elsewhere, {role: frozenset({str(uuid4())})}),
        ScopeTarget(elsewhere),
    ]


@pytest.mark.parametrize("kind", DECLARED)
def test_every_refusal_of_every_kind_is_in_words(kind: str) -> None:
    reasons = {
        why_outside(_caller(role, own_unit=named), target, _service_named(kind))
        for role in PARTICIPANTS
        for named in (True, False)
        for target in _targets(role)
    }
    for reason in reasons:
        assert IDENTIFIER.search(reason) is None, (kind, reason)


def test_an_agency_outside_a_wave_is_told_by_whom_in_words() -> None:
    agency = _caller("agency", own_unit=False)
    target = ScopeTarget(str(uuid4()), {"agency": frozenset({str(uuid4())})})
    for kind in ("wave", "wave_points", "progress_wave"):
        assert (
            why_outside(agency, target, _service_named(kind))
            == "只有获准承担此测评批次的测评机构可以操作 "
            "(only the agencies accredited to this survey wave may act on it)"
        )
