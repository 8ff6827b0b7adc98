"""Which units a wave surveys: the campaign's enrolled units as they stand when the wave
opens (with the round's window), or the units a standalone wave names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from services.survey.domain import InvalidWave, Objections
from shared.campaign_view import CampaignView
from shared.contracts.survey import EnrolledUnit
from shared.registry_view import RegistryView
from shared.views import ViewStore

CHINA = timezone(timedelta(hours=8))
UNIT_TWICE = "单位重复列出 (unit listed twice)"
UNIT_OUTSIDE = "该单位不在本次测评批次的辖区内 (unit is outside the wave's jurisdiction)"
ENDED = {"merged": "已合并", "split": "已分立", "dissolved": "已撤销"}
"""A unit's status once it ended, as an office names it (the registry's statuses)."""


def ended(status: str | None) -> str:
    """Why a unit that no longer stands cannot be surveyed, its status in words."""
    words = ENDED.get(status or "", f"状态为 {status}")
    return (
        f"该单位{words}, 请改为测评承继它的单位 "
        f"(unit is {status}; survey the unit that stands for it now)"
    )


def standalone_units(
    registry: RegistryView, spec: dict[str, Any], objections: Objections
) -> list[EnrolledUnit]:
    """A wave outside any campaign (a pilot or an ad-hoc survey): the units named, each in
    the category it was registered with. Checked against this service's registry copy,
    which may lag the registry (callers wait on /positions). Every unit that cannot be
    surveyed is an objection."""
    if spec.get("round") is not None:
        # A round is a campaign's: taken without one, it would be dropped unsaid.
        objections.add(
            InvalidWave(
                "填写轮次须同时填写 campaign_id (a round needs its campaign)", field="round"
            )
        )
    unit_ids: Sequence[UUID] = spec.get("unit_ids") or []
    if not unit_ids:
        objections.add(
            InvalidWave(
                "须指明评议活动 campaign_id, 或列出单独测评批次的单位 unit_ids "
                "(name the campaign, or the units of a standalone wave)",
                field="unit_ids",
            )
        )
    jurisdiction_id = str(spec["jurisdiction_id"])
    units: list[EnrolledUnit] = []
    seen: set[str] = set()
    for index, unit_id in enumerate(unit_ids):
        unit = _standalone_unit(registry, jurisdiction_id, str(unit_id), seen, index)
        seen.add(str(unit_id))
        if isinstance(unit, InvalidWave):
            objections.add(unit)
        else:
            units.append(unit)
    return units


def _standalone_unit(
    registry: RegistryView, jurisdiction_id: str, unit_id: str, seen: set[str], index: int
) -> EnrolledUnit | InvalidWave:
    field = f"unit_ids.{index}"
    if unit_id in seen:
        return InvalidWave(UNIT_TWICE, field=field)
    unit = registry.unit(unit_id)
    if unit is None:
        return InvalidWave("没有这个单位 (no such unit)", field=field)
    if jurisdiction_id not in registry.lineage(unit["jurisdiction_id"]):
        return InvalidWave(UNIT_OUTSIDE, field=field)
    if not registry.is_active_unit(unit_id):
        return _ended_unit(registry, unit_id, field)
    return EnrolledUnit(unit_id=UUID(unit_id), name=unit["name"], category=unit["category"])


def _ended_unit(registry: RegistryView, unit_id: str, field: str) -> InvalidWave:
    """A unit merged, split or dissolved (in this copy of the registry) by the time the wave
    opens: its status in words, and the units that stand for it now."""
    return InvalidWave(
        ended(registry.unit_status(unit_id)),
        field=field,
        successors=registry.successors(unit_id),
    )


def campaign_units(
    views: ViewStore, spec: dict[str, Any], setup: dict[str, Any], objections: Objections
) -> tuple[list[EnrolledUnit], tuple[datetime | None, datetime | None]]:
    """The campaign's enrolled units within the wave's jurisdiction (or the named subset),
    with their enrolment categories, and the round's window as the default window. A
    campaign that cannot be used stops here (its units and rounds are the campaign's); its
    round and each unit named are objections of their own."""
    campaigns = CampaignView(views)
    campaign = objections.attempt(lambda: _campaign(views, spec), None)
    if campaign is None:
        return [], (None, None)
    campaign_id = str(spec["campaign_id"])
    windows = campaign.get("round_windows") or []
    round_number = objections.attempt(lambda: _round(spec, windows), None)
    setup |= {"campaign_id": campaign_id, "round": round_number}
    enrolled = {
        doc["unit_id"]: doc
        for doc in campaigns.enrolments(campaign_id)
        if doc["status"] == "enrolled"
    }
    units = _enrolled_units(RegistryView(views), spec, enrolled, objections)
    if round_number is None or not windows:
        return units, (None, None)
    window = windows[round_number - 1]
    starts, ends = _start(window["starts_on"]), _end(window["ends_on"])
    objections.attempt(lambda: _check_window_against_round(spec, round_number, starts), None)
    return units, (starts, ends)


def _campaign(views: ViewStore, spec: dict[str, Any]) -> dict[str, Any]:
    campaign = CampaignView(views).campaign(str(spec["campaign_id"]))
    if campaign is None:
        raise InvalidWave("没有这次评议活动 (no such campaign)", field="campaign_id")
    if campaign["jurisdiction_id"] not in RegistryView(views).lineage(str(spec["jurisdiction_id"])):
        raise InvalidWave(
            "评议活动的组织辖区不包含本辖区 "
            "(the campaign is run by a jurisdiction that does not contain this one)",
            field="campaign_id",
        )
    return campaign


def _round(spec: dict[str, Any], windows: list[Any]) -> int:
    round_number: int | None = spec.get("round") or (1 if len(windows) <= 1 else None)
    if round_number is None:
        raise InvalidWave(
            "评议活动分上下半年两轮, 须填写轮次 round "
            "(the campaign has half-year rounds: name the round)",
            field="round",
        )
    if windows and not 1 <= round_number <= len(windows):
        raise InvalidWave(
            f"评议活动的轮次为 1–{len(windows)} (the campaign has rounds 1–{len(windows)})",
            field="round",
        )
    return round_number


def _enrolled_units(
    registry: RegistryView,
    spec: dict[str, Any],
    enrolled: dict[str, dict[str, Any]],
    objections: Objections,
) -> list[EnrolledUnit]:
    """The units named (each that cannot be surveyed an objection), or else every unit
    enrolled within the wave's jurisdiction, by name: of those, one of another
    jurisdiction, or one that has ended (merged, split, dissolved) by the time the wave
    opens, is simply not this wave's. A wave left with no unit is refused."""
    jurisdiction_id = str(spec["jurisdiction_id"])
    named = [str(u) for u in spec.get("unit_ids") or []]
    wanted = named or sorted(enrolled, key=lambda u: _unit_name(registry, u))
    units: list[EnrolledUnit] = []
    seen: set[str] = set()
    refused = 0
    ended_here = 0
    for index, unit_id in enumerate(wanted):
        unit = _enrolled_unit(registry, jurisdiction_id, unit_id, enrolled, seen, index)
        seen.add(unit_id)
        if not isinstance(unit, InvalidWave):
            units.append(unit)
        elif named:
            objections.add(unit)
            refused += 1
        elif "successors" in unit.context:  # `_ended_unit`'s
            ended_here += 1
    if not units and not refused:
        objections.add(_no_units(ended_here))
    return units


def _no_units(ended_here: int) -> InvalidWave:
    if ended_here:
        return InvalidWave(
            "本辖区参加该评议活动的单位均已合并、分立或撤销, 请改为测评承继它们的单位 "
            "(every unit of the campaign enrolled in this jurisdiction has ended; "
            "survey the units that stand for them now)",
            field="campaign_id",
        )
    return InvalidWave(
        "本辖区没有参加该评议活动的单位 (no unit of the campaign is enrolled in this jurisdiction)",
        field="campaign_id",
    )


def _enrolled_unit(
    registry: RegistryView,
    jurisdiction_id: str,
    unit_id: str,
    enrolled: dict[str, dict[str, Any]],
    seen: set[str],
    index: int,
) -> EnrolledUnit | InvalidWave:
    field = f"unit_ids.{index}"
    if unit_id in seen:
        return InvalidWave(UNIT_TWICE, field=field)
    if unit_id not in enrolled:
        return InvalidWave(
            "该单位未参加该评议活动 (unit is not enrolled in the campaign)", field=field
        )
    unit = registry.unit(unit_id)
    if unit is None or jurisdiction_id not in registry.lineage(unit["jurisdiction_id"]):
        return InvalidWave(UNIT_OUTSIDE, field=field)
    if not registry.is_active_unit(unit_id):
        return _ended_unit(registry, unit_id, field)
    category = enrolled[unit_id]["category"]
    return EnrolledUnit(unit_id=UUID(unit_id), name=unit["name"], category=category)


def _check_window_against_round(spec: dict[str, Any], round_number: int, starts: datetime) -> None:
    """A wave collects opinions of its round's work: a window that closes before the round
    begins is a mistake (a wrong year or round), and so is one that opens before it (it
    would take questionnaires collected before the round: a wave takes only its round's).
    The round begins at 00:00 China time of its first day; a window wholly before it is one
    problem, said of `closes_at`. One that opens after the round ends is allowed: a half
    year is often evaluated in the month after it."""
    begins = starts.date().isoformat()
    closes_at = spec.get("closes_at")
    if closes_at is not None and closes_at < starts:
        raise InvalidWave(
            f"测评时间在第{round_number}轮开始（{begins}）之前就已结束 "
            f"(the window closes before round {round_number} begins ({begins}))",
            field="closes_at",
        )
    opens_at = spec.get("opens_at")
    if opens_at is not None and opens_at < starts:
        raise InvalidWave(
            f"测评开始时间早于第{round_number}轮开始（{begins}）, 会计入本轮之前收集的问卷 "
            f"(the window opens before round {round_number} begins ({begins}), "
            "so it would take questionnaires collected before the round)",
            field="opens_at",
        )


def _unit_name(registry: RegistryView, unit_id: str) -> str:
    unit = registry.unit(unit_id)
    return "" if unit is None else str(unit["name"])


def _start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.min, CHINA)


def _end(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.max, CHINA)
