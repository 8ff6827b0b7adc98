"""Everything decided about a questionnaire after it was recorded: corrections, voids,
quarantine reviews and batch withdrawals. Each is a new event with its actor and reason;
nothing recorded is changed or deleted."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.survey.application.base import SurveyBase
from services.survey.domain import (
    Checker,
    DecisionConflict,
    InvalidQuestionnaire,
    QuestionnaireNotFound,
    Response,
    Wave,
)
from services.survey.domain.response import WITHDRAWN
from shared.auth import Principal as Caller
from shared.idempotency import Response as Result


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
    ) -> Result:
        """A new version of the answers, checked by the wave's rules like the first one."""
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
        self.save(response)
        return self.questionnaire_out(response)

    def void(self, caller: Caller, wave_id: UUID, response_id: UUID, reason: str) -> Result:
        response = self.questionnaire_in(wave_id, response_id, caller)
        response.void(reason, caller.actor)
        self.save(response)
        return self.questionnaire_out(response)

    def review(
        self, caller: Caller, wave_id: UUID, response_ids: list[UUID], decision: str, reason: str
    ) -> Result:
        """Release or reject quarantined questionnaires, all of them or none."""
        wave = self.wave(wave_id)
        responses = [self.questionnaire_in(wave_id, rid, wave=wave) for rid in response_ids]
        batches: dict[UUID, bool] = {}
        for response in responses:
            if self.status_of(response, batches) == WITHDRAWN:
                raise DecisionConflict(
                    "the questionnaire's batch was withdrawn", field="response_ids"
                )
            if decision == "release":
                response.release(reason, caller.actor)
            else:
                response.reject(reason, caller.actor)
        self.save(*responses)
        return {
            "wave_id": str(wave_id),
            "decision": decision,
            "response_ids": [str(r.id) for r in responses],
        }

    def withdraw_batch(self, caller: Caller, wave_id: UUID, batch_id: UUID, reason: str) -> Result:
        batch = self.batch(batch_id)
        if batch.wave_id != wave_id:
            raise DecisionConflict("the batch belongs to another wave", field="batch_id")
        batch.withdraw(reason, caller.actor)
        self.save(batch)
        return batch_out(batch)

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

    def batch_state(self, wave_id: UUID, batch_id: UUID) -> Result:
        batch = self.batch(batch_id)
        if batch.wave_id != wave_id:
            raise DecisionConflict("the batch belongs to another wave", field="batch_id")
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


def batch_out(batch: Any) -> Result:
    return {
        "batch_id": str(batch.id),
        "wave_id": str(batch.wave_id),
        "agency_id": str(batch.agency_id),
        "questionnaires": len(batch.response_ids),
        "withdrawn": batch.withdrawn,
        "withdrawn_reason": batch.withdrawn_reason,
    }
