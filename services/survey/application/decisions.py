"""Everything decided about a questionnaire after it was recorded: corrections, voids,
quarantine reviews and batch withdrawals. Each is a new event with its actor and reason;
nothing recorded is changed or deleted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from services.survey.application.base import SurveyBase
from services.survey.domain import (
    BatchNotFound,
    Checker,
    DecisionConflict,
    InvalidQuestionnaire,
    QuestionnaireNotFound,
    Response,
    SurveyError,
    Wave,
)
from services.survey.domain.errors import InvalidDecision
from services.survey.domain.response import WITHDRAWN
from shared.auth import Principal as Caller
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent


class DecisionCommands(SurveyBase):
    def questionnaire_in(
        self,
        wave_id: UUID,
        response_id: UUID,
        caller: Caller | None = None,
        wave: Wave | None = None,
    ) -> Response:
        """The wave's questionnaire; of a multi-agency wave's, an agency reaches only those it
        pushed (another agency's are answered as not found). Pass the `wave` when reading
        many questionnaires of it, so it is loaded once."""
        response = self.questionnaire_as_stored(response_id)
        if response.wave_id != wave_id:
            raise DecisionConflict("the questionnaire belongs to another wave", field="response_id")
        self.with_content(response, (wave or self.wave(wave_id)).unit_ids)
        pushed_by = response.details.get("agency_id")
        if caller is not None and caller.role == "agency" and pushed_by != str(caller.principal_id):
            raise QuestionnaireNotFound("no such questionnaire", field="response_id")
        return response

    def status_of(self, response: Response, withdrawn: dict[UUID, bool] | None = None) -> str:
        """Where the questionnaire stands, its batch's withdrawal included; `withdrawn`
        remembers batches already read when many questionnaires are looked at."""
        batch_id = response.batch_id
        if batch_id is None:
            return response.status
        known = {} if withdrawn is None else withdrawn
        if batch_id not in known:
            known[batch_id] = self.batch(batch_id).withdrawn
        return WITHDRAWN if known[batch_id] else response.status

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
            raise DecisionConflict("the questionnaire's batch was withdrawn")
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
            first = found[0]
            raise InvalidQuestionnaire(
                first.reason,
                field=f"answers.{first.field}",
                problems=[{"field": p.field, "reason": p.reason, "code": p.code} for p in found],
            )
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
            response = self.questionnaire_in(wave_id, response_id, caller)
            response.void(reason, caller.actor)
            return [response], self.questionnaire_out(response)

        request = {"response_id": response_id, "reason": reason}
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
            responses = self._reviewed(caller, wave_id, response_ids, decision, reason)
            return list(responses), {
                "wave_id": str(wave_id),
                "decision": decision,
                "response_ids": [str(r.id) for r in responses],
            }

        request = {"response_ids": response_ids, "decision": decision, "reason": reason}
        return self._once(caller, wave_id, key, "review", request, command)

    def _reviewed(
        self,
        caller: Caller,
        wave_id: UUID,
        response_ids: list[UUID],
        decision: str,
        reason: str,
    ) -> list[Response]:
        """Each questionnaire decided, or the error naming the first that cannot be."""
        wave = self.wave(wave_id)
        batches: dict[UUID, bool] = {}
        responses = []
        for index, response_id in enumerate(response_ids):
            with naming(index, response_id):
                response = self.questionnaire_in(wave_id, response_id, wave=wave)
                if self.status_of(response, batches) == WITHDRAWN:
                    raise DecisionConflict("the questionnaire's batch was withdrawn")
                if decision == "release":
                    response.release(reason, caller.actor)
                else:
                    response.reject(reason, caller.actor)
            responses.append(response)
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
            if batch.wave_id != wave_id:
                raise DecisionConflict("the batch belongs to another wave", field="batch_id")
            batch.withdraw(reason, caller.actor)
            return [batch], batch_out(batch)

        request = {"batch_id": batch_id, "reason": reason}
        return self._once(caller, wave_id, key, "withdraw", request, command)

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

    def batch_state(self, wave_id: UUID, batch_id: UUID, agency_id: str | None = None) -> Result:
        """The batch of the wave; `agency_id`: the reader is that agency, which reads only
        the batches it pushed (another's are not found, as its questionnaires are not)."""
        batch = self.batch(batch_id)
        theirs = agency_id is not None and str(batch.agency_id) != agency_id
        if batch.wave_id != wave_id or theirs:
            raise BatchNotFound("no such batch", field="batch_id")
        return batch_out(batch)

    def questionnaire_out(self, response: Response) -> Result:
        return {
            "response_id": str(response.id),
            "wave_id": str(response.wave_id),
            "questionnaire_id": response.questionnaire_id,
            "survey_point": response.survey_point,
            "collected_at": response.collected_at.isoformat(),
            "channel": response.details.get("channel"),
            "group": response.details.get("group"),
            "device": response.details.get("device"),
            "district_id": response.details.get("district_id"),
            "respondent_id": response.details.get("respondent_id"),
            "agency_id": response.details.get("agency_id"),
            "batch_id": response.details.get("batch_id"),
            "status": self.status_of(response),
            "flags": response.flags,
            "version": response.answers_version,
            "answers": response.answers,
            "recorded_by": response.recorded_by,
            "history": response.history,
        }

    def versions(self, wave_id: UUID, response_id: UUID, caller: Caller | None = None) -> Result:
        """Every version of the answers, with what changed from the one before."""
        response = self.questionnaire_in(wave_id, response_id, caller)
        out: list[dict[str, Any]] = []
        corrections = [h for h in response.history if h["event"] == "corrected"]
        for number, answers in enumerate(response.answer_versions, start=1):
            entry: dict[str, Any] = {"version": number, "answers": answers}
            if number > 1:
                made = corrections[number - 2]
                entry |= {
                    "reason": made["reason"],
                    "actor": made["actor"],
                    "changes": diff(response.answer_versions[number - 2], answers),
                }
            out.append(entry)
        return {"response_id": str(response.id), "versions": out}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Field paths whose value differs, with both values (None where absent)."""
    changes: list[dict[str, Any]] = []
    _diff(before, after, "", changes)
    return changes


def _diff(before: Any, after: Any, path: str, changes: list[dict[str, Any]]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            _diff(before.get(key), after.get(key), f"{path}.{key}" if path else str(key), changes)
    elif before != after:
        changes.append({"field": path, "before": before, "after": after})


def refuse_repeats(response_ids: list[UUID]) -> None:
    """The same questionnaire twice in one review is a mistake in the request: refused
    before anything is read (deciding it twice would only clash with itself)."""
    first: dict[UUID, int] = {}
    for index, response_id in enumerate(response_ids):
        if response_id in first:
            earlier = f"response_ids.{first[response_id]}"
            raise InvalidDecision(
                f"questionnaire {response_id} is listed already ({earlier})",
                field=f"response_ids.{index}",
                code_detail="repeated",
            )
        first[response_id] = index


@contextmanager
def naming(index: int, response_id: UUID) -> Iterator[None]:
    """An error about one questionnaire of a list names it: its place in the list as the
    field, its id in the reason. Errors about another field (a blank reason) pass as they
    are."""
    try:
        yield
    except SurveyError as error:
        if error.field not in (None, "response_id"):
            raise
        raise type(error)(
            f"questionnaire {response_id}: {error.reason}",
            field=f"response_ids.{index}",
            **error.context,
        ) from None


def batch_out(batch: Any) -> Result:
    return {
        "batch_id": str(batch.id),
        "wave_id": str(batch.wave_id),
        "agency_id": str(batch.agency_id),
        "questionnaires": len(batch.response_ids),
        "withdrawn": batch.withdrawn,
        "withdrawn_reason": batch.withdrawn_reason,
    }
