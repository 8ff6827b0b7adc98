"""What a questionnaire says and where it stands, as read: the reading half of `Response`,
including the content a claimed questionnaire takes from its batch part."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from shared.contracts.survey import row_ratings
from shared.contracts.survey_batch import row_codes

if TYPE_CHECKING:
    from services.survey.domain.response.questionnaire import Response

COUNTED = "counted"
QUARANTINED = "quarantined"
REJECTED = "rejected"
VOIDED = "voided"
WITHDRAWN = "withdrawn"

_STATUS_WORDS = {
    COUNTED: "已计入",
    QUARANTINED: "留待审核",
    REJECTED: "未予采信",
    VOIDED: "已作废",
    WITHDRAWN: "所在批次已撤回",
}


def status_words(status: str) -> str:
    """A questionnaire's status as a refusal names it in Chinese (`已作废的问卷不能更正`)."""
    return _STATUS_WORDS.get(status, status)


_CLAIM_OWN = frozenset({"response_id", "questionnaire_id", "survey_point", "collected_at"})
"""A part entry's fields that are the questionnaire's own attributes, not its details."""


class ResponseContent:
    """Mixed into `Response`; its state is set by `Response`'s mutators."""

    wave_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    details: dict[str, Any]
    answer_versions: list[dict[str, Any]]
    recorded_by: str
    claim: dict[str, Any] | None
    flags: list[dict[str, str]]
    review: str | None
    voided: bool
    history: list[dict[str, Any]]

    def claim_from(self, claimed: Response.Claimed) -> None:
        self.wave_id = claimed.wave_id
        self.claim = {
            "batch_id": claimed.batch_id,
            "part": claimed.part,
            "index": claimed.index,
        }
        self.details = {"batch_id": str(claimed.batch_id)}
        self.answer_versions = [{}]
        self.recorded_by = ""
        self.flags = []
        self.review = None
        self.voided = False
        self.history = []

    def attach_claimed(
        self, content: dict[str, Any], part: dict[str, Any], unit_ids: Sequence[UUID | str]
    ) -> Self:
        """Give a claimed questionnaire its content, as first recorded, from its batch part
        (`content` is the part's entry, its row a row text; `part` names the agency, the
        actor and the levels its codes stand for): it then reads exactly as if it had been
        recorded on its own. Changes no stored state."""
        if self.claim is None or self.claim.get("attached"):
            return self
        row = _answers(content["row"], part["levels"])
        details: dict[str, Any] = {"agency_id": str(part["agency_id"])}
        details |= {k: v for k, v in content.items() if k not in _CLAIM_OWN}
        details["row"] = row
        details["batch_id"] = str(part["batch_id"])
        self.questionnaire_id = content["questionnaire_id"]
        self.survey_point = content["survey_point"]
        collected_at = content["collected_at"]
        self.collected_at = (
            datetime.fromisoformat(collected_at) if isinstance(collected_at, str) else collected_at
        )
        self.details = details
        self.answer_versions[0] = {
            "ratings": row_ratings(unit_ids, row),
            "dimension_ratings": content.get("dimension_ratings", {}),
            "opinions": content.get("opinions", []),
            "recommended_key_targets": content.get("recommended_key_targets", []),
        }
        self.recorded_by = part["actor"]
        # Quarantines applied on load came after the recording's own flags.
        self.flags = list(content.get("flags", [])) + list(self.flags)
        self.claim["attached"] = True
        return self

    # --- reading -------------------------------------------------------------------------

    @property
    def ratings(self) -> dict[str, str]:
        current: dict[str, str] = self.answer_versions[-1]["ratings"]
        return current

    @property
    def answers(self) -> dict[str, Any]:
        return self.answer_versions[-1]

    @property
    def answers_version(self) -> int:
        """Which version of the answers is current (1: as first recorded)."""
        return len(self.answer_versions)

    @property
    def batch_id(self) -> UUID | None:
        value = self.details.get("batch_id")
        return None if value is None else UUID(str(value))

    @property
    def status(self) -> str:
        """Where it stands, leaving batch withdrawal to the batch (see `Batch.withdrawn`)."""
        if self.voided:
            return VOIDED
        if self.review == REJECTED:
            return REJECTED
        if self.flags and self.review != "released":
            return QUARANTINED
        return COUNTED

    def attach_units(self, unit_ids: Sequence[UUID | str]) -> Self:
        """Give the questionnaire its wave's units, so a compactly stored first version (a
        row of answers in the wave's unit order) reads as ratings by unit id. Called by the
        application on every load that reads answers; changes no state that is stored."""
        row = self.details.get("row")
        if row is not None and not self.answer_versions[0]["ratings"]:
            self.answer_versions[0] = self.answer_versions[0] | {
                "ratings": row_ratings(unit_ids, row)
            }
        return self

    def same_content(self, recorded: dict[str, Any], ratings: dict[str, str]) -> bool:
        """Whether a re-pushed questionnaire (its `Recorded` fields, and its ratings by unit)
        is this one again: where and when as first recorded (aware datetimes compare as
        instants, so an offset change alone is not a difference), with the answers it was
        first recorded with (a retry) or the answers it has now. An agency that corrected
        a questionnaire and pushes it as it now reads is told it is there, not that it
        conflicts and should be corrected. Needs `attach_units`."""
        ignored = ("batch_id", "flags", "row", *_ANSWER_PARTS)
        details = {k: v for k, v in recorded["details"].items() if k not in ignored}
        mine = {k: v for k, v in self.details.items() if k not in ignored}
        if (
            self.survey_point != recorded["survey_point"]
            or self.collected_at != recorded["collected_at"]
            or mine != details
        ):
            return False
        pushed = {"ratings": ratings} | {
            part: recorded["details"].get(part) or empty for part, empty in _ANSWER_PARTS.items()
        }
        return any(
            all((version.get(part) or empty) == pushed[part] for part, empty in _ANSWERS.items())
            for version in (self.answer_versions[0], self.answer_versions[-1])
        )


_ANSWER_PARTS: dict[str, Any] = {
    "dimension_ratings": {},
    "opinions": [],
    "recommended_key_targets": [],
}
"""The answers besides the overall ratings, as a recording's details hold them (only when
present) and each version of the answers holds them."""
_ANSWERS: dict[str, Any] = {"ratings": {}} | _ANSWER_PARTS


def _answers(row: str, levels: Sequence[str]) -> list[str | None]:
    """A row text as the answers it stands for (None: not rated)."""
    answers: tuple[str | None, ...] = (None, *levels)
    return [answers[code] for code in row_codes(row) or b""]
