"""The flag codes integrity screening puts on questionnaires, and their order."""

from __future__ import annotations

IDENTICAL_ANSWERS = "identical_answers"
BURST = "burst"
STRAIGHT_LINING = "straight_lining"
OVER_QUOTA = "over_quota"
POINT_DEPARTURE = "point_departure"
FLAG_ORDER: tuple[str, ...] = (IDENTICAL_ANSWERS, BURST, STRAIGHT_LINING, OVER_QUOTA)
"""A questionnaire's flags always come in this order (at most one of each code)."""
