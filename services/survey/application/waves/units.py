"""Which units a wave surveys: the campaign's enrolled units as they stand when the wave
opens (with the round's window), or the units a standalone wave names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from services.survey.domain import InvalidWave
from shared.campaign_view import CampaignView
from shared.contracts.survey import EnrolledUnit
from shared.registry_view import RegistryView
from shared.views import ViewStore

CHINA = timezone(timedelta(hours=8))


def standalone_units(registry: RegistryView, spec: dict[str, Any]) -> list[EnrolledUnit]:
    """A wave outside any campaign (a pilot or an ad-hoc survey): the units named, each in
    the category it was registered with. Checked against this service's registry copy,
    which may lag the registry (callers wait on /positions)."""
    unit_ids: Sequence[UUID] = spec.get("unit_ids") or []
    if not unit_ids:
        raise InvalidWave("name the campaign, or the units of a standalone wave", field="unit_ids")
    jurisdiction_id = str(spec["jurisdiction_id"])
    units: list[EnrolledUnit] = []
    seen: set[str] = set()
    for index, unit_id in enumerate(unit_ids):
        field = f"unit_ids.{index}"
        if str(unit_id) in seen:
            raise InvalidWave("unit listed twice", field=field)
        seen.add(str(unit_id))
        unit = registry.unit(str(unit_id))
        if unit is None:
            raise InvalidWave("no such unit", field=field)
        if jurisdiction_id not in registry.lineage(unit["jurisdiction_id"]):
            raise InvalidWave("unit is outside the wave's jurisdiction", field=field)
        if not registry.is_active_unit(str(unit_id)):
            raise InvalidWave(
                f"unit is {registry.unit_status(str(unit_id))}; survey the unit that stands "
                "for it now",
                field=field,
                successors=registry.successors(str(unit_id)),
            )
        units.append(EnrolledUnit(unit_id=unit_id, name=unit["name"], category=unit["category"]))
    return units


def campaign_units(
    views: ViewStore, spec: dict[str, Any], setup: dict[str, Any]
) -> tuple[list[EnrolledUnit], tuple[datetime | None, datetime | None]]:
    """The campaign's enrolled units within the wave's jurisdiction (or the named subset),
    with their enrolment categories, and the round's window as the default window."""
    campaigns = CampaignView(views)
    registry = RegistryView(views)
    campaign_id = str(spec["campaign_id"])
    campaign = campaigns.campaign(campaign_id)
    if campaign is None:
        raise InvalidWave("no such campaign", field="campaign_id")
    jurisdiction_id = str(spec["jurisdiction_id"])
    if campaign["jurisdiction_id"] not in registry.lineage(jurisdiction_id):
        raise InvalidWave(
            "the campaign is run by a jurisdiction that does not contain this one",
            field="campaign_id",
        )
    windows = campaign.get("round_windows") or []
    round_number = spec.get("round") or (1 if len(windows) <= 1 else None)
    if round_number is None:
        raise InvalidWave("the campaign has half-year rounds: name the round", field="round")
    if windows and not 1 <= round_number <= len(windows):
        raise InvalidWave(f"the campaign has rounds 1–{len(windows)}", field="round")
    setup |= {"campaign_id": campaign_id, "round": round_number}
    enrolled = {
        doc["unit_id"]: doc
        for doc in campaigns.enrolments(campaign_id)
        if doc["status"] == "enrolled"
    }
    wanted = [str(u) for u in spec.get("unit_ids") or []] or sorted(
        enrolled, key=lambda u: _unit_name(registry, u)
    )
    units: list[EnrolledUnit] = []
    seen: set[str] = set()
    for index, unit_id in enumerate(wanted):
        field = f"unit_ids.{index}"
        if unit_id in seen:
            raise InvalidWave("unit listed twice", field=field)
        seen.add(unit_id)
        if unit_id not in enrolled:
            raise InvalidWave("unit is not enrolled in the campaign", field=field)
        unit = registry.unit(unit_id)
        if unit is None or jurisdiction_id not in registry.lineage(unit["jurisdiction_id"]):
            if spec.get("unit_ids"):
                raise InvalidWave("unit is outside the wave's jurisdiction", field=field)
            continue
        units.append(
            EnrolledUnit(
                unit_id=UUID(unit_id), name=unit["name"], category=enrolled[unit_id]["category"]
            )
        )
    if not units:
        raise InvalidWave(
            "no unit of the campaign is enrolled in this jurisdiction", field="campaign_id"
        )
    window = windows[round_number - 1] if windows else None
    if window is None:
        return units, (None, None)
    starts, ends = _start(window["starts_on"]), _end(window["ends_on"])
    _check_window_against_round(spec, round_number, starts)
    return units, (starts, ends)


def _check_window_against_round(spec: dict[str, Any], round_number: int, starts: datetime) -> None:
    """A wave collects opinions of its round's work: a window that closes before the round
    begins is a mistake (a wrong year or round). One that opens after the round ends is
    allowed: a half year is often evaluated in the month after it."""
    closes_at = spec.get("closes_at")
    if closes_at is not None and closes_at < starts:
        raise InvalidWave(
            f"the window closes before round {round_number} begins ({starts.date().isoformat()})",
            field="closes_at",
        )


def _unit_name(registry: RegistryView, unit_id: str) -> str:
    unit = registry.unit(unit_id)
    return "" if unit is None else str(unit["name"])


def _start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.min, CHINA)


def _end(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.max, CHINA)
