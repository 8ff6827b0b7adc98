"""The published matrix (docs/authorization.md, written by `pingyi policies`) quotes each
403 as the API words it: Chinese first, the English after it. It once quoted the English
alone (`outside your jurisdiction`) after every refusal had become Chinese first. The
reasons here are the ones the kernel's checks raise, for callers each rule refuses."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from pingyi.catalog import definition
from shared.errors import ForbiddenError, PingyiError
from shared.policy import Policy, ScopeTarget
from shared.policy.checks import check_role, scope_refusal, why_outside
from shared.policy.model import body
from shared.policy.words import noun
from shared.principals import Principal
from tests.conftest import in_memory
from tests.e2e.processes import ROOT
from tests.harness import Cluster

PUBLISHED = ROOT / "docs" / "authorization.md"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
QUOTED = re.compile(r"`([^`]*)`")


def _caller(role: str, *, own_unit: bool = False) -> Principal:
    unit = uuid4() if own_unit else None
    return Principal(uuid4(), "某县纠风办", role, uuid4(), unit)  # type: ignore[arg-type]


def _role_refusal(policy: Policy, role: str) -> str:
    with pytest.raises(ForbiddenError) as refused:
        check_role(policy, _caller(role))
    return refused.value.reason


def _scope_refusals() -> list[str]:
    elsewhere = str(uuid4())
    wave = noun("wave", definition("survey").scope_nouns)
    return [
        why_outside(_caller("office"), ScopeTarget(elsewhere), "jurisdiction"),
        why_outside(_caller("unit", own_unit=True), ScopeTarget(elsewhere, unit_id="u"), "unit"),
        why_outside(_caller("agency"), ScopeTarget(elsewhere, {"agency": frozenset()}), wave),
    ]


def _top_level_refusal() -> str:
    """An office creating a jurisdiction with no parent (registry's `POST /jurisdictions`)."""
    top = body("parent_id", "jurisdiction", "admin")
    with Cluster(in_memory(), ["registry"]) as cluster:
        runtime = cluster["registry"].app.state.runtime
        refused = scope_refusal(runtime, _caller("office"), [(top, "parent_id", None)])
    assert isinstance(refused, PingyiError)
    return refused.reason


def _ended_unit_refusal() -> str:
    ended = Principal(uuid4(), "某单位", "unit", uuid4(), uuid4(), unit_ended="dissolved")
    with pytest.raises(ForbiddenError) as refused:
        check_role(Policy.write("unit"), ended)
    return refused.value.reason


def test_every_refusal_is_quoted_as_the_api_says_it() -> None:
    reasons = [
        _ended_unit_refusal(),
        _role_refusal(Policy.write("office"), "agency"),
        _role_refusal(Policy.admin(), "office"),
        _role_refusal(Policy.write("office"), "auditor"),
        *_scope_refusals(),
        _top_level_refusal(),
    ]
    quoted = QUOTED.findall(PUBLISHED.read_text(encoding="utf-8"))
    for reason in reasons:
        chinese, _, english = reason.partition(" (")
        assert CHINESE.search(chinese) and english.endswith(")"), reason
        assert reason in quoted, f"docs/authorization.md does not quote {reason!r}"
        assert english[:-1] not in quoted, f"docs/authorization.md quotes {english!r} alone"
