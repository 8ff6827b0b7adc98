"""Scoring's domain: campaign rounds (`services.scoring.rounds.domain`) scored by the engine
(`services.scoring.engine`). The first release's per-wave aggregates are retired; their
stored-event classes are kept in `services.scoring.retired` so old logs still load."""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

from shared.errors import PingyiError

SCORING_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/scoring")


class ScoringError(PingyiError):
    """Base of every scoring domain error."""
