"""What a scope refusal says, in the words of the API's users.

A scope's kind (`wave_points`, `progress_wave`, `round_run`…) is the name a route declares
and a resolver is registered under: an internal identifier, which a 403 once read back to
the caller ("only the agency keys this wave_points names…"). A refusal names the thing in
its plain name instead, and says who may act on it in the words of the role it concerns.
Every kind a route of any service declares has its name here
(tests/shared/test_scope_words.py walks them)."""

from __future__ import annotations

SCOPE_NOUNS: dict[str, str] = {
    "jurisdiction": "jurisdiction",
    "known_jurisdiction": "jurisdiction",
    "unit": "unit",
    "unit_ever": "unit",
    "campaign": "campaign",
    "principal": "API key",
    "person": "evaluation representative",
    "draw": "panel draw",
    "appointing_body": "appointing body",
    "template": "questionnaire template",
    "template_users": "questionnaire template",
    "wave": "survey wave",
    "wave_points": "survey wave",
    "progress_wave": "survey wave",
    "finding": "inspection finding",
    "visit": "inspection visit",
    "task": "supervised task",
    "rectification": "rectification order",
    "assessment_score": "assessment score",
    "veto": "veto",
    "complaint": "complaint",
    "round_run": "scoring run",
}
"""Scope kind -> the thing it names, as the API's users call it."""

UNNAMED = "record"
"""What a kind missing from `SCOPE_NOUNS` is called: never its identifier."""

PARTIES: dict[str, str] = {
    "agency": "only the agencies accredited to this {thing} may act on it",
    "unit": "only the unit keys named on this {thing} may act on it",
}
"""Who may act on a target that names its parties, per role (`ScopeTarget.parties`)."""

OTHER_PARTIES = "only the {role} keys named on this {thing} may act on it"


def thing(kind: str) -> str:
    return SCOPE_NOUNS.get(kind, UNNAMED)


def only_parties(role: str, kind: str) -> str:
    """Why a caller of `role` who is not a party to a target of `kind` is refused."""
    return PARTIES.get(role, OTHER_PARTIES).format(role=role, thing=thing(kind))
