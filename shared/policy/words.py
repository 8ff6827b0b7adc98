"""What a scope refusal says, in the words of the API's users.

A scope's kind (`wave_points`, `progress_wave`, `round_run`…) is the name a route declares
and a resolver is registered under: an internal identifier, which a 403 once read back to
the caller ("only the agency keys this wave_points names…"). A refusal names the thing in
its plain name instead, and says who may act on it in the words of the role it concerns.
The kernel names its own kinds here; each service names its kinds beside the resolvers it
registers (`ServiceDefinition.scope_nouns`, checked when the service is defined), and
tests/shared/test_scope_words.py walks every kind a route declares."""

from __future__ import annotations

from collections.abc import Mapping

KERNEL_NOUNS: dict[str, str] = {"jurisdiction": "jurisdiction", "unit": "unit"}
"""The kernel's own scope kinds (`KERNEL_RESOLVERS`) -> the thing each names; a service
names its own beside its resolvers (`ServiceDefinition.scope_nouns`)."""

UNNAMED = "record"
"""What a kind named nowhere is called: never its identifier."""

PARTIES: dict[str, str] = {
    "agency": "only the agencies accredited to this {thing} may act on it",
    "unit": "only the unit keys named on this {thing} may act on it",
}
"""Who may act on a target that names its parties, per role (`ScopeTarget.parties`)."""

OTHER_PARTIES = "only the {role} keys named on this {thing} may act on it"


def noun(kind: str, service_nouns: Mapping[str, str]) -> str:
    """What a target of `kind` is called: the service's noun, the kernel's, else a record."""
    return service_nouns.get(kind) or KERNEL_NOUNS.get(kind, UNNAMED)


def only_parties(role: str, thing: str) -> str:
    """Why a caller of `role` who is not a party to `thing` (a noun) is refused."""
    return PARTIES.get(role, OTHER_PARTIES).format(role=role, thing=thing)
