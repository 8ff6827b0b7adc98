"""The survey's error base and every error it answers with (mapped to HTTP by the kernel)."""

from __future__ import annotations

from typing import Any

from shared.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, PingyiError


class SurveyError(PingyiError):
    """Base of every survey domain error."""


class WaveNotFound(SurveyError, NotFoundError):
    code = "wave_not_found"


class TemplateNotFound(SurveyError, NotFoundError):
    code = "template_not_found"


class QuestionnaireNotFound(SurveyError, NotFoundError):
    code = "questionnaire_not_found"


class BatchNotFound(SurveyError, NotFoundError):
    code = "batch_not_found"


class WaveClosedError(SurveyError, ConflictError):
    code = "wave_closed"


class UnknownUnitInWave(SurveyError, InvalidError):
    code = "unknown_unit_in_wave"


class QuestionnaireConflict(SurveyError, ConflictError):
    code = "questionnaire_conflict"


class ConcurrentBatch(SurveyError, ConflictError):
    """The same questionnaires kept arriving from another request while this one was saved."""

    code = "concurrent_batch"


class InvalidWave(SurveyError, InvalidError):
    code = "invalid_wave"


class InvalidTemplate(SurveyError, InvalidError):
    code = "invalid_template"


class InvalidQuestionnaire(SurveyError, InvalidError):
    code = "invalid_questionnaire"


class RejectedBatch(SurveyError, InvalidError):
    """All-or-nothing batch with bad rows: nothing was recorded; the body lists every row's
    problems (row, field, reason), not just the first."""

    code = "batch_rejected"

    def __init__(self, reason: str, problems: list[dict[str, Any]]) -> None:
        super().__init__(reason, field="questionnaires")
        self.problems = problems

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "reason": self.reason, "detail": self.problems}


class NotWaveAgency(SurveyError, ForbiddenError):
    code = "not_wave_agency"


class DecisionConflict(SurveyError, ConflictError):
    """A review, correction or withdrawal that the questionnaire's state no longer allows."""

    code = "decision_conflict"


class InvalidDecision(SurveyError, InvalidError):
    """A decision request that names something wrongly (the same questionnaire twice)."""

    code = "invalid_decision"


class NotPublicWave(WaveNotFound):
    """A private wave on a public route. Answered exactly as a wave that does not exist
    (the same code, field and reason), so the public cannot tell private waves apart."""


class NotOpenYet(SurveyError, ConflictError):
    """A public vote before the wave's window opens: nothing is wrong with the vote itself."""

    code = "not_open_yet"


class AlreadyVoted(SurveyError, ConflictError):
    code = "already_voted"
