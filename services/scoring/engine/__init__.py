"""The scoring engine: one pure function from (scheme, the ordered contract messages it
consumed) to a campaign round's results, called alike by the live service, by replay and by
the offline audit verifier.

It depends on the contract models (`shared.contracts`), canonical JSON (`shared.canonical`),
pydantic and the standard library only: no database, no server, no other service's code
(tests/scoring/engine/test_purity.py holds it to that).

- `inputs`: the round inputs document the fold produces and the computation reads.
- `fold`: contract messages -> the inputs document (`RoundFold`).
- `scheme`: the scheme language; `compute`: (scheme, inputs) -> results; `whatif`.
- `score_round`: the three composed, for callers holding every message at once (the
  audit verifier, replay); the live service keeps a fold per round and computes from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.scoring.engine.compute import compute_round
from services.scoring.engine.compute.revision import CURRENT
from services.scoring.engine.fold import RoundFold
from services.scoring.engine.scheme import Scheme
from shared.contracts import IntegrationMessage

__all__ = ["Scheme", "score_fold", "score_round"]


def score_round(
    scheme: Scheme | Mapping[str, Any],
    messages: Iterable[IntegrationMessage],
    *,
    campaign_id: str,
    round: int,
    keep_records: frozenset[str] | None = None,
    revision: int = CURRENT,
) -> dict[str, Any]:
    """The round's results document computed from `messages` (each origin's in its own log
    order; how origins interleave does not matter), with the positions read to per origin
    under "upstream_positions". The one way every caller computes a round.

    `keep_records`: for a caller that knows the whole survey prefix it folds, the responses
    some later message names (`fold.named_responses`): the fold keeps no other record, so
    memory stays flat in the number of questionnaires and the results are the same.

    `revision`: the engine revision (`compute.revision`): a stored run's own to replay it."""
    fold = RoundFold(campaign_id, round, keep_records=keep_records)
    for message in messages:
        fold.apply(message)
    return score_fold(scheme, fold, revision)


def score_fold(
    scheme: Scheme | Mapping[str, Any], fold: RoundFold, revision: int = CURRENT
) -> dict[str, Any]:
    """The results document of a fold that has every message (`score_round`'s second half,
    for a caller that folds in its own way: replay's ranges side by side)."""
    chosen = scheme if isinstance(scheme, Scheme) else Scheme.from_document(scheme)
    results = compute_round(chosen, fold.inputs(), revision)
    return {**results, "upstream_positions": fold.positions()}
