"""One attempt at recording one batch: rows checked, re-pushes sorted out, questionnaires
screened for integrity, and the batch, its questionnaires and the wave's `BatchAccepted`
made ready to save together (saving.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, NamedTuple
from uuid import UUID

from services.survey.application.base import SurveyBase
from services.survey.application.batches.repushes import Repushes
from services.survey.application.batches.rows import (
    ColumnOf,
    Row,
    checked_row_text,
    expand_row,
    problem,
    repeated_problem,
)
from services.survey.application.batches.salvaged import SalvagedRows
from services.survey.application.batches.saving import Saving
from services.survey.domain import (
    Checker,
    Problem,
    RejectedBatch,
    Response,
    Wave,
    canonical_answers,
)
from services.survey.domain.answers import Salvaged
from services.survey.domain.canonical import canonical_id
from services.survey.domain.errors import SurveyError
from shared.contracts.survey import SCALE_LEVELS, WaveKind
from shared.contracts.survey_batch import row_chars
from shared.errors import ConflictError
from shared.idempotency import Response as Result
from shared.principals import Principal as Caller


class WaveUnitsRepeated(SurveyError, ConflictError):
    """The wave lists a unit more than once (waves opened before that was refused): a row
    of answers, one per unit in the wave's order, would rate that unit twice, so the wave
    takes no questionnaires; close it and open one that lists each unit once."""

    code: ClassVar[str] = "wave_units_repeated"


class Good(NamedTuple):
    """A questionnaire that passed every check, with what the checks made of it."""

    row: int
    q: dict[str, Any]
    response_id: UUID
    text: str
    """Its row text (`checked_row_text`), what its part stores and publishes."""


class CheckedRows(NamedTuple):
    """A push's rows checked on their own (`Intake.valid_rows`)."""

    good: list[Good]
    problems: list[dict[str, Any]]
    """The refused rows' problems, those found before the checks included."""


