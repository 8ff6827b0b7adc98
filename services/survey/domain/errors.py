"""The survey's error base and every error it answers with (mapped to HTTP by the kernel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shared.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, PingyiError

T = TypeVar("T")


class SurveyError(PingyiError):
    """Base of every survey domain error. One may stand for several problems of a request
    (`Objections.refuse`): its body then lists each, with its own field, reason and code,
    so a caller fixes them all in one round trip. One problem alone is listed the same way
    (`detail`: one entry with its field, reason and code), so a caller reads every survey
    error by one rule, however many problems it names."""

    several: tuple[SurveyError, ...] = ()

    def body(self) -> dict[str, Any]:
        if not self.several:
            return {"error": self.code, "detail": [self.entry()]}
        detail = [problem.entry() for problem in self.several]
        return {"error": self.code, "reason": self.reason, "detail": detail}

    def entry(self) -> dict[str, Any]:
        """This problem as one entry of a list: its code beside the field and reason, since
        the list's `error` names one kind for them all."""
        entry: dict[str, Any] = {"field": self.field, "reason": self.reason, "code": self.code}
        if self.context:
            entry["context"] = self.context
        return entry


NO_SUCH_WAVE = "没有这次评议 (no such wave)"
NO_SUCH_BATCH = "没有这个批次 (no such batch)"
NO_SUCH_QUESTIONNAIRE = "没有这份问卷 (no such questionnaire)"


def nothing_done(problems: int) -> str:
    """The reason of one error listing several problems, each told in its own entry."""
    return f"共 {problems} 处问题, 未做任何处理 ({problems} problems; nothing was done)"


def blank(what: str, chinese: str) -> str:
    """The reason a domain check refuses text that is blank: which text, Chinese first, as
    the other refusals read (`原因不能为空 (the reason must not be blank)`)."""
    return f"{chinese}不能为空 ({what} must not be blank)"


class Objections:
    """What is wrong with a request, gathered while every independent check runs, so the
    caller learns all of it at once instead of one problem per attempt."""

    def __init__(self) -> None:
        self.found: list[SurveyError] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, error: SurveyError) -> None:
        self.found.extend(error.several or (error,))

    def attempt(self, check: Callable[[], T], otherwise: T) -> T:
        """`check()`, or `otherwise` when it refuses: for a chain of checks each of which
        needs the one before (a panel draw must exist to belong to a campaign)."""
        try:
            return check()
        except SurveyError as error:
            self.add(error)
            return otherwise

    def refuse(self, several: type[SurveyError]) -> None:
        """Nothing when all is well; one problem as it always was answered; several as one
        error listing each: of their own kind when they share it, else of `several`."""
        if not self.found:
            return
        first = self.found[0]
        if len(self.found) == 1:
            raise first
        same = all(type(error) is type(first) for error in self.found)
        error = (type(first) if same else several)(nothing_done(len(self.found)), field=None)
        error.several = tuple(self.found)
        raise error


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
    """A review, correction or withdrawal that the questionnaire's state no longer allows.
    Names the questionnaire (`response_id`) unless told otherwise: a refusal naming no field
    leaves a caller acting on several not knowing which."""

    code = "decision_conflict"

    def __init__(self, reason: str, *, field: str | None = "response_id", **context: Any) -> None:
        super().__init__(reason, field=field, **context)


class QuotaBelowCollected(SurveyError, ConflictError):
    """An agency's quota lowered below the questionnaires of it that stand in the wave (what
    its quota screening counts): they were accepted under the quota it had, and a quota
    under them would say the wave holds more than its agency was allowed."""

    code = "quota_below_collected"


class RepeatedKey(SurveyError, InvalidError):
    """A body names a key twice in one object, where JSON keeps the last silently."""

    code = "duplicate_key"


class InvalidRange(SurveyError, InvalidError):
    """A list's range that ends before it starts: a query parameter's mistake, answered as
    any other (`validation_failed`, naming `query.<parameter>`)."""

    code = "validation_failed"


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


class InvalidCode(SurveyError, InvalidError):
    """A public vote on a wave that needs a text-message code, without a valid one for the
    voter's phone: none given, wrong, expired, already used or spent (`context.why`)."""

    code = "invalid_code"


class InvalidCodeRequest(SurveyError, InvalidError):
    """A code asked for with a `voter` no code can go to (an ID number on a wave that checks
    by code, a number that is no voter's): the request is not a questionnaire, so it is not
    `invalid_questionnaire`."""

    code = "invalid_code_request"


class TooManyCodes(SurveyError):
    """Codes are sent to a phone at most once a minute and five times an hour, and for a
    wave at most `sms_codes_per_wave_hour` times an hour."""

    status_code = 429
    code = "too_many_codes"


class CodeNotNeeded(SurveyError, ConflictError):
    """A code asked for a public wave whose votes need none (`voter_check: none`)."""

    code = "code_not_needed"
