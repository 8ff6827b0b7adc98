"""Integrity screening of survey questionnaires (拉票、买票、人为干扰问卷测评): pure functions.

Nothing here reads a clock, a store or the network. `screen` takes a batch of questionnaires,
the wave's rules and what the wave remembers (`WaveIntegrityState`) and returns the flags of
each questionnaire and the state to remember next; `point_departures` compares each survey
point's answer distribution with the rest of the wave. The same input always gives the same
flags in the same order, and screening a sequence in one call or split over several calls
(passing the state along) gives the same flags and the same state.

Split by subject (flags, state, screening, bursts, departures); every name stays importable
from here. The rules, their thresholds, the memory bounds and the statistics are documented
in docs/survey-integrity.md.
"""

from __future__ import annotations

from services.survey.integrity.departures import PointDeparture, departure_flag, point_departures
from services.survey.integrity.flags import (
    BURST,
    FLAG_ORDER,
    FLAG_WORDS,
    IDENTICAL_ANSWERS,
    OVER_QUOTA,
    POINT_DEPARTURE,
    STRAIGHT_LINING,
    flag_reason,
)
from services.survey.integrity.screening import screen
from services.survey.integrity.state import (
    BURST_ENTRIES,
    PATTERN_ANSWERS_JSON,
    PATTERN_FORMS,
    PATTERN_KEYS,
    PATTERN_ROW_TEXT,
    PATTERNS_PER_KEY,
    STATE_FORMAT,
    BurstKey,
    Candidate,
    PatternKey,
    WaveIntegrityState,
)

__all__ = [
    "BURST",
    "BURST_ENTRIES",
    "FLAG_ORDER",
    "FLAG_WORDS",
    "IDENTICAL_ANSWERS",
    "OVER_QUOTA",
    "PATTERNS_PER_KEY",
    "PATTERN_ANSWERS_JSON",
    "PATTERN_FORMS",
    "PATTERN_KEYS",
    "PATTERN_ROW_TEXT",
    "POINT_DEPARTURE",
    "STATE_FORMAT",
    "STRAIGHT_LINING",
    "BurstKey",
    "Candidate",
    "PatternKey",
    "PointDeparture",
    "WaveIntegrityState",
    "departure_flag",
    "flag_reason",
    "point_departures",
    "screen",
]
