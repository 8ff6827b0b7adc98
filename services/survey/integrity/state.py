"""The questionnaire being screened (`Candidate`) and what a wave remembers between batches
(`WaveIntegrityState`), with its canonical JSON form and its memory bounds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

PATTERNS_PER_KEY = 64
"""Identical-answer memory: distinct answer patterns kept per (point, device), least recently
seen dropped first."""
PATTERN_KEYS = 256
"""Identical-answer memory: (point, device) pairs kept, least recently seen dropped first."""
BURST_ENTRIES = 5_000
"""Burst memory: most timestamps kept in all; above it the oldest are dropped down to 90%."""

STATE_FORMAT = 1

PATTERN_ANSWERS_JSON = "answers_json"
PATTERN_ROW_TEXT = "row_text"
PATTERN_FORMS = (PATTERN_ANSWERS_JSON, PATTERN_ROW_TEXT)
"""How the caller makes a questionnaire's pattern, kept in the state so that a wave's
patterns stay comparable from its first batch to its last: a state saved before the form
was recorded is `answers_json`, a new one `row_text`."""


class Candidate(NamedTuple):
    """One questionnaire being recorded (a tuple: one is made per questionnaire pushed, and a
    frozen dataclass costs a `setattr` call per field).

    `pattern` is the caller's canonical digest of the answers: equal answers, equal pattern.
    `ratings` maps unit id to answer text (used for straight-lining only).
    """

    questionnaire_id: str
    collected_at: datetime
    survey_point: str | None
    device: str | None
    agency_id: str | None
    pattern: str
    ratings: Mapping[str, str]


BurstKey = tuple[str, str, str]
"""(`point` or `device`, the point code or device id, the pattern digest)."""
PatternKey = tuple[str | None, str | None]
"""(survey point, device); never both None."""


@dataclass
class WaveIntegrityState:
    """What a wave remembers between batches. JSON round-trips with `to_json`/`from_json`.

    - `newest`: the latest `collected_at` screened; burst memory older than
      `newest - burst_seconds` is dropped.
    - `bursts`: per (point|device, pattern digest), the collection times inside the burst
      window, ascending, at most `burst_size` of them.
    - `patterns`: per (point, device), pattern digest -> the first two distinct questionnaire
      ids seen with it; both levels ordered least recently seen first, capped at
      `pattern_keys` keys and `patterns_per_key` patterns per key.
    - `agency_counts`, `point_counts`: questionnaires recorded so far (flagged ones included).

    Patterns are kept as the first 16 hex digits of their SHA-256 (64 bits), whatever the
    caller's pattern looks like.
    """

    newest: datetime | None = None
    bursts: dict[BurstKey, list[datetime]] = field(default_factory=dict)
    patterns: dict[PatternKey, dict[str, list[str]]] = field(default_factory=dict)
    agency_counts: dict[str, int] = field(default_factory=dict)
    point_counts: dict[str, int] = field(default_factory=dict)
    patterns_per_key: int = PATTERNS_PER_KEY
    pattern_keys: int = PATTERN_KEYS
    burst_entries: int = BURST_ENTRIES
    pattern_form: str = PATTERN_ROW_TEXT

    def copy(self) -> WaveIntegrityState:
        return WaveIntegrityState(
            newest=self.newest,
            bursts={key: list(times) for key, times in self.bursts.items()},
            patterns={
                key: {d: list(ids) for d, ids in seen.items()}
                for key, seen in self.patterns.items()
            },
            agency_counts=dict(self.agency_counts),
            point_counts=dict(self.point_counts),
            patterns_per_key=self.patterns_per_key,
            pattern_keys=self.pattern_keys,
            burst_entries=self.burst_entries,
            pattern_form=self.pattern_form,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; orders that matter (least recently seen first) are lists."""
        return {
            "format": STATE_FORMAT,
            "newest": None if self.newest is None else _iso(self.newest),
            "bursts": [
                [kind, key, digest, [_iso(t) for t in times]]
                for (kind, key, digest), times in sorted(self.bursts.items())
            ],
            "patterns": [
                [point, device, [[digest, list(ids)] for digest, ids in seen.items()]]
                for (point, device), seen in self.patterns.items()
            ],
            "pattern_form": self.pattern_form,
            "agency_counts": dict(sorted(self.agency_counts.items())),
            "point_counts": dict(sorted(self.point_counts.items())),
            "caps": {
                "patterns_per_key": self.patterns_per_key,
                "pattern_keys": self.pattern_keys,
                "burst_entries": self.burst_entries,
            },
        }

    def to_json(self) -> str:
        """Canonical text: equal states give equal text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaveIntegrityState:
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"unknown integrity state format {data.get('format')!r}")
        pattern_form = data.get("pattern_form", PATTERN_ANSWERS_JSON)
        if pattern_form not in PATTERN_FORMS:
            raise ValueError(f"unknown pattern form {pattern_form!r}")
        try:
            caps = data["caps"]
            newest = data["newest"]
            return cls(
                newest=None if newest is None else _parse(newest),
                bursts={
                    (str(kind), str(key), str(digest)): sorted(_parse(t) for t in times)
                    for kind, key, digest, times in data["bursts"]
                },
                patterns={
                    (point, device): {str(digest): [str(i) for i in ids] for digest, ids in seen}
                    for point, device, seen in data["patterns"]
                },
                agency_counts={str(k): int(v) for k, v in data["agency_counts"].items()},
                point_counts={str(k): int(v) for k, v in data["point_counts"].items()},
                patterns_per_key=int(caps["patterns_per_key"]),
                pattern_keys=int(caps["pattern_keys"]),
                burst_entries=int(caps["burst_entries"]),
                pattern_form=pattern_form,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"malformed integrity state: {error}") from error

    @classmethod
    def from_json(cls, text: str) -> WaveIntegrityState:
        loaded = json.loads(text)
        if not isinstance(loaded, dict):
            raise ValueError("malformed integrity state: not an object")
        return cls.from_dict(loaded)

    def burst_size(self) -> int:
        """How many timestamps the burst memory holds."""
        return sum(len(times) for times in self.bursts.values())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without zone: {text!r}")
    return moment.astimezone(UTC)
