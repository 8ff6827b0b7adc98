"""A round run's id, from what determines its results and its finality (re-exported by
`rounds.domain`, whose `RoundRun` is created under it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from services.scoring.domain import SCORING_NAMESPACE


def round_run_id(
    campaign_id: UUID,
    round_number: int,
    final: bool,
    scheme: dict[str, Any],
    upstream_positions: dict[str, int],
    supersedes: str | None = None,
    revision: int = 1,
) -> UUID:
    """A run's id, from what determines its results and its finality. A final recorded again
    with the scheme and inputs of an earlier final that another final has superseded since
    also names the final it supersedes (`supersedes`), so it is a run of its own. The engine
    revision is named from the second on (ids of runs before revisions stay as they were):
    the same scheme and inputs under a corrected engine are another run."""
    positions = ",".join(f"{k}={v}" for k, v in sorted(upstream_positions.items()))
    hashed = scheme["scheme_hash"]
    name = f"round-run|{campaign_id}|{round_number}|{int(final)}|{hashed}|{positions}"
    if supersedes is not None:
        name += f"|supersedes={supersedes}"
    if revision != 1:
        name += f"|revision={revision}"
    return uuid5(SCORING_NAMESPACE, name)
