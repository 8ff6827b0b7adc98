"""The wave's checks of a row the request's validation refused, for what its other fields
let judge: every problem of the row comes in one answer, its format problems first, then
the wave's in the order a good row's come (the row's, its time, where, its answers, a
repeated id). The row is refused all the same. Only what needs no store is judged: whether
a questionnaire was recorded before (a conflict, one that counts no more, another
agency's) is said once the row reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from services.survey.application.batches.rows import expand_row, repeated_problem
from services.survey.domain import Checker, Problem, canonical_answers
from services.survey.domain.answers import Salvaged


def judged(problem: Problem, broken: frozenset[str]) -> bool:
    """Whether the problem stands on fields that read. A broken field reads as absent, so
    what the checks say of an absent one (a point, group, district or panel member missing,
    no rating) is not said of it; entries of `ratings` that read are judged by their own
    name (`ratings.<unit>`)."""
    if problem.field in broken:
        return False
    if problem.code == "missing_point" and "channel" in broken:
        return False  # a point is missing only for some channels
    return not (problem.field == "ratings" and "row" in broken)


class SalvagedRows:
    """`Intake`'s checks of the rows that failed the request's validation."""

    units: list[str]
    problems: list[dict[str, Any]]

    def _with_id(self, q: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _response_id(self, q: dict[str, Any]) -> UUID:
        raise NotImplementedError

    def _member(self, q: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _problem(self, row: int, qid: Any, field: str, reason: str, code: str) -> None:
        raise NotImplementedError

    def _check_salvaged(
        self, checker: Checker, salvaged: Sequence[Salvaged], first: dict[UUID, int]
    ) -> None:
        """Each salvaged row's wave problems added to `problems`, quoting the questionnaire
        id as its format problems do; `first`: the row each good questionnaire came in."""
        qids = {p["row"]: p["questionnaire_id"] for p in self.problems}
        for row, given, broken in salvaged:
            for p in self._salvaged_problems(checker, given, broken, row, first):
                self._problem(row, qids.get(row), p.field, p.reason, p.code)

    def _salvaged_problems(
        self,
        checker: Checker,
        given: dict[str, Any],
        broken: frozenset[str],
        row: int,
        first: dict[UUID, int],
    ) -> list[Problem]:
        q = checker.with_codes(given)
        found: list[Problem] = []
        # Whether `row` came beside `ratings` turns on ratings that broke when none read.
        if "ratings" not in broken or q["ratings"]:
            q, found = expand_row(q, self.units)
        if q["questionnaire_id"] is not None:
            q = self._with_id(q)
        if q["collected_at"] is None:
            q = q | {"collected_at": checker.now}  # judged by nothing: its field broke
        problems = checker.problems(canonical_answers(q))
        found += [p for p in problems if not (found and p.field == "ratings")]
        found = [p for p in found if judged(p, broken)]
        member = self._member(q)
        identified = member is not None or q["questionnaire_id"] is not None
        if identified and "respondent_id" not in broken:
            earlier = first.get(self._response_id(q))
            if earlier is not None and earlier < row:
                found.append(repeated_problem(q, earlier, member))
        return found
