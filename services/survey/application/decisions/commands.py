"""The decisions: correct, void, review, withdraw a batch, quarantine after the fact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.survey.application.decisions.corrections import BATCH_WITHDRAWN, expanded
from services.survey.application.decisions.reading import QuestionnaireReads, batch_out
from services.survey.application.decisions.review import about_one, named, refuse_repeats
from services.survey.domain import (
    NO_SUCH_BATCH,
    Batch,
    BatchNotFound,
    BatchPart,
    Checker,
    DecisionConflict,
    Objections,
    Response,
    SurveyError,
    Wave,
    canonical_answers,
    refusal,
)
from services.survey.domain.response import WITHDRAWN
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent
from shared.principals import Principal as Caller


class DecisionCommands(QuestionnaireReads):
    def correct(
        self,
        caller: Caller,
        wave_id: UUID,
        response_id: UUID,
        answers: dict[str, Any],
        reason: str,
        key: str | None = None,
    ) -> Result:
        """A new version of the answers, checked by the wave's rules like the first one."""

        def command() -> tuple[list[Any], Result]:
            response = self._corrected(caller, wave_id, response_id, answers, reason)
            return [response], self.questionnaire_out(response)

        request = {"response_id": response_id, "answers": answers, "reason": reason}
        return self._once(caller, wave_id, key, "correct", request, command)

    def _corrected(
        self,
        caller: Caller,
        wave_id: UUID,
        response_id: UUID,
        answers: dict[str, Any],
        reason: str,
    ) -> Response:
        wave = self.wave(wave_id)
        response = self.questionnaire_in(wave_id, response_id, caller, wave)
        if self.status_of(response) == WITHDRAWN:
            raise DecisionConflict(BATCH_WITHDRAWN)
        answers = canonical_answers(expanded(answers, [str(u) for u in wave.unit_ids]))
        as_pushed = {
            "questionnaire_id": response.questionnaire_id,
            "collected_at": response.collected_at,
            "survey_point": response.survey_point,
            "channel": response.details.get("channel"),
            "group": response.details.get("group"),
            "district_id": response.details.get("district_id"),
            "device": response.details.get("device"),
            "respondent_id": response.details.get("respondent_id"),
            **answers,
        }
        found = Checker(wave, response.collected_at).answer_problems(as_pushed)
        if found:
            raise refusal(found)
        response.correct(answers, reason, caller.actor)
        return response

    def void(
        self,
        caller: Caller,
        wave_id: UUID,
        response_id: UUID,
        reason: str,
        key: str | None = None,
    ) -> Result:
        def command() -> tuple[list[Any], Result]:
            wave = self.wave(wave_id)
            response = self.questionnaire_in(wave_id, response_id, caller, wave)
            # Its batch's withdrawal already stopped it counting: a void would change
            # nothing, as a correction or a review of it would not (both refused alike).
            if self.status_of(response) == WITHDRAWN:
                raise DecisionConflict(BATCH_WITHDRAWN)
            response.void(reason, caller.actor)
            _free_one_by_one(wave, [response], "voided")
            return [response, wave], self.questionnaire_out(response)

        request = {"response_id": response_id, "reason": reason}
        # The wave's turn: the void frees quota on the wave, which a push screens against.
        with self.wave_turn(wave_id):
            return self._once(caller, wave_id, key, "void", request, command)

    def review(
        self,
        caller: Caller,
        wave_id: UUID,
        response_ids: list[UUID],
        decision: str,
        reason: str,
        key: str | None = None,
    ) -> Result:
        """Release or reject quarantined questionnaires, all of them or none."""
        refuse_repeats(response_ids)

        def command() -> tuple[list[Any], Result]:
            wave = self.wave(wave_id)
            responses = self._reviewed(caller, wave, response_ids, decision, reason)
            changed: list[Any] = list(responses)
            if decision == "reject":
                # A rejected questionnaire never counts again: it stops standing, as a
                # voided one does, and frees its quota on the wave.
                _free_one_by_one(wave, responses, "rejected")
                changed.append(wave)
            return changed, {
                "wave_id": str(wave_id),
                "decision": decision,
                "response_ids": [str(r.id) for r in responses],
            }

        request = {"response_ids": response_ids, "decision": decision, "reason": reason}
        # The wave's turn: a rejection frees quota on the wave, which a push screens against.
        with self.wave_turn(wave_id):
            return self._once(caller, wave_id, key, "review", request, command)

    def _reviewed(
        self,
        caller: Caller,
        wave: Wave,
        response_ids: list[UUID],
        decision: str,
        reason: str,
    ) -> list[Response]:
        """Each questionnaire decided, or an error naming every one that cannot be (none is
        then saved: the review is all or nothing)."""
        wave_id = wave.id
        batches: dict[UUID, bool] = {}
        objections = Objections()
        responses = []
        for index, response_id in enumerate(response_ids):
            try:
                response = self.questionnaire_in(wave_id, response_id, wave=wave)
                _decide(response, self.status_of(response, batches), decision, reason, caller)
            except SurveyError as error:
                if not about_one(error):
                    raise
                objections.add(named(error, index, response_id))
                continue
            responses.append(response)
        objections.refuse(DecisionConflict)
        return responses

    def withdraw_batch(
        self,
        caller: Caller,
        wave_id: UUID,
        batch_id: UUID,
        reason: str,
        key: str | None = None,
    ) -> Result:
        def command() -> tuple[list[Any], Result]:
            batch = self.batch(batch_id)
            if batch.wave_id != wave_id:  # as an unknown id: nothing about another wave's
                raise BatchNotFound(NO_SUCH_BATCH, field="batch_id")
            batch.withdraw(reason, caller.actor)
            wave = self.wave(wave_id)
            count, by_point = self._standing(batch, wave)
            wave.free_quota(batch.agency_id, by_point, count, batch.id, "withdrawn")
            return [batch, wave], batch_out(batch)

        request = {"batch_id": batch_id, "reason": reason}
        with self.wave_turn(wave_id):
            return self._once(caller, wave_id, key, "withdraw", request, command)

    def _standing(self, batch: Batch, wave: Wave) -> tuple[int, dict[str, int]]:
        """How many of the batch's questionnaires still stand (none voided or rejected one
        by one before, which freed their quota then), and how many of them each point has.
        What the batch brought per point is read from its parts (a few reads for
        thousands), or, for a batch recorded before parts, from the wave's own
        `BatchAccepted` of it (one read of the wave's events), never questionnaire by
        questionnaire. What was freed one by one is the wave's per batch; a void stored
        before the wave kept it per batch named its questionnaire, read on its own."""
        brought = len(batch.response_ids)
        by_point = self._brought_by_point(batch)
        freed, freed_by_point = wave.freed_before_withdrawal(batch.id)
        theirs = set(batch.response_ids)
        for rid in wave.voided_one_by_one:
            if rid in theirs:
                freed += 1
                point = self.questionnaire(UUID(rid)).survey_point
                if point is not None:
                    freed_by_point[point] = freed_by_point.get(point, 0) + 1
        standing = {p: n - freed_by_point.get(p, 0) for p, n in by_point.items()}
        return max(brought - freed, 0), {p: n for p, n in standing.items() if n > 0}

    def _brought_by_point(self, batch: Batch) -> dict[str, int]:
        """How many questionnaires the batch brought to each survey point."""
        try:
            first: BatchPart = self.repository.get(BatchPart.create_id(batch.id, 1))
        except AggregateNotFoundError:
            return self._accepted_by_point(batch)
        parts = [first] + [
            self.repository.get(BatchPart.create_id(batch.id, n)) for n in range(2, first.parts + 1)
        ]
        by_point: dict[str, int] = {}
        for part in parts:
            for entry in part.questionnaires:
                point = entry["survey_point"]
                if point is not None:
                    by_point[point] = by_point.get(point, 0) + 1
        return by_point

    def _accepted_by_point(self, batch: Batch) -> dict[str, int]:
        """A batch recorded before parts: what its wave's `BatchAccepted` counted per point
        (saved with the batch, in one transaction; "" for questionnaires of no point). The
        store reads one aggregate's events in one query, not many aggregates' at once: the
        wave's events are that one read, newest first, decoded only where they are the
        acceptance of a batch."""
        for stored in self.recorder.select_events(batch.wave_id, desc=True):
            if not stored.topic.endswith(_ACCEPTED):
                continue
            accepted = self.mapper.to_domain_event(stored)
            if isinstance(accepted, Wave.BatchAccepted) and accepted.batch_id == batch.id:
                return {p: n for p, n in accepted.by_point.items() if p}
        return {}

    def _once(
        self,
        caller: Caller,
        wave_id: UUID,
        key: str | None,
        decision: str,
        request: dict[str, Any],
        command: Callable[[], tuple[list[Any], Result]],
    ) -> Result:
        """A decision made at most once per Idempotency-Key: a retry gets the first answer
        back, though the decision itself could not be made twice (a questionnaire is voided
        once). Every decision about a wave shares one scope, so a key reused for another
        decision, or for the same one about another questionnaire, is refused (409)."""
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"decisions:{wave_id}",
            key=key,
            request={"decision": decision, **request},
            command=command,
        )

    def quarantine(
        self, caller: Caller, wave_id: UUID, response_ids: list[UUID], flags: list[dict[str, str]]
    ) -> list[str]:
        """Flag recorded questionnaires after the fact (a wave-wide check found them)."""
        wave = self.wave(wave_id)
        responses = [self.questionnaire_in(wave_id, rid, wave=wave) for rid in response_ids]
        changed = []
        for response in responses:
            if response.status == "counted" and response.review is None:
                response.quarantine(flags, caller.actor)
                changed.append(response)
        self.save(*changed)
        return [str(r.id) for r in changed]


_ACCEPTED = ":Wave.BatchAccepted"


def _free_one_by_one(wave: Wave, responses: list[Response], why: str) -> None:
    """Questionnaires that stopped standing one by one (`why`: voided, rejected) free
    their quota on the wave: one `QuotaFreed` per agency and batch."""
    groups: dict[tuple[UUID, UUID | None], list[Response]] = {}
    for response in responses:
        agency = UUID(str(response.details.get("agency_id") or wave.agency_id))
        groups.setdefault((agency, response.batch_id), []).append(response)
    for (agency, batch_id), group in groups.items():
        by_point: dict[str, int] = {}
        for response in group:
            point = response.survey_point
            if point is not None:
                by_point[point] = by_point.get(point, 0) + 1
        wave.free_quota(agency, by_point, len(group), batch_id, why)


def _decide(response: Response, status: str, decision: str, reason: str, caller: Caller) -> None:
    if status == WITHDRAWN:
        raise DecisionConflict(BATCH_WITHDRAWN)
    if decision == "release":
        response.release(reason, caller.actor)
    else:
        response.reject(reason, caller.actor)
