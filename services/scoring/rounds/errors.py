"""The refusals of campaign-round scoring (re-exported by `rounds.domain`, where the
commands find them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.scoring.domain import ScoringError
from shared.errors import ConflictError, InvalidError, NotFoundError

__all__ = [
    "CampaignNotFound",
    "FinalNeedsReason",
    "RoundNotFound",
    "RoundRunNotFound",
    "SchemeIdTaken",
    "SchemeInvalid",
    "SchemeNotAssigned",
    "SchemeNotFound",
    "SchemeShipped",
    "SchemeVersionTaken",
]


class SchemeNotFound(ScoringError, NotFoundError):
    code = "scheme_not_found"


class SchemeInvalid(ScoringError, InvalidError):
    """Every problem of the document, each naming its path (`document.components.0.weight`)."""

    code = "scheme_invalid"

    def __init__(self, problems: Sequence[tuple[str, str]], prefix: str = "document") -> None:
        self.problems = [(f"{prefix}.{f}" if f != "$" else prefix, r) for f, r in problems]
        count = len(self.problems)
        several = f"方案文档有 {count} 处问题, 见 detail ({count} problems in the document)"
        reason = self.problems[0][1] if count == 1 else several
        super().__init__(reason, field=self.problems[0][0])

    def body(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "detail": [{"field": field, "reason": reason} for field, reason in self.problems],
        }


class SchemeShipped(ScoringError, ConflictError):
    """A shipped scheme's versions come with Pingyi's releases only."""

    code = "scheme_shipped"


class SchemeIdTaken(ScoringError, ConflictError):
    """A scheme id belongs to the jurisdiction whose office registered its first version."""

    code = "scheme_id_taken"


class SchemeVersionTaken(ScoringError, ConflictError):
    """A registered version is immutable: a changed document needs a new version."""

    code = "scheme_version_taken"


class SchemeNotAssigned(ScoringError, ConflictError):
    code = "scheme_not_assigned"


class CampaignNotFound(ScoringError, NotFoundError):
    code = "campaign_not_found"


class RoundNotFound(ScoringError, NotFoundError):
    code = "round_not_found"


class RoundRunNotFound(ScoringError, NotFoundError):
    code = "round_run_not_found"


class FinalNeedsReason(ScoringError, InvalidError):
    """A final run that would replace the round's final result (its final run, published
    on reporting or not) says why."""

    code = "reason_required"
