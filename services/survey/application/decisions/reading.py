"""How a questionnaire reads after every decision about it: its state, its history with
the time of each entry, its versions, and its batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.survey.application.base import SurveyBase
from services.survey.domain import (
    NO_SUCH_BATCH,
    NO_SUCH_QUESTIONNAIRE,
    Batch,
    BatchNotFound,
    QuestionnaireNotFound,
    Response,
    Wave,
)
from services.survey.domain.response import WITHDRAWN
from shared.idempotency import Response as Result
from shared.principals import Principal as Caller


class QuestionnaireReads(SurveyBase):
    def questionnaire_in(
        self,
        wave_id: UUID,
        response_id: UUID,
        caller: Caller | None = None,
        wave: Wave | None = None,
    ) -> Response:
        """The wave's questionnaire (another wave's is answered as not found); of a
        multi-agency wave's, an agency reaches only those it pushed (another agency's are
        answered as not found). Pass the `wave` when reading many questionnaires of it, so
        it is loaded once."""
        response = self.questionnaire_as_stored(response_id)
        if response.wave_id != wave_id:
            # Answered as an unknown id is: the caller may be outside the other wave's scope
            # (another county), and anything else would tell it the questionnaire exists.
            raise QuestionnaireNotFound(NO_SUCH_QUESTIONNAIRE, field="response_id")
        self.with_content(response, (wave or self.wave(wave_id)).unit_ids)
        pushed_by = response.details.get("agency_id")
        if caller is not None and caller.role == "agency" and pushed_by != str(caller.principal_id):
            raise QuestionnaireNotFound(NO_SUCH_QUESTIONNAIRE, field="response_id")
        return response

    def batch_of(self, response: Response) -> Batch | None:
        """The batch a pushed questionnaire came in (None: recorded on its own)."""
        return None if response.batch_id is None else self.batch(response.batch_id)

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

    def batch_state(self, wave_id: UUID, batch_id: UUID, agency_id: str | None = None) -> Result:
        """The batch of the wave; `agency_id`: the reader is that agency, which reads only
        the batches it pushed (another's are not found, as its questionnaires are not)."""
        batch = self.batch(batch_id)
        theirs = agency_id is not None and str(batch.agency_id) != agency_id
        if batch.wave_id != wave_id or theirs:
            raise BatchNotFound(NO_SUCH_BATCH, field="batch_id")
        return batch_out(batch)

    def questionnaire_out(self, response: Response) -> Result:
        batch = self.batch_of(response)
        withdrawn = batch is not None and batch.withdrawn
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
            "voter_check": response.details.get("voter_check"),
            "status": WITHDRAWN if withdrawn else response.status,
            "flags": response.flags,
            "version": response.answers_version,
            "answers": response.answers,
            "recorded_by": response.recorded_by,
            "recorded_at": response.created_on.isoformat(),
            "history": history_out(response, batch),
        }

    def versions(self, wave_id: UUID, response_id: UUID, caller: Caller | None = None) -> Result:
        """Every version of the answers, with when it was made and, for a correction, by
        whom, why and what changed from the one before."""
        response = self.questionnaire_in(wave_id, response_id, caller)
        out: list[dict[str, Any]] = []
        corrections = [h for h in response.history if h["event"] == "corrected"]
        for number, answers in enumerate(response.answer_versions, start=1):
            entry: dict[str, Any] = {"version": number, "answers": answers}
            if number == 1:
                entry["at"] = response.created_on.isoformat()
            else:
                made = corrections[number - 2]
                entry |= {
                    "at": _iso(made["at"]),
                    "reason": made["reason"],
                    "actor": made["actor"],
                    "changes": diff(response.answer_versions[number - 2], answers),
                }
            out.append(entry)
        return {"response_id": str(response.id), "versions": out}


def history_out(response: Response, batch: Batch | None = None) -> list[dict[str, Any]]:
    """The decisions in the order they were made, each with its time, its batch's
    withdrawal among them (the batch's event, which decides about every questionnaire of
    it at once)."""
    entries = list(response.history)
    if batch is not None and batch.withdrawn:
        entries.append(
            {
                "event": "withdrawn",
                "at": batch.withdrawn_at,
                "reason": batch.withdrawn_reason,
                "actor": batch.withdrawn_by,
                "batch_id": str(batch.id),
            }
        )
        entries.sort(key=lambda entry: entry["at"] or _EARLIEST)  # stable: ties keep order
    return [entry | {"at": _iso(entry["at"])} for entry in entries]


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    # The mutators record every event's own time; None is not expected, and reads as null.
    return None if moment is None else moment.isoformat()


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


def batch_out(batch: Batch) -> Result:
    return {
        "batch_id": str(batch.id),
        "wave_id": str(batch.wave_id),
        "agency_id": str(batch.agency_id),
        "questionnaires": len(batch.response_ids),
        "recorded_by": batch.recorded_by,
        "recorded_at": batch.created_on.isoformat(),
        "withdrawn": batch.withdrawn,
        "withdrawn_reason": batch.withdrawn_reason,
        "withdrawn_by": batch.withdrawn_by,
        "withdrawn_at": _iso(batch.withdrawn_at),
    }
