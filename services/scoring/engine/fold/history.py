"""Earlier rounds' published results (`scoring.round.scored`, scoring's own messages), for
multi-cycle rules: the newest final result of each campaign round, read as a plain dict
(the contract is scoring's own and versioned with the engine)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..inputs import HistoryEntry

EVENT_TYPE = "scoring.round.scored"


class MalformedResult(ValueError):
    """A round result without the facts history needs: the consumer stalls on it."""


@dataclass(frozen=True)
class RoundResult:
    pattern: str
    window_ends_on: str
    entries: dict[str, HistoryEntry]
    """unit id -> the unit's entry."""


def read_result(payload: Mapping[str, Any]) -> tuple[tuple[str, int], RoundResult] | None:
    """(campaign id, round) and the result, or None for a result that is not final."""
    try:
        if not payload["final"]:
            return None
        campaign_id = str(payload["campaign_id"])
        round_ = int(payload["round"])
        pattern = payload["pattern"]
        # The pattern is its code; a result that carries the whole pattern names it too.
        code = str(pattern["code"] if isinstance(pattern, Mapping) else pattern)
        ends_on = str(payload["window"]["ends_on"])
        entries: dict[str, HistoryEntry] = {}
        for unit in payload["units"]:
            score = unit.get("score")
            grade = unit.get("grade")
            entries[str(unit["unit_id"])] = {
                "campaign_id": campaign_id,
                "round": round_,
                "window_ends_on": ends_on,
                "grade": None if grade is None else str(grade),
                "lists": sorted(str(name) for name in unit.get("lists") or ()),
                "score": None if score is None else str(score),
                # Figures the computation carries into the unit's next round (整改落实情况
                # 满意率, seed 000): what the carried components read.
                "carried": {
                    str(code): str(value) for code, value in (unit.get("carried") or {}).items()
                },
            }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise MalformedResult(f"scoring.round.scored without {error}") from error
    return (campaign_id, round_), RoundResult(code, ends_on, entries)


class HistoryFold:
    def __init__(self) -> None:
        self.results: dict[tuple[str, int], RoundResult] = {}

    def apply(self, payload: Mapping[str, Any]) -> bool:
        read = read_result(payload)
        if read is None:
            return False
        key, result = read
        # Newest wins: scoring publishes a round again when late decisions change it.
        self.results[key] = result
        return True

    def before(self, pattern: str, starts_on: str) -> list[RoundResult]:
        """Final results of the same pattern whose window ends before `starts_on`, oldest
        first (ties: by campaign id and round)."""
        if not pattern or not starts_on:
            return []
        chosen = [
            (result.window_ends_on, key, result)
            for key, result in self.results.items()
            if result.pattern == pattern and result.window_ends_on < starts_on
        ]
        return [result for _, _, result in sorted(chosen, key=lambda item: item[:2])]
