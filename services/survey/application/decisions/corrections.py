"""A correction's answers read as a push's are (a compact `row` is the `ratings` it stands
for, checked by the same rules), and why a decision about a questionnaire of a withdrawn
batch is refused."""

from __future__ import annotations

from typing import Any

from services.survey.application.batches.intake import refuse_repeated_units
from services.survey.application.batches.rows import expand_row
from services.survey.domain import refusal

BATCH_WITHDRAWN = (
    "该问卷所在批次已撤回, 不能再对它作出处理 (the questionnaire's batch was withdrawn)"
)
"""Why a questionnaire of a withdrawn batch is refused a correction, a void or a review."""

COMPACT = ("row", "given_row")
"""The compact form and what `expand_row` keeps of it: read, never stored by a correction."""


def expanded(answers: dict[str, Any], units: list[str]) -> dict[str, Any]:
    """A correction's answers with a compact `row` read as the `ratings` it stands for, by
    the rules of a push's row (one answer per unit of the wave, not beside `ratings`)."""
    if answers.get("row") is not None:
        refuse_repeated_units(units)
        answers, found = expand_row(answers, units)
        if found:
            raise refusal(found)
    return {key: value for key, value in answers.items() if key not in COMPACT}
