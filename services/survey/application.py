"""Survey commands. Waves and questionnaires are checked against the event store itself;
units, jurisdictions and agencies against this service's copy of the registry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.survey.domain import (
    ConcurrentBatch,
    InvalidQuestionnaire,
    InvalidWave,
    NotWaveAgency,
    QuestionnaireConflict,
    Response,
    Wave,
    WaveNotFound,
)
from shared.auth import Principal as Caller
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent
from shared.registry_view import PRINCIPALS, RegistryView
from shared.service.application import PublishingApplication
from shared.views import ViewStore

BATCH_ATTEMPTS = 3


class SurveyApplication(PublishingApplication):
    name = "survey"

    def wave(self, wave_id: UUID, field: str = "wave_id") -> Wave:
        try:
            found: Wave = self.repository.get(wave_id)
        except AggregateNotFoundError:
            raise WaveNotFound("no such wave", field=field) from None
        if not isinstance(found, Wave):
            raise WaveNotFound("no such wave", field=field)
        return found

    def response(self, response_id: UUID) -> Response | None:
        try:
            found: Response = self.repository.get(response_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Response) else None

    # --- waves ----------------------------------------------------------------------------

    def open_wave(
        self,
        caller: Caller,
        name: str,
        jurisdiction_id: UUID,
        agency_id: UUID,
        unit_ids: Sequence[UUID],
        key: str | None,
        *,
        views: ViewStore,
    ) -> Result:
        def command() -> tuple[list[Any], Result]:
            check_wave_members(views, jurisdiction_id, agency_id, unit_ids)
            wave = Wave.open(jurisdiction_id, name, agency_id, unit_ids, caller.actor)
            return [wave], wave_out(wave)

        request = {
            "name": name,
            "jurisdiction_id": jurisdiction_id,
            "agency_id": agency_id,
            "unit_ids": list(unit_ids),
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="wave",
            key=key,
            request=request,
            command=command,
        )

    def close_wave(self, caller: Caller, wave_id: UUID, reason: str) -> Result:
        wave = self.wave(wave_id)
        wave.close(reason, caller.actor)
        self.save(wave)
        return wave_out(wave)

    # --- questionnaires -------------------------------------------------------------------

    def record_batch(
        self,
        caller: Caller,
        wave_id: UUID,
        questionnaires: Sequence[dict[str, Any]],
        key: str | None,
    ) -> Result:
        """Record a batch all or nothing. The first attempt reads nothing per questionnaire and
        lets the event store's uniqueness catch re-pushes; only then is each one looked up."""
        request = {"wave_id": wave_id, "questionnaires": list(questionnaires)}

        def attempt(checked: bool) -> Result:
            def command() -> tuple[list[Any], Result]:
                wave = self.wave(wave_id)
                require_agency(caller, wave)
                wave.require_open()
                validate_batch(wave, questionnaires)
                if checked:
                    return self._new_responses_checked(caller, wave, questionnaires)
                return new_responses(caller, wave, questionnaires, [])

            return run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope=f"questionnaires:{wave_id}",
                key=key,
                request=request,
                command=command,
            )

        for attempt_number in range(BATCH_ATTEMPTS):
            try:
                return attempt(checked=attempt_number > 0)
            except (IntegrityError, AggregateNotFoundError):
                # A questionnaire in the batch is already stored. With a key,
                # run_idempotent reports that as a missing key record; either way the
                # next attempt replays the key if a concurrent retry won it, or sorts
                # duplicates from new questionnaires.
                continue
        raise ConcurrentBatch(
            "the same questionnaires are being pushed concurrently; retry the request",
            field="questionnaires",
        )

    def _new_responses_checked(
        self, caller: Caller, wave: Wave, questionnaires: Sequence[dict[str, Any]]
    ) -> tuple[list[Any], Result]:
        duplicates: list[str] = []
        for index, q in enumerate(questionnaires):
            stored = self.response(Response.create_id(wave.id, q["questionnaire_id"]))
            if stored is None:
                continue
            if not stored.same_content(q["survey_point"], q["collected_at"], q["ratings"]):
                raise QuestionnaireConflict(
                    "this questionnaire was already recorded with different answers",
                    field=f"questionnaires.{index}.questionnaire_id",
                    questionnaire_id=q["questionnaire_id"],
                )
            duplicates.append(q["questionnaire_id"])
        return new_responses(caller, wave, questionnaires, duplicates)


