"""What every survey command reads: its own aggregates, by id, with the survey's errors."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.postgres import PostgresDatastore

from services.survey.domain import (
    NO_SUCH_BATCH,
    NO_SUCH_QUESTIONNAIRE,
    NO_SUCH_WAVE,
    Batch,
    BatchNotFound,
    BatchPart,
    NotWaveAgency,
    QuestionnaireNotFound,
    Response,
    SurveyError,
    Template,
    TemplateNotFound,
    Wave,
    WaveNotFound,
)
from shared.principals import Principal as Caller
from shared.service.application import PublishingApplication

A = TypeVar("A", bound=Aggregate)
WAVE_LOCK_SPACE = 0x5077_5956  # "PwYV": keeps survey's advisory locks apart from others'
PARTS_KEPT = 8
"""Batch parts kept in memory for reading questionnaires (a part never changes): reviewing
a page of quarantined questionnaires reads their parts once."""


def wave_lock_key(wave_id: UUID) -> int:
    """The wave's advisory lock: a signed 64-bit key from its id (two waves sharing one
    only take turns they need not)."""
    high = int.from_bytes(wave_id.bytes[:8], "big", signed=True)
    return high ^ WAVE_LOCK_SPACE


class SurveyBase(PublishingApplication):
    name = "survey"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._wave_locks: dict[UUID, threading.Lock] = {}
        self._wave_locks_guard = threading.Lock()
        self._parts: OrderedDict[UUID, dict[str, Any]] = OrderedDict()
        self._parts_guard = threading.Lock()

    def _wave_lock(self, wave_id: UUID) -> threading.Lock:
        """This process's lock of the wave (`wave_turn` takes it)."""
        with self._wave_locks_guard:
            lock = self._wave_locks.get(wave_id)
            if lock is None:
                lock = self._wave_locks[wave_id] = threading.Lock()
            return lock

    @contextmanager
    def wave_turn(self, wave_id: UUID) -> Iterator[None]:
        """Everything that writes a wave — a batch, a vote, a close, an accreditation —
        takes its turn here, so that writers queue instead of conflicting on the wave's
        version and being redone whole (the event store serialises their inserts anyway).
        Within a process by a lock; across the replicas of a PostgreSQL store by an
        advisory lock of the wave, held on a connection of its own until the write is
        committed or given up (a replica that dies releases it with its session). Two
        request processes can then read and check pushes side by side and still record
        them into a wave one at a time."""
        with self._wave_lock(wave_id):
            datastore = getattr(self.recorder, "datastore", None)
            if not isinstance(datastore, PostgresDatastore):
                yield  # a store of one process (memory, SQLite): its lock is the whole turn
                return
            key = wave_lock_key(wave_id)
            with datastore.get_connection() as conn:  # autocommit: a session lock
                conn.execute("SELECT pg_advisory_lock(%s)", (key,))
                try:
                    yield
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def _get(self, aggregate_id: UUID, kind: type[A], missing: SurveyError) -> A:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        if not isinstance(found, kind):
            raise missing
        return found

    def wave(self, wave_id: UUID, field: str = "wave_id") -> Wave:
        return self._get(wave_id, Wave, WaveNotFound(NO_SUCH_WAVE, field=field))

    def template(self, template_id: UUID, field: str = "template_id") -> Template:
        return self._get(
            template_id,
            Template,
            TemplateNotFound("没有这个问卷模板 (no such template)", field=field),
        )

    def batch(self, batch_id: UUID, field: str = "batch_id") -> Batch:
        return self._get(batch_id, Batch, BatchNotFound(NO_SUCH_BATCH, field=field))

    def questionnaire(
        self,
        response_id: UUID,
        field: str = "response_id",
        unit_ids: Sequence[UUID | str] | None = None,
    ) -> Response:
        """The questionnaire with its content (`with_content`); `unit_ids` (its wave's)
        saves reading the wave."""
        response = self.questionnaire_as_stored(response_id, field)
        return self.with_content(response, self._units_for(response, unit_ids))

    def questionnaire_as_stored(self, response_id: UUID, field: str = "response_id") -> Response:
        """Its events alone: a claimed questionnaire's content is not read yet."""
        missing = QuestionnaireNotFound(NO_SUCH_QUESTIONNAIRE, field=field)
        return self._get(response_id, Response, missing)

    def with_content(self, response: Response, unit_ids: Sequence[UUID | str]) -> Response:
        """The questionnaire readable as first recorded: a claimed one gets its content from
        its batch part, a compactly recorded one its ratings by unit."""
        claim = response.claim
        if claim is None:
            return response.attach_units(unit_ids)
        part = self._part(BatchPart.create_id(claim["batch_id"], claim["part"]))
        return response.attach_claimed(part["questionnaires"][claim["index"]], part, unit_ids)

    def _part(self, part_id: UUID) -> dict[str, Any]:
        with self._parts_guard:
            cached = self._parts.get(part_id)
            if cached is not None:
                self._parts.move_to_end(part_id)
                return cached
        part: BatchPart = self.repository.get(part_id)
        found = {
            "agency_id": part.agency_id,
            "batch_id": part.batch_id,
            "actor": part.recorded_by,
            "levels": part.levels,
            "questionnaires": part.questionnaires,
        }
        with self._parts_guard:
            self._parts[part_id] = found
            while len(self._parts) > PARTS_KEPT:
                self._parts.popitem(last=False)
        return found

    def has_questionnaire(self, response_id: UUID) -> bool:
        """Whether a questionnaire is stored under `response_id` (its first event alone
        is read)."""
        return bool(self.recorder.select_events(response_id, limit=1))

    def stored_response(
        self, response_id: UUID, unit_ids: Sequence[UUID | str] | None = None
    ) -> Response | None:
        """`questionnaire`, or None where there is none."""
        try:
            return self.questionnaire(response_id, unit_ids=unit_ids)
        except QuestionnaireNotFound:
            return None

    def _units_for(
        self, response: Response, unit_ids: Sequence[UUID | str] | None
    ) -> Sequence[UUID | str]:
        """The wave's units where the questionnaire's answers are a row in their order (a
        claimed or compactly recorded one); an old one keyed by unit needs none."""
        if unit_ids is not None:
            return unit_ids
        if response.claim is None and "row" not in response.details:
            return ()
        return self.wave(response.wave_id).unit_ids


def require_agency(caller: Caller, wave: Wave) -> None:
    """Only an agency accredited to the wave pushes into it (admins may act on its behalf)."""
    if caller.role != "admin" and str(caller.principal_id) not in wave.agencies:
        raise NotWaveAgency(
            "只有本次评议认定的测评机构才能推送问卷 "
            "(only an agency accredited to the wave may push questionnaires)",
            field="X-API-Key",
        )
