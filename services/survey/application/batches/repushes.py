"""Sorting out re-pushes once a push's first attempt clashed with questionnaires already
stored: a duplicate (the same questionnaire again, counted once), a conflict (other
answers: correct it instead), a panel member who answered under another id, or another
agency's questionnaire (refused saying only that)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from services.survey.application.batches.rows import recorded_fields
from services.survey.domain import Response
from services.survey.domain.canonical import canonical_id
from services.survey.domain.response.content import REJECTED, VOIDED, WITHDRAWN

if TYPE_CHECKING:
    from services.survey.application.base import SurveyBase
    from services.survey.application.batches.intake import Good
    from services.survey.domain import Wave


class Repushes:
    """Mixed into `Intake`, whose state it reads."""

    app: SurveyBase
    wave: Wave
    agency_id: UUID
    units: list[str]

    def _problem(self, row: int, qid: Any, field: str, reason: str, code: str) -> None:
        raise NotImplementedError  # `Intake`'s

    def _without_stored(self, good: list[Good], duplicates: list[str]) -> list[Good]:
        fresh: list[Good] = []
        withdrawn: dict[UUID, bool] = {}
        for entry in good:
            row, q, response_id, _ = entry
            stored = self.app.stored_response(response_id, self.units)
            if stored is None:
                fresh.append(entry)
            elif self._another_agencys(stored):
                self._taken(row, q)
            elif _another_of_the_member(q, stored.questionnaire_id):
                # Equal answers or not, the member answered already under another id: saying
                # "duplicate" would tell the agency this questionnaire is recorded.
                self._conflict(row, q, stored.questionnaire_id)
            elif (gone := self._gone(stored, withdrawn)) is not None:
                # "Duplicate" would say it counts, and "correct it" cannot be done: it was
                # voided, rejected or withdrawn, and a push does not bring it back.
                self._problem(row, q["questionnaire_id"], "questionnaire_id", gone, "not_counted")
            elif stored.same_content(
                recorded_fields(self.wave.id, q, self.agency_id, None, [], self.units),
                q["ratings"],
            ):
                duplicates.append(q["questionnaire_id"])
            else:
                self._conflict(row, q, stored.questionnaire_id)
        return fresh

    def _gone(self, stored: Response, withdrawn: dict[UUID, bool]) -> str | None:
        """Why the stored questionnaire counts no more, or None while it stands (counted
        or awaiting review); `withdrawn` remembers the batches read."""
        batch_id = stored.batch_id
        if batch_id is not None and batch_id not in withdrawn:
            withdrawn[batch_id] = self.app.batch(batch_id).withdrawn
        status = WITHDRAWN if batch_id is not None and withdrawn[batch_id] else stored.status
        return _GONE.get(status)

    def _another_agencys(self, stored: Response) -> bool:
        """Whether another agency of the wave recorded the stored questionnaire (one stored
        without an agency is the wave's first agency's)."""
        pushed_by = stored.details.get("agency_id") or str(self.wave.agency_id)
        return bool(pushed_by != str(self.agency_id))

    def _taken(self, row: int, q: dict[str, Any]) -> None:
        """The id (or panel member) is another agency's questionnaire: refused saying only
        that, never its id, its answers or whether they equal these (an agency reads only
        its own questionnaires), nor "correct it", which this agency cannot."""
        qid = q["questionnaire_id"]
        if q["respondent_id"] is not None:
            reason = (
                "该评议代表的问卷已由本批次的另一测评机构录入 (this panel member's "
                "questionnaire was recorded by another agency of this wave)"
            )
            self._problem(row, qid, "respondent_id", reason, "other_agency")
            return
        reason = (
            "该问卷编号已由本批次的另一测评机构使用 (this questionnaire id was recorded by "
            "another agency of this wave)"
        )
        self._problem(row, qid, "questionnaire_id", reason, "other_agency")

    def _conflict(self, row: int, q: dict[str, Any], stored_questionnaire_id: str) -> None:
        qid = q["questionnaire_id"]
        if _another_of_the_member(q, stored_questionnaire_id):
            # What collided is the panel member (one questionnaire each), not this id.
            reason = (
                f"该评议代表已在本次评议中作答 (问卷 {stored_questionnaire_id}), 每人只答一份 "
                "(this panel member has already voted in this wave (questionnaire "
                f"{stored_questionnaire_id}); one questionnaire each)"
            )
            self._problem(row, qid, "respondent_id", reason, "panel_answered")
            return
        reason = (
            "该问卷已录入且答案不同, 请改用更正 "
            "(already recorded with different answers; correct it instead)"
        )
        self._problem(row, qid, "questionnaire_id", reason, "questionnaire_conflict")


_GONE = {
    VOIDED: "该问卷已作废，不计入，再次推送也不会恢复 (this questionnaire was voided: it counts "
    "no more, and pushing it again does not restore it)",
    REJECTED: "该问卷经审核未予采信，不计入，再次推送也不会恢复 (this questionnaire was rejected "
    "on review: it counts no more, and pushing it again does not restore it)",
    WITHDRAWN: "该问卷所在批次已撤回，不计入，再次推送也不会恢复 (this questionnaire's batch was "
    "withdrawn: it counts no more, and pushing it again does not restore it)",
}
"""Why a re-pushed questionnaire that stands no more is refused, by its status."""


def _another_of_the_member(q: dict[str, Any], stored_questionnaire_id: str) -> bool:
    """A panel member's questionnaire whose id differs from the one the member answered
    with (a representative evaluation's questionnaire is the member's: one each)."""
    if q["respondent_id"] is None:
        return False
    return bool(canonical_id(stored_questionnaire_id) != canonical_id(q["questionnaire_id"]))
