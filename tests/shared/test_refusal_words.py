"""The kernel's 403s read Chinese first, the English after it unchanged (`中文 (English)`):
the role a route needs, an auditor who writes, a caller outside the scope by each rule of
`in_scope`, for every role and every scope kind a route declares."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from pingyi.catalog import every_service
from shared.access_words import ROLE_WORDS
from shared.contracts.registry import ROLES
from shared.errors import ForbiddenError
from shared.policy import PARTICIPANTS, Policy, ScopeTarget
from shared.policy.checks import check_role, why_outside
from shared.policy.words import CHINESE_NOUNS, KERNEL_NOUNS, UNNAMED, noun
from shared.principals import Principal

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff][^()]*[\u4e00-\u9fff][^()]* \((?P<english>.+)\)$")
"""Chinese words, then the English in parentheses: the shape every refusal here has."""


def _english(reason: str) -> str:
    found = CHINESE_FIRST.match(reason)
    assert found is not None, f"not Chinese first, English after: {reason!r}"
    return found["english"]


def _caller(role: str, *, own_unit: bool = False) -> Principal:
    return Principal(uuid4(), "某调查公司", role, uuid4(), uuid4() if own_unit else None)  # type: ignore[arg-type]


def _refused(policy: Policy, role: str) -> str:
    with pytest.raises(ForbiddenError) as refused:
        check_role(policy, _caller(role))
    assert refused.value.field == "X-API-Key"
    return refused.value.reason


def test_every_role_has_its_chinese_name() -> None:
    assert set(ROLE_WORDS) == set(ROLES)


def test_a_role_the_route_does_not_take_is_told_which_roles_in_both_languages() -> None:
    reason = _refused(Policy.write("office", "agency"), "inspector")
    assert reason == (
        "此操作需要以下角色之一: 纠风办、测评机构 (this needs one of the roles office, agency)"
    )


def test_an_auditor_and_an_admin_only_route_keep_their_english_after_the_chinese() -> None:
    assert _english(_refused(Policy.write("office"), "auditor")) == (
        "auditors read everything and write nothing"
    )
    assert _english(_refused(Policy.admin(), "office")) == "only an admin may do this"


def _all_nouns() -> set[str]:
    return {noun(kind, s.scope_nouns) for s in every_service() for kind in s.scope_nouns} | {
        *KERNEL_NOUNS.values(),
        UNNAMED,
    }


@pytest.mark.parametrize("thing", sorted(_all_nouns()))
def test_every_noun_a_refusal_names_has_its_chinese(thing: str) -> None:
    assert thing in CHINESE_NOUNS, f"{thing!r} has no Chinese in shared.policy.words"


ENGLISH_BEFORE = {
    "own unit": "a unit's key acts for its own unit only",
    "parties": "only the {role} keys named on this {thing} may act on it",
    "jurisdiction": "outside your jurisdiction",
}


@pytest.mark.parametrize("role", PARTICIPANTS)
@pytest.mark.parametrize("thing", sorted(_all_nouns()))
def test_every_scope_refusal_is_chinese_first_and_keeps_its_english(role: str, thing: str) -> None:
    elsewhere = str(uuid4())
    own_unit = why_outside(
        _caller(role, own_unit=True), ScopeTarget(elsewhere, unit_id=str(uuid4())), thing
    )
    parties = why_outside(
        _caller(role), ScopeTarget(elsewhere, {role: frozenset({str(uuid4())})}), thing
    )
    outside = why_outside(_caller(role), ScopeTarget(elsewhere), thing)
    if role == "unit":  # only a unit's key is bound to one unit (`Principal.own_unit`)
        assert _english(own_unit) == ENGLISH_BEFORE["own unit"]
    assert _english(outside) == ENGLISH_BEFORE["jurisdiction"]
    assert thing in _english(parties) and CHINESE_NOUNS[thing] in parties.split(" (")[0]
    if role not in ("agency", "unit"):
        assert _english(parties) == ENGLISH_BEFORE["parties"].format(role=role, thing=thing)