def check_wave_members(
    views: ViewStore, jurisdiction_id: UUID, agency_id: UUID, unit_ids: Sequence[UUID]
) -> None:
    """Checked against this service's registry copy, which may lag the registry: a unit
    registered a moment ago is refused until survey has caught up (callers wait on /positions)."""
    registry = RegistryView(views)
    if registry.jurisdiction(str(jurisdiction_id)) is None:
        raise InvalidWave("no such jurisdiction", field="jurisdiction_id")
    agency = views.get(PRINCIPALS, str(agency_id))
    if agency is None or agency.get("role") != "agency":
        raise InvalidWave("no such agency principal", field="agency_id")
    if agency.get("revoked"):
        raise InvalidWave("the agency's key is revoked", field="agency_id")
    for index, unit_id in enumerate(unit_ids):
        unit = registry.unit(str(unit_id))
        if unit is None:
            raise InvalidWave("no such unit", field=f"unit_ids.{index}")
        if str(jurisdiction_id) not in registry.lineage(unit["jurisdiction_id"]):
            raise InvalidWave("unit is outside the wave's jurisdiction", field=f"unit_ids.{index}")
        if not registry.is_active_unit(str(unit_id)):
            successors = registry.successors(str(unit_id))
            raise InvalidWave(
                f"unit is {registry.unit_status(str(unit_id))}; survey the unit that stands "
                "for it now",
                field=f"unit_ids.{index}",
                successors=successors,
            )


def require_agency(caller: Caller, wave: Wave) -> None:
    """Only the contracted agency pushes into a wave (admins may correct on its behalf)."""
    if caller.role != "admin" and caller.principal_id != wave.agency_id:
        raise NotWaveAgency("only the wave's agency may push questionnaires", field="X-API-Key")


def validate_batch(wave: Wave, questionnaires: Sequence[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for index, q in enumerate(questionnaires):
        field = f"questionnaires.{index}"
        qid = q["questionnaire_id"]
        if qid in seen:
            raise InvalidQuestionnaire(
                f"questionnaire id repeats questionnaires.{seen[qid]}",
                field=f"{field}.questionnaire_id",
            )
        seen[qid] = index
        collected_at: datetime = q["collected_at"]
        if collected_at.tzinfo is None:
            raise InvalidQuestionnaire("needs a timezone", field=f"{field}.collected_at")
        wave.check_ratings(q["ratings"], f"{field}.ratings")


def new_responses(
    caller: Caller, wave: Wave, questionnaires: Sequence[dict[str, Any]], duplicates: list[str]
) -> tuple[list[Any], Result]:
    skip = set(duplicates)
    responses = [
        Response.record(
            wave.id,
            q["questionnaire_id"],
            q["survey_point"],
            q["collected_at"],
            q["ratings"],
            caller.actor,
        )
        for q in questionnaires
        if q["questionnaire_id"] not in skip
    ]
    result = {
        "wave_id": str(wave.id),
        "accepted": len(responses),
        "duplicates": len(duplicates),
        "duplicate_questionnaire_ids": duplicates,
    }
    return responses, result


def wave_out(wave: Wave) -> Result:
    return {
        "wave_id": str(wave.id),
        "name": wave.name,
        "jurisdiction_id": str(wave.jurisdiction_id),
        "agency_id": str(wave.agency_id),
        "unit_ids": [str(u) for u in wave.unit_ids],
        "status": wave.status,
    }
