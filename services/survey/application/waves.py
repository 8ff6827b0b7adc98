"""Opening, accrediting and closing waves. A campaign wave takes its units and their
categories from the campaign's enrolment as it stands when the wave opens; units withdrawn,
merged or dissolved afterwards stay in the wave as they were (questionnaires about them are
still accepted and published), and scoring decides what they count for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from services.survey.application.base import SurveyBase
from services.survey.domain import BUILTIN_TEMPLATE, InvalidWave, Wave
from shared.auth import Principal as Caller
from shared.campaign_view import CampaignView
from shared.contracts.survey import (
    AgencyQuota,
    EnrolledUnit,
    IntegrityRules,
    TemplateSnapshot,
    WaveKind,
)
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent
from shared.registry_view import PRINCIPALS, RegistryView
from shared.views import ViewStore

CHINA = timezone(timedelta(hours=8))
CLOSE_ATTEMPTS = 5


class WaveCommands(SurveyBase):
    def open_wave(
        self, caller: Caller, spec: dict[str, Any], key: str | None, *, views: ViewStore
    ) -> Result:
        def command() -> tuple[list[Any], Result]:
            wave = self._new_wave(caller, spec, views)
            return [wave], wave_out(wave)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="wave",
            key=key,
            request=spec,
            command=command,
        )

    def _new_wave(self, caller: Caller, spec: dict[str, Any], views: ViewStore) -> Wave:
        registry = RegistryView(views)
        jurisdiction_id = str(spec["jurisdiction_id"])
        if registry.jurisdiction(jurisdiction_id) is None:
            raise InvalidWave("no such jurisdiction", field="jurisdiction_id")
        kind = WaveKind(spec.get("kind") or WaveKind.SATISFACTION_SURVEY)
        agencies = check_agencies(views, spec)
        setup: dict[str, Any] = {"kind": kind.value}
        if spec.get("campaign_id") is not None:
            units, window = campaign_units(views, spec, setup)
        else:
            units, window = standalone_units(registry, spec), (None, None)
        opens_at = spec.get("opens_at") or window[0]
        closes_at = spec.get("closes_at") or window[1]
        if opens_at is not None and closes_at is not None and opens_at >= closes_at:
            raise InvalidWave("the window must open before it closes", field="closes_at")
        template = self._template_for(registry, jurisdiction_id, spec)
        setup |= {
            "template": template.model_dump(mode="json"),
            "units": [u.model_dump(mode="json") for u in units],
            "opens_at": None if opens_at is None else opens_at.isoformat(),
            "closes_at": None if closes_at is None else closes_at.isoformat(),
            "channels": list(dict.fromkeys(spec.get("channels") or ())),
            "points": check_points(registry, jurisdiction_id, spec.get("points") or []),
            "groups": check_groups(spec.get("groups") or []),
            "agencies": [a.model_dump(mode="json") for a in agencies],
            "panel": panel_of(views, kind, spec),
            "public": bool(spec.get("public")) or kind == WaveKind.ONLINE_PUBLIC_VOTING,
            "integrity": IntegrityRules.model_validate(spec.get("integrity") or {}).model_dump(),
        }
        if not spec["name"].strip():
            raise InvalidWave("must not be blank", field="name")
        return Wave(
            UUID(jurisdiction_id),
            spec["name"],
            agencies[0].agency_id,
            tuple(u.unit_id for u in units),
            caller.actor,
            setup,
        )

    def _template_for(
        self, registry: RegistryView, jurisdiction_id: str, spec: dict[str, Any]
    ) -> TemplateSnapshot:
        template_id = spec.get("template_id")
        if template_id is None:
            return BUILTIN_TEMPLATE
        template = self.template(template_id)
        if str(template.jurisdiction_id) not in registry.lineage(jurisdiction_id):
            raise InvalidWave("the template belongs to another jurisdiction", field="template_id")
        return template.snapshot(spec.get("template_version"))

    def accredit_agency(
        self, caller: Caller, wave_id: UUID, agency_id: UUID, quota: int | None, views: ViewStore
    ) -> Result:
        check_agency(views, str(agency_id), "agency_id")
        with self.wave_lock(wave_id):
            wave = self.wave(wave_id)
            wave.accredit(agency_id, quota, caller.actor)
            self.save(wave)
        return wave_out(wave)

    def close_wave(self, caller: Caller, wave_id: UUID, reason: str) -> Result:
        """Closes after whatever batch commits first: a batch saved in between makes this
        save conflict, and the close is tried again on the wave as it now stands."""
        with self.wave_lock(wave_id):
            for _ in range(CLOSE_ATTEMPTS):
                wave = self.wave(wave_id)
                wave.close(reason, caller.actor)
                try:
                    self.save(wave)
                except IntegrityError:
                    continue  # another replica's batch came first
                return wave_out(wave)
        raise InvalidWave("the wave kept changing while closing; retry", field="wave_id")


def check_agency(views: ViewStore, agency_id: str, field: str) -> None:
    agency = views.get(PRINCIPALS, agency_id)
    if agency is None or agency.get("role") != "agency":
        raise InvalidWave("no such agency principal", field=field)
    if agency.get("revoked"):
        raise InvalidWave("the agency's key is revoked", field=field)


def check_agencies(views: ViewStore, spec: dict[str, Any]) -> list[AgencyQuota]:
    listed = [(f"agencies.{i}.agency_id", a) for i, a in enumerate(spec.get("agencies") or [])]
    if spec.get("agency_id") is not None:
        listed = [("agency_id", {"agency_id": spec["agency_id"], "quota": None}), *listed]
    if not listed:
        raise InvalidWave("a wave needs an accredited agency", field="agencies")
    seen: set[str] = set()
    agencies: list[AgencyQuota] = []
    for field, entry in listed:
        agency_id = str(entry["agency_id"])
        if agency_id in seen:
            raise InvalidWave("agency listed twice", field=field)
        seen.add(agency_id)
        check_agency(views, agency_id, field)
        agencies.append(AgencyQuota(agency_id=UUID(agency_id), quota=entry.get("quota")))
    return agencies


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
    for index, unit_id in enumerate(wanted):
        field = f"unit_ids.{index}"
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
    return units, (_start(window["starts_on"]), _end(window["ends_on"]))


def _unit_name(registry: RegistryView, unit_id: str) -> str:
    unit = registry.unit(unit_id)
    return "" if unit is None else str(unit["name"])


def _start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.min, CHINA)


def _end(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.max, CHINA)


def check_points(
    registry: RegistryView, jurisdiction_id: str, points: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for index, point in enumerate(points):
        if point["code"] in seen:
            raise InvalidWave("survey point code repeats", field=f"points.{index}.code")
        seen.add(point["code"])
        county = str(point["jurisdiction_id"])
        if registry.jurisdiction(county) is None or jurisdiction_id not in registry.lineage(county):
            raise InvalidWave(
                "the point's jurisdiction is outside the wave's",
                field=f"points.{index}.jurisdiction_id",
            )
        quota = point.get("quota")
        if quota is not None and quota < point["target"]:
            raise InvalidWave("the quota is below the target", field=f"points.{index}.quota")
    return [
        {
            "code": p["code"],
            "name": p["name"],
            "jurisdiction_id": str(p["jurisdiction_id"]),
            "target": p["target"],
            "quota": p.get("quota"),
        }
        for p in points
    ]


def check_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for index, group in enumerate(groups):
        if group["code"] in seen:
            raise InvalidWave("group code repeats", field=f"groups.{index}.code")
        seen.add(group["code"])
    if groups and sum(g["target_percent"] for g in groups) != 100:
        raise InvalidWave("the groups' target shares must add up to 100%", field="groups")
    return [
        {"code": g["code"], "name": g["name"], "target_percent": g["target_percent"]}
        for g in groups
    ]


def panel_of(views: ViewStore, kind: WaveKind, spec: dict[str, Any]) -> list[str]:
    """A representative evaluation is voted on by its panel only (代表评议): a drawn panel
    (`panel_draw_id`), or the representatives appointed to a body for a cycle
    (`panel_body_id`, `panel_cycle`) and not disqualified when the wave opens."""
    draw_id, body_id = spec.get("panel_draw_id"), spec.get("panel_body_id")
    if kind != WaveKind.REPRESENTATIVE_EVALUATION:
        for field in ("panel_draw_id", "panel_body_id"):
            if spec.get(field) is not None:
                raise InvalidWave("only a representative evaluation has a panel", field=field)
        return []
    if (draw_id is None) == (body_id is None):
        raise InvalidWave(
            "a representative evaluation names its panel: a draw, or an appointing body",
            field="panel_draw_id",
        )
    if body_id is not None:
        return appointed_panel(views, str(body_id), spec.get("panel_cycle"))
    panel = CampaignView(views).panel(str(draw_id))
    if panel is None:
        raise InvalidWave("no such panel draw", field="panel_draw_id")
    if spec.get("campaign_id") is not None and panel["campaign_id"] not in (
        None,
        str(spec["campaign_id"]),
    ):
        raise InvalidWave("the panel was drawn for another campaign", field="panel_draw_id")
    return list(panel["chosen"])


def appointed_panel(views: ViewStore, body_id: str, cycle: str | None) -> list[str]:
    if not cycle:
        raise InvalidWave(
            "name the cycle the representatives were appointed for", field="panel_cycle"
        )
    members = CampaignView(views).appointed(body_id, cycle)
    if not members:
        raise InvalidWave(
            "nobody is appointed to this body for this cycle (or all were disqualified)",
            field="panel_body_id",
        )
    return members


def wave_out(wave: Wave) -> Result:
    template = wave.template
    return {
        "wave_id": str(wave.id),
        "name": wave.name,
        "jurisdiction_id": str(wave.jurisdiction_id),
        "agency_id": str(wave.agency_id),
        "agencies": [a.model_dump(mode="json") for a in wave.agency_quotas()],
        "unit_ids": [str(u) for u in wave.unit_ids],
        "status": wave.status,
        "campaign_id": None if wave.campaign_id is None else str(wave.campaign_id),
        "round": wave.round,
        "kind": wave.kind.value,
        "template": template.model_dump(mode="json"),
        "units": [u.model_dump(mode="json") for u in wave.units],
        "opens_at": None if wave.opens_at is None else wave.opens_at.isoformat(),
        "closes_at": None if wave.closes_at is None else wave.closes_at.isoformat(),
        "channels": [c.value for c in wave.channels],
        "points": [p.model_dump(mode="json") for p in wave.points],
        "groups": [g.model_dump(mode="json") for g in wave.groups],
        "panel_size": len(wave.panel),
        "public": wave.public,
        "integrity": wave.integrity.model_dump(mode="json"),
        "questionnaires": wave.questionnaires,
        "quarantined_at_intake": wave.quarantined,
        "batches": wave.batches,
        "closed_reason": wave.closed_reason,
    }
