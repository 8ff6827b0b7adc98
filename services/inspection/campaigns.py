"""The campaign and round a fact counts toward, checked against inspection's copy of the
registry's campaigns and enrolments (the `registry_copy` view, fed from the registry's
published log).

The round and enrolment checks read what may change after a fact was recorded (a unit is
withdrawn from the campaign): they are not run by the route but handed to the command as
`checks` (`counted`), which runs them after its Idempotency-Key was looked up. A retry with
the key and the same body so answers what the first request was answered, as every keyed
retry does; a request with a new key (or none) is checked against the copy as it is now.

A campaign is in the scope of the jurisdiction that runs it, exactly as on the registry:
every route that takes a `campaign_id` declares it (`CAMPAIGN_IN_BODY`), so an office of
another county is refused with the same 403 the registry gives it for that campaign, and an
unknown id is 404 `campaign_not_found` for every caller (before any Idempotency-Key is
looked up: a campaign never moves to another jurisdiction, so a retry passes as the first
request did). Then each area checks here, before
recording anything, that the round is one of the campaign's (a whole-cycle campaign has
one, a half-yearly one two a year, as its round windows say) and that the unit is enrolled
in it, itself or as a sub-unit of an enrolled unit (its results count in the parent's, as
scoring places them). A campaign opened a moment ago may not have reached the copy yet: the
answer is then 404 until it has, never a fact counted toward a campaign that is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from services.inspection.dates import Window
from services.inspection.errors import CampaignNotFound, InspectionError
from shared.errors import InvalidError
from shared.policy.model import ScopeTarget, body
from shared.policy.resolvers import target_id
from shared.runtime import ServiceRuntime

CAMPAIGN_IN_BODY = body("campaign_id", "campaign", "skip")


Checks = Callable[[], object]
"""A request's checks against the copies, for its command to run (after the key lookup)."""
Counted = Callable[[], Window | None]
"""`check_counted` for one request, run by its command: the window its day must lie in."""


def unchecked() -> None:
    """No checks: a command called with nothing counted (and in unit tests of commands)."""


class RoundOutsideCampaign(InspectionError, InvalidError):
    code = "round_outside_campaign"


class UnitNotEnrolled(InspectionError, InvalidError):
    code = "unit_not_enrolled"


def resolve_campaign(runtime: ServiceRuntime, campaign_id: str, field: str) -> ScopeTarget:
    """A campaign is in the scope of the jurisdiction that runs it (the registry copy)."""
    found = runtime.campaigns.campaign(str(target_id(campaign_id, field)))
    if found is None:
        raise CampaignNotFound(field=field)
    return ScopeTarget(str(found["jurisdiction_id"]))


def check_counted(
    runtime: ServiceRuntime,
    campaign_id: UUID | None,
    round_: int | None,
    unit_id: UUID | None = None,
) -> Window | None:
    """The window the fact must fall in (None when it counts toward no campaign). A round
    without its campaign is each area's own rule (it refuses it by field)."""
    if campaign_id is None:
        return None
    campaign = runtime.campaigns.campaign(str(campaign_id))
    if campaign is None:
        raise CampaignNotFound(field="campaign_id")
    windows = campaign.get("round_windows") or []
    if round_ is not None and not 1 <= round_ <= len(windows):
        raise RoundOutsideCampaign(
            f"该评议活动共 {len(windows)} 轮: 1 至 {len(windows)} "
            f"(the campaign has {len(windows)} round(s): 1 to {len(windows)})",
            field="round",
        )
    if unit_id is not None:
        check_enrolled(runtime, str(campaign_id), unit_id)
    return _window(windows, round_)


def counted(
    runtime: ServiceRuntime,
    campaign_id: UUID | None,
    round_: int | None,
    unit_id: UUID | None = None,
) -> Counted:
    """`check_counted` of a request, for its command to run once its Idempotency-Key is
    looked up (a keyed retry answers as the first request did)."""
    return partial(check_counted, runtime, campaign_id, round_, unit_id)


def check_enrolled(runtime: ServiceRuntime, campaign_id: str, unit_id: UUID) -> None:
    enrolment = _enrolment(runtime, campaign_id, str(unit_id))
    if enrolment is None:
        raise UnitNotEnrolled(
            "该单位未参加此评议活动, 也不是参评单位的下属单位 "
            "(the unit is not enrolled in the campaign, nor a sub-unit of an enrolled unit)",
            field="unit_id",
        )
    if enrolment.get("status") != "enrolled":
        raise UnitNotEnrolled(
            "该单位已退出此评议活动 (the unit was withdrawn from the campaign)", field="unit_id"
        )


def _enrolment(runtime: ServiceRuntime, campaign_id: str, unit_id: str) -> dict[str, Any] | None:
    """The unit's enrolment, else that of the nearest unit above it that has one: the rule
    scoring places a sub-unit's facts by."""
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None and current not in seen:
        seen.add(current)
        found = runtime.campaigns.enrolment(campaign_id, current)
        if found is not None:
            return found
        unit = runtime.registry.unit(current)
        current = None if unit is None else unit.get("parent_id")
    return None


def _window(windows: list[dict[str, Any]], round_: int | None) -> Window | None:
    if not windows:
        return None
    first, last = (windows[round_ - 1],) * 2 if round_ is not None else (windows[0], windows[-1])
    return Window(date.fromisoformat(first["starts_on"]), date.fromisoformat(last["ends_on"]))