class Intake(Repushes, Saving, SalvagedRows):
    """One attempt at recording one batch into one wave."""

    def __init__(
        self,
        app: SurveyBase,
        caller: Caller,
        wave: Wave,
        prefix: str,
        problems: list[dict[str, Any]],
        columns: ColumnOf | None = None,
        districts: frozenset[str] | None = None,
    ) -> None:
        """`columns`: an uploaded sheet's, so that its rows' problems name their column.
        `districts`: where a respondent's district may be (None: not checked)."""
        self.districts = districts
        self.app = app
        self.caller = caller
        self.wave = wave
        self.prefix = prefix
        self.problems = problems
        self.agency_id = (
            caller.principal_id if str(caller.principal_id) in wave.agencies else wave.agency_id
        )
        self.units = [str(unit) for unit in wave.unit_ids]
        refuse_repeated_units(self.units)
        self.columns = columns
        self._response_id_of = Response.ids_in(wave.id)
        self.representative = wave.kind == WaveKind.REPRESENTATIVE_EVALUATION
        # Rows are stored as row texts of the scale's codes: what the parts publish as is.
        self.levels = list(SCALE_LEVELS[wave.template.scale])
        self.chars = row_chars(self.levels)

    def run(
        self,
        rows: Sequence[Row],
        *,
        checked: bool,
        all_or_nothing: bool,
        salvaged: Sequence[Salvaged] = (),
    ) -> tuple[list[Any], Result]:
        good = self.valid_rows(rows, salvaged)
        return self.record(good, checked=checked, all_or_nothing=all_or_nothing)

    def record(
        self, good: list[Good], *, checked: bool, all_or_nothing: bool
    ) -> tuple[list[Any], Result]:
        """The rows that passed `valid_rows` (of this intake or of one on the same wave read
        earlier: they read only what the wave's opening fixed) screened and made ready to
        save, with the re-pushes sorted out once a first attempt clashed (`checked`)."""
        duplicates: list[str] = []
        if checked:
            good = self._without_stored(good, duplicates)
        if all_or_nothing and self.problems:
            raise RejectedBatch(
                f"本批次有 {len(self.problems)} 处问题, 未录入任何问卷 "
                f"({len(self.problems)} problem(s) in the batch; nothing was recorded)",
                sorted(self.problems, key=lambda p: p["row"]),
            )
        aggregates, accepted = self._record(good)
        result = {
            "wave_id": str(self.wave.id),
            "batch_id": accepted["batch_id"],
            "accepted": accepted["accepted"],
            "quarantined": accepted["quarantined"],
            "quarantined_questionnaire_ids": accepted["quarantined_ids"],
            "quarantined_reasons": accepted["quarantined_reasons"],
            "duplicates": len(duplicates),
            "duplicate_questionnaire_ids": duplicates,
            "rejected": len({p["row"] for p in self.problems}),
            "problems": sorted(self.problems, key=lambda p: p["row"]),
        }
        return aggregates, result

    def valid_rows(self, rows: Sequence[Row], salvaged: Sequence[Salvaged] = ()) -> list[Good]:
        """The rows that pass every check of a row on its own, each refused one reported in
        `problems`. The checks read only what the wave's opening fixed (`Wave.OPENING_FACTS`:
        its units, scale, window, points, channels, groups and panel), so they may run on a
        wave read before its turn was taken."""
        checker = Checker(self.wave, datetime.now(UTC), self.districts)
        refused_rows = {p["row"] for p in self.problems}
        seen: dict[UUID, int] = {}
        good: list[Good] = []
        for row, given in rows:
            if row in refused_rows:
                continue
            q, found = expand_row(given, self.units)
            q = self._with_id(checker.with_codes(q))
            text = None if found else checked_row_text(q, self.units, self.chars)
            if text is None or q["dimension_ratings"]:
                # Answers as sent are the scale's own in the common case: only a row they
                # do not fit (满意　, ９５) is read again with its answers made canonical.
                q = canonical_answers(q)
                text = None if found else checked_row_text(q, self.units, self.chars)
            # A bad `row` is the ratings' problem: not reported twice. Ratings that made a row
            # text are good ones: the checker need not look at them again.
            problems = checker.problems(q, ratings_checked=text is not None)
            found += [p for p in problems if not (found and p.field == "ratings")]
            response_id = self._response_id(q)
            if response_id in seen:
                found.append(repeated_problem(q, seen[response_id], self._member(q)))
            if not found and text is None:
                # The one pass refuses only what the checker refuses (test_intake_rows.py);
                # should they ever disagree, the row is refused, never recorded without
                # its row text nor answered with a 500.
                reason = (
                    "评价未能按本次评议的单位逐一对应 "
                    "(the ratings do not make one answer per unit of the wave)"
                )
                found.append(Problem("ratings", reason, "row"))
            for p in found:
                self._problem(row, q["questionnaire_id"], p.field, p.reason, p.code)
            if not found and text is not None:
                seen[response_id] = row
                good.append(Good(row, q, response_id, text))
        if salvaged:  # rows the request's validation refused: their fields that read
            self._check_salvaged(checker, salvaged, seen)
        return good

    def _with_id(self, q: dict[str, Any]) -> dict[str, Any]:
        """`q` with its questionnaire id as the wave stores it (`canonical_id`): `Ｑ-001` or
        ` Q-001 ` is `Q-001`, so a re-push in another width is a duplicate, not another
        questionnaire. `q` itself when its id is canonical already (the common case, one
        normalisation). In a wave opened before ids were made canonical, an id stored as
        typed stays that questionnaire's: looked up, only for an id that is not canonical."""
        qid = q["questionnaire_id"]
        found = canonical_id(qid)
        if found == qid:
            return q
        if (
            self._member(q) is None
            and not self.wave.canonical_ids
            and self.app.has_questionnaire(self._response_id_of(qid))
        ):
            return q
        return q | {"questionnaire_id": found}

    def _problem(self, row: int, qid: Any, field: str, reason: str, code: str) -> None:
        column = None if self.columns is None else self.columns(row, field)
        self.problems.append(
            problem(row, qid, f"{self.prefix}.{row}.{field}", reason, code, column)
        )

    def _member(self, q: dict[str, Any]) -> Any:
        """The panel member `q` is the questionnaire of: its `respondent_id` in a
        representative evaluation, None in any other wave (whose rows giving one the
        checker refuses, `not_a_panel`)."""
        return q["respondent_id"] if self.representative else None

    def _response_id(self, q: dict[str, Any]) -> UUID:
        """The id `q` is stored under: the panel member's in a representative evaluation
        (one questionnaire each), else the agency's questionnaire id's, so that a re-push
        is a duplicate whatever else it says (严禁复制测评问卷)."""
        member = self._member(q)
        if member is not None:
            return Response.panel_id(self.wave.id, member)
        return self._response_id_of(q["questionnaire_id"])


def refuse_repeated_units(units: list[str]) -> None:
    repeated = sorted(unit for unit, count in Counter(units).items() if count > 1)
    if repeated:
        raise WaveUnitsRepeated(
            "本次评议重复列出了单位, 问卷无法按单位逐一录入; "
            "请结束本次评议, 另开一次每个单位只列一次的评议 "
            "(the wave lists a unit more than once, so its questionnaires cannot be laid out "
            "one answer per unit; close it and open a wave that lists each unit once)",
            field="unit_ids",
            unit_ids=repeated,
        )
