"""Recording a batch: one transaction per attempt, tried again while the wave moves on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.survey.application.base import SurveyBase, require_agency
from services.survey.application.batches.intake import CheckedRows, Intake
from services.survey.application.batches.rows import ColumnOf, Row
from services.survey.domain import ConcurrentBatch
from services.survey.domain.answers import Salvaged
from services.survey.domain.errors import SurveyError
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent
from shared.principals import Principal as Caller

BATCH_ATTEMPTS = 6


class BatchCommands(SurveyBase):
    def record_batch(
        self,
        caller: Caller,
        wave_id: UUID,
        rows: Sequence[Row],
        refused: Sequence[dict[str, Any]],
        key: str | None,
        *,
        all_or_nothing: bool = False,
        prefix: str = "questionnaires",
        body_fingerprint: str | None = None,
        columns: ColumnOf | None = None,
        districts: Callable[[str], set[str]] | None = None,
        # What the refused rows still say (their fields that read): checked against the
        # wave, its problems reported beside theirs.
        salvaged: Sequence[Salvaged] = (),
    ) -> Result:
        """`rows` passed the request's own validation; `refused` are the rows that did not,
        reported with the rest. The first attempt reads nothing per questionnaire and lets
        the event store's uniqueness catch re-pushes; only after a clash is each looked up.
        `body_fingerprint`: the request's body as sent, which then identifies it for the
        key instead of `request` (re-encoded, it costs three times as much). `columns`: an
        uploaded sheet's, so that its rows' problems name their column. `districts`: the
        jurisdiction tree below a jurisdiction (this service's registry copy), to check a
        respondent's district against the wave's; looked up only when a row names one."""
        request = {
            "wave_id": wave_id,
            "rows": [[index, q] for index, q in rows],
            "refused": list(refused),
            "all_or_nothing": all_or_nothing,
        }
        below = None
        named = [q for _, q in rows] + [q for _, q, _ in salvaged]
        if districts is not None and any(q.get("district_id") for q in named):
            below = frozenset(districts(str(self.wave(wave_id).jurisdiction_id)))
        early = self._checked_early(
            caller, wave_id, rows, refused, prefix, columns, below, salvaged
        )
        with self.wave_turn(wave_id):
            return self._record_batch(
                caller,
                wave_id,
                rows,
                refused,
                key,
                request,
                prefix,
                body_fingerprint,
                columns,
                below,
                early,
                salvaged,
            )

    def _checked_early(
        self,
        caller: Caller,
        wave_id: UUID,
        rows: Sequence[Row],
        refused: Sequence[dict[str, Any]],
        prefix: str,
        columns: ColumnOf | None,
        districts: frozenset[str] | None,
        salvaged: Sequence[Salvaged] = (),
    ) -> CheckedRows | None:
        """The rows checked before the wave's turn is taken. Pushes into one wave queue for
        its turn, so whatever a push does while holding it bounds the wave's intake (the
        row checks were a quarter of it); they read only what the wave's opening fixed
        (`Wave.OPENING_FACTS`), which no later event changes, so a wave read now gives the
        same answers as the one read in the turn. None where the wave refuses the push
        (missing, closed, not the caller's): the turn's attempt says so, after the
        Idempotency-Key has had its say (a retry after the close still gets its answer)."""
        try:
            wave = self.wave(wave_id)
            require_agency(caller, wave)
            wave.require_open()
            intake = Intake(self, caller, wave, prefix, list(refused), columns, districts)
        except SurveyError:
            return None
        good = intake.valid_rows(rows, salvaged)
        return CheckedRows(good, intake.problems)

    def _record_batch(
        self,
        caller: Caller,
        wave_id: UUID,
        rows: Sequence[Row],
        refused: Sequence[dict[str, Any]],
        key: str | None,
        request: dict[str, Any],
        prefix: str,
        body_fingerprint: str | None,
        columns: ColumnOf | None = None,
        districts: frozenset[str] | None = None,
        early: CheckedRows | None = None,
        salvaged: Sequence[Salvaged] = (),
    ) -> Result:
        all_or_nothing = bool(request["all_or_nothing"])
        checked = False
        for _ in range(BATCH_ATTEMPTS):
            seen_version: list[int] = []

            def command(
                checked: bool = checked, seen_version: list[int] = seen_version
            ) -> tuple[list[Any], Result]:
                wave = self.wave(wave_id)
                seen_version.append(wave.version)
                require_agency(caller, wave)
                wave.require_open()
                problems = list(refused) if early is None else list(early.problems)
                intake = Intake(self, caller, wave, prefix, problems, columns, districts)
                good = intake.valid_rows(rows, salvaged) if early is None else early.good
                return intake.record(good, checked=checked, all_or_nothing=all_or_nothing)

            try:
                return run_idempotent(
                    self,
                    principal_id=caller.principal_id,
                    scope=f"questionnaires:{wave_id}",
                    key=key,
                    request=request,
                    command=command,
                    request_digest=body_fingerprint,
                )
            except (IntegrityError, AggregateNotFoundError):
                # Either the wave moved on (another batch, or its close) — try again as it
                # now stands — or a questionnaire is already stored: sort them out.
                moved = bool(seen_version) and self.wave(wave_id).version != seen_version[0]
                checked = checked or not moved
        raise ConcurrentBatch(
            "保存本批次时测评批次一直有变动, 请重试 "
            "(the wave kept changing while this batch was saved; retry the request)",
            field="questionnaires",
        )
