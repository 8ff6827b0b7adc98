"""The wave commands: open, accredit an agency, change its quota, close."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import IntegrityError

from services.survey.application.base import SurveyBase
from services.survey.application.waves.outputs import wave_out
from services.survey.application.waves.setup import (
    check_agencies,
    check_agency,
    check_groups,
    check_panel,
    check_points,
    check_public_wave,
    check_voter_check,
)
from services.survey.application.waves.units import campaign_units, standalone_units
from services.survey.domain import BUILTIN_TEMPLATE, InvalidWave, Objections, Wave
from services.survey.domain.canonical import CANONICAL_IDS
from services.survey.domain.errors import blank
from shared.contracts.survey import EnrolledUnit, IntegrityRules, TemplateSnapshot, WaveKind
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent
from shared.principals import Principal as Caller
from shared.registry_view import RegistryView
from shared.views import ViewStore

CLOSE_ATTEMPTS = 5

Window = tuple[datetime | None, datetime | None]
NO_WINDOW: Window = (None, None)


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
        """The wave, or every problem of the request at once (`Objections`): each check
        that does not need another's result runs whatever the others found."""
        objections = Objections()
        registry = RegistryView(views)
        jurisdiction_id = str(spec["jurisdiction_id"])
        # Units, points, the campaign and the template are all placed against it.
        placed = registry.jurisdiction(jurisdiction_id) is not None
        if not placed:
            objections.add(
                InvalidWave("没有这个辖区 (no such jurisdiction)", field="jurisdiction_id")
            )
        kind = WaveKind(spec.get("kind") or WaveKind.SATISFACTION_SURVEY)
        agencies = check_agencies(views, spec, objections)
        setup: dict[str, Any] = {"kind": kind.value}
        units, window = self._units(views, spec, setup, objections) if placed else ([], NO_WINDOW)
        opens_at, closes_at = _window(spec, window, objections)
        template = self._template_for(registry, jurisdiction_id, spec, objections, placed)
        points = spec.get("points") or []
        setup |= {
            "template": template.model_dump(mode="json"),
            "units": [u.model_dump(mode="json") for u in units],
            "opens_at": None if opens_at is None else opens_at.isoformat(),
            "closes_at": None if closes_at is None else closes_at.isoformat(),
            "channels": list(dict.fromkeys(spec.get("channels") or ())),
            "points": check_points(registry, jurisdiction_id, points, objections) if placed else [],
            "groups": check_groups(spec.get("groups") or [], objections),
            "agencies": [a.model_dump(mode="json") for a in agencies],
            "panel": check_panel(views, kind, spec, objections),
            "public": bool(spec.get("public")) or kind == WaveKind.ONLINE_PUBLIC_VOTING,
            "integrity": IntegrityRules.model_validate(spec.get("integrity") or {}).model_dump(),
            # Every questionnaire id it stores is canonical (`canonical_id`).
            "questionnaire_ids": CANONICAL_IDS,
        }
        check_public_wave(setup, template, objections)
        voter_check = check_voter_check(setup["public"], spec.get("voter_check"), objections)
        if voter_check is not None:
            setup["voter_check"] = voter_check
        if not spec["name"].strip():
            objections.add(InvalidWave(blank("the wave's name", "测评批次名称"), field="name"))
        objections.refuse(InvalidWave)
        return Wave(
            UUID(jurisdiction_id),
            spec["name"],
            agencies[0].agency_id,
            tuple(u.unit_id for u in units),
            caller.actor,
            setup,
        )

    @staticmethod
    def _units(
        views: ViewStore, spec: dict[str, Any], setup: dict[str, Any], objections: Objections
    ) -> tuple[list[EnrolledUnit], Window]:
        """The wave's units, and its campaign round's window, if it is a campaign's."""
        if spec.get("campaign_id") is not None:
            return campaign_units(views, spec, setup, objections)
        return standalone_units(RegistryView(views), spec, objections), NO_WINDOW

    def _template_for(
        self,
        registry: RegistryView,
        jurisdiction_id: str,
        spec: dict[str, Any],
        objections: Objections,
        placed: bool,
    ) -> TemplateSnapshot:
        """The template named (the built-in one where it is not usable: the wave is then
        refused for that, and its other checks still run against a template)."""
        template_id = spec.get("template_id")
        if template_id is None or not placed:
            return BUILTIN_TEMPLATE

        def usable() -> TemplateSnapshot:
            template = self.template(template_id)
            if str(template.jurisdiction_id) not in registry.lineage(jurisdiction_id):
                raise InvalidWave(
                    "该问卷模板属于其他辖区, 本辖区不能使用 "
                    "(the template belongs to another jurisdiction)",
                    field="template_id",
                )
            return template.snapshot(spec.get("template_version"))

        return objections.attempt(usable, BUILTIN_TEMPLATE)

    def wave_counted_per_agency(self, wave_id: UUID) -> Wave:
        """The wave, with each agency's batches and intake quarantines known (what an agency
        reads of it): loaded as usual, or, when its snapshot predates those counts and
        several agencies had pushed by then (`WaveIntake`), folded from its events alone,
        every one of which names its agency."""
        wave = self.wave(wave_id)
        if wave.counted_per_agency:
            return wave
        folded = project_aggregate(None, self.events.get(wave_id))
        return folded if isinstance(folded, Wave) else wave

    def accredit_agency(
        self,
        caller: Caller,
        wave_id: UUID,
        agency_id: UUID,
        quota: int | None,
        views: ViewStore,
        key: str | None = None,
    ) -> Result:
        """A keyed retry answers as the first accreditation did (a second would find the
        agency accredited already)."""
        check_agency(views, str(agency_id), "agency_id")

        def command() -> tuple[list[Any], Result]:
            wave = self.wave(wave_id)
            wave.accredit(agency_id, quota, caller.actor)
            return [wave], wave_out(wave)

        with self.wave_turn(wave_id):
            return run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope=f"accredit:{wave_id}",
                key=key,
                request={"agency_id": agency_id, "quota": quota},
                command=command,
            )

    def change_quota(
        self,
        caller: Caller,
        wave_id: UUID,
        agency_id: UUID,
        quota: int | None,
        reason: str,
        key: str | None = None,
    ) -> Result:
        """调整配额: an accredited agency's quota on the wave, with the office's reason; never
        below what of the agency stands (`WaveQuotas.change_quota`). Taken in the wave's
        turn, so no push is screened between its count and the change. A keyed retry answers
        as the first change did (a second would find the quota unchanged)."""

        def command() -> tuple[list[Any], Result]:
            wave = self.wave(wave_id)
            wave.change_quota(agency_id, quota, reason, caller.actor)
            return [wave], wave_out(wave)

        with self.wave_turn(wave_id):
            return run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope=f"quota:{wave_id}",
                key=key,
                request={"agency_id": agency_id, "quota": quota, "reason": reason},
                command=command,
            )

    def close_wave(
        self, caller: Caller, wave_id: UUID, reason: str, key: str | None = None
    ) -> Result:
        """Closes after whatever batch commits first: a batch saved in between makes this
        save conflict, and the close is tried again on the wave as it now stands. A keyed
        retry answers as the first close did (a second close would find the wave closed)."""

        def command() -> tuple[list[Any], Result]:
            wave = self.wave(wave_id)
            wave.close(reason, caller.actor)
            return [wave], wave_out(wave)

        with self.wave_turn(wave_id):
            for _ in range(CLOSE_ATTEMPTS):
                try:
                    return run_idempotent(
                        self,
                        principal_id=caller.principal_id,
                        scope=f"close:{wave_id}",
                        key=key,
                        request={"reason": reason},
                        command=command,
                    )
                except IntegrityError:
                    continue  # another replica's batch came first
        raise InvalidWave(
            "测评批次在结束时一直有变动, 请重试 (the wave kept changing while closing; retry)",
            field="wave_id",
        )


def _window(spec: dict[str, Any], default: Window, objections: Objections) -> Window:
    """The window asked for, each end defaulting to the round's."""
    opens_at = spec.get("opens_at") or default[0]
    closes_at = spec.get("closes_at") or default[1]
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        objections.add(
            InvalidWave(
                "测评开始时间须早于结束时间 (the window must open before it closes)",
                field="closes_at",
            )
        )
    return opens_at, closes_at
