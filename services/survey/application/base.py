"""What every survey command reads: its own aggregates, by id, with the survey's errors."""

from __future__ import annotations

import threading
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from services.survey.domain import (
    Batch,
    BatchNotFound,
    NotWaveAgency,
    QuestionnaireNotFound,
    Response,
    SurveyError,
    Template,
    TemplateNotFound,
    Wave,
    WaveNotFound,
)
from shared.auth import Principal as Caller
from shared.service.application import PublishingApplication

A = TypeVar("A", bound=Aggregate)


class SurveyBase(PublishingApplication):
    name = "survey"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._wave_locks: dict[UUID, threading.Lock] = {}
        self._wave_locks_guard = threading.Lock()

    def wave_lock(self, wave_id: UUID) -> threading.Lock:
        """Everything that writes a wave — a batch, a vote, a close, an accreditation —
        takes its turn here, so within this process they queue instead of conflicting on
        the wave's version and being redone whole (the event store serialises inserts
        anyway). Replicas still meet by the version check and retry."""
        with self._wave_locks_guard:
            lock = self._wave_locks.get(wave_id)
            if lock is None:
                lock = self._wave_locks[wave_id] = threading.Lock()
            return lock

    def _get(self, aggregate_id: UUID, kind: type[A], missing: SurveyError) -> A:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        if not isinstance(found, kind):
            raise missing
        return found

    def wave(self, wave_id: UUID, field: str = "wave_id") -> Wave:
        return self._get(wave_id, Wave, WaveNotFound("no such wave", field=field))

    def template(self, template_id: UUID, field: str = "template_id") -> Template:
        return self._get(template_id, Template, TemplateNotFound("no such template", field=field))

    def batch(self, batch_id: UUID, field: str = "batch_id") -> Batch:
        return self._get(batch_id, Batch, BatchNotFound("no such batch", field=field))

    def questionnaire(self, response_id: UUID, field: str = "response_id") -> Response:
        missing = QuestionnaireNotFound("no such questionnaire", field=field)
        return self._get(response_id, Response, missing)

    def stored_response(self, response_id: UUID) -> Response | None:
        try:
            found: object = self.repository.get(response_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Response) else None


def require_agency(caller: Caller, wave: Wave) -> None:
    """Only an agency accredited to the wave pushes into it (admins may act on its behalf)."""
    if caller.role != "admin" and str(caller.principal_id) not in wave.agencies:
        raise NotWaveAgency(
            "only an agency accredited to the wave may push questionnaires", field="X-API-Key"
        )
