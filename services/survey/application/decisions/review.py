"""What a review of quarantined questionnaires checks of its list: each questionnaire it
cannot decide is named by its place and id, and all of them are reported at once."""

from __future__ import annotations

from uuid import UUID

from services.survey.domain import Objections, SurveyError
from services.survey.domain.errors import InvalidDecision


def refuse_repeats(response_ids: list[UUID]) -> None:
    """The same questionnaire twice in one review is a mistake in the request: refused
    before anything is read (deciding it twice would only clash with itself). Every
    repeat is named, each against its first place."""
    objections = Objections()
    first: dict[UUID, int] = {}
    for index, response_id in enumerate(response_ids):
        if response_id in first:
            earlier = f"response_ids.{first[response_id]}"
            objections.add(
                InvalidDecision(
                    f"该问卷已在 {earlier} 列出 (questionnaire {response_id} is listed already "
                    f"({earlier}))",
                    field=f"response_ids.{index}",
                    code_detail="repeated",
                )
            )
        first.setdefault(response_id, index)
    objections.refuse(InvalidDecision)


def about_one(error: SurveyError) -> bool:
    """Whether an error is about the questionnaire it was raised for, rather than the
    request as a whole (a blank reason), which would be the same for every one."""
    return error.field in (None, "response_id")


def named(error: SurveyError, index: int, response_id: UUID) -> SurveyError:
    """An error about one questionnaire of a list, naming it: its place in the list as the
    field, its id in the reason (after the reason's Chinese, which comes first)."""
    return type(error)(
        f"{error.reason} (questionnaire {response_id})",
        field=f"response_ids.{index}",
        **error.context,
    )
