"""The flag codes integrity screening puts on questionnaires, and their order."""

from __future__ import annotations

IDENTICAL_ANSWERS = "identical_answers"
BURST = "burst"
STRAIGHT_LINING = "straight_lining"
OVER_QUOTA = "over_quota"
POINT_DEPARTURE = "point_departure"
FLAG_ORDER: tuple[str, ...] = (IDENTICAL_ANSWERS, BURST, STRAIGHT_LINING, OVER_QUOTA)
"""A questionnaire's flags always come in this order (at most one of each code)."""

FLAG_WORDS: dict[str, str] = {
    IDENTICAL_ANSWERS: "the same answers as another questionnaire id from this point or device",
    BURST: "one of a burst of identical questionnaires from one point or device",
    STRAIGHT_LINING: "the same answer for every unit rated",
    OVER_QUOTA: "over the agency's or the survey point's quota",
    POINT_DEPARTURE: "its survey point's answers depart from the rest of the wave's",
}
"""What each flag code means, in English: a flag's `detail` is the Chinese an office reads
(and is stored and published as it is); an agency's push answer adds these words after it
(`flag_reason`), as every reason survey answers with reads, Chinese first."""


def flag_reason(code: str, detail: str) -> str:
    """A flag as its push answers it: the Chinese detail, then the code's English words (a
    code without words, from a later release's log, reads as the detail alone)."""
    words = FLAG_WORDS.get(code)
    return f"{detail} ({words})" if words else detail
