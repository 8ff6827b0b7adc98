"""Recording questionnaires: batches from agencies, row by row.

Every bad row is reported (row, field, reason) and the good rows are recorded, unless the
agency asks for all or nothing. A batch, its questionnaires and its wave's `BatchAccepted`
are saved in one transaction: a concurrent close conflicts with it (see `Wave`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.survey.application.base import SurveyBase, require_agency
from services.survey.domain import (
    Batch,
    Checker,
    ConcurrentBatch,
    Problem,
    RejectedBatch,
    Response,
    Wave,
)
from services.survey.integrity import Candidate, WaveIntegrityState, screen
from shared.auth import Principal as Caller
from shared.canonical import fingerprint
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent

BATCH_ATTEMPTS = 6
Row = tuple[int, dict[str, Any]]
"""(index in the request or the uploaded sheet's row number, the questionnaire's fields)."""


def problem(row: int, questionnaire_id: Any, field: str, reason: str, code: str) -> dict[str, Any]:
    return {
        "row": row,
        "questionnaire_id": questionnaire_id,
        "field": field,
        "reason": reason,
        "code": code,
    }


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
    ) -> Result:
        """`rows` passed the request's own validation; `refused` are the rows that did not,
        reported with the rest. The first attempt reads nothing per questionnaire and lets
        the event store's uniqueness catch re-pushes; only after a clash is each looked up."""
        request = {
            "wave_id": wave_id,
            "rows": [[index, q] for index, q in rows],
            "refused": list(refused),
            "all_or_nothing": all_or_nothing,
        }
        with self.wave_lock(wave_id):
            return self._record_batch(caller, wave_id, rows, refused, key, request, prefix)

    def _record_batch(
        self,
        caller: Caller,
        wave_id: UUID,
        rows: Sequence[Row],
        refused: Sequence[dict[str, Any]],
        key: str | None,
        request: dict[str, Any],
        prefix: str,
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
                intake = Intake(self, caller, wave, prefix, list(refused))
                return intake.run(rows, checked=checked, all_or_nothing=all_or_nothing)

            try:
                return run_idempotent(
                    self,
                    principal_id=caller.principal_id,
                    scope=f"questionnaires:{wave_id}",
                    key=key,
                    request=request,
                    command=command,
                )
            except (IntegrityError, AggregateNotFoundError):
                # Either the wave moved on (another batch, or its close) — try again as it
                # now stands — or a questionnaire is already stored: sort them out.
                moved = bool(seen_version) and self.wave(wave_id).version != seen_version[0]
                checked = checked or not moved
        raise ConcurrentBatch(
            "the wave kept changing while this batch was saved; retry the request",
            field="questionnaires",
        )


class Intake:
    """One attempt at recording one batch into one wave."""

    def __init__(
        self,
        app: SurveyBase,
        caller: Caller,
        wave: Wave,
        prefix: str,
        problems: list[dict[str, Any]],
    ) -> None:
        self.app = app
        self.caller = caller
        self.wave = wave
        self.prefix = prefix
        self.problems = problems
        self.agency_id = (
            caller.principal_id if str(caller.principal_id) in wave.agencies else wave.agency_id
        )
        self.units = [str(unit) for unit in wave.unit_ids]

    def run(
        self, rows: Sequence[Row], *, checked: bool, all_or_nothing: bool
    ) -> tuple[list[Any], Result]:
        good = self._valid_rows(rows)
        duplicates: list[str] = []
        if checked:
            good = self._without_stored(good, duplicates)
        if all_or_nothing and self.problems:
            raise RejectedBatch(
                f"{len(self.problems)} problem(s) in the batch; nothing was recorded",
                sorted(self.problems, key=lambda p: p["row"]),
            )
        aggregates, accepted = self._record(good)
        result = {
            "wave_id": str(self.wave.id),
            "batch_id": accepted["batch_id"],
            "accepted": accepted["accepted"],
            "quarantined": accepted["quarantined"],
            "quarantined_questionnaire_ids": accepted["quarantined_ids"],
            "duplicates": len(duplicates),
            "duplicate_questionnaire_ids": duplicates,
            "rejected": len({p["row"] for p in self.problems}),
            "problems": sorted(self.problems, key=lambda p: p["row"]),
        }
        return aggregates, result

    def _valid_rows(self, rows: Sequence[Row]) -> list[tuple[int, dict[str, Any], UUID]]:
        checker = Checker(self.wave, datetime.now(UTC))
        refused_rows = {p["row"] for p in self.problems}
        seen: dict[UUID, int] = {}
        good: list[tuple[int, dict[str, Any], UUID]] = []
        for row, given in rows:
            if row in refused_rows:
                continue
            q, found = expand_row(given, self.units)
            # A bad `row` is the ratings' problem: not reported twice.
            found += [p for p in checker.problems(q) if not (found and p.field == "ratings")]
            response_id = self._response_id(q)
            if response_id in seen:
                what = "panel member" if q["respondent_id"] is not None else "questionnaire id"
                found.append(
                    Problem(
                        "questionnaire_id", f"{what} repeats row {seen[response_id]}", "repeated"
                    )
                )
            for p in found:
                self.problems.append(
                    problem(
                        row,
                        q["questionnaire_id"],
                        f"{self.prefix}.{row}.{p.field}",
                        p.reason,
                        p.code,
                    )
                )
            if not found:
                seen[response_id] = row
                good.append((row, q, response_id))
        return good

    def _response_id(self, q: dict[str, Any]) -> UUID:
        if q["respondent_id"] is not None:
            return Response.panel_id(self.wave.id, q["respondent_id"])
        return Response.create_id(self.wave.id, q["questionnaire_id"])

    def _without_stored(
        self, good: list[tuple[int, dict[str, Any], UUID]], duplicates: list[str]
    ) -> list[tuple[int, dict[str, Any], UUID]]:
        fresh: list[tuple[int, dict[str, Any], UUID]] = []
        for row, q, response_id in good:
            stored = self.app.stored_response(response_id)
            if stored is None:
                fresh.append((row, q, response_id))
            elif stored.attach_units(self.units).same_content(
                recorded_fields(self.wave.id, q, self.agency_id, None, [], self.units),
                q["ratings"],
            ):
                duplicates.append(q["questionnaire_id"])
            else:
                self.problems.append(
                    problem(
                        row,
                        q["questionnaire_id"],
                        f"{self.prefix}.{row}.questionnaire_id",
                        "already recorded with different answers; correct it instead",
                        "questionnaire_conflict",
                    )
                )
        return fresh

    def _record(
        self, good: list[tuple[int, dict[str, Any], UUID]]
    ) -> tuple[list[Any], dict[str, Any]]:
        none: dict[str, Any] = {
            "batch_id": None,
            "accepted": 0,
            "quarantined": 0,
            "quarantined_ids": [],
        }
        if not good:
            return [], none
        wave = self.wave
        state = (
            WaveIntegrityState.from_dict(wave.integrity_state)
            if wave.integrity_state
            else WaveIntegrityState()
        )
        candidates = [candidate(q, str(self.agency_id)) for _, q, _ in good]
        point_quotas = {p.code: p.quota for p in wave.points}
        flags, state = screen(
            candidates, wave.integrity, state, wave.agencies.get(str(self.agency_id)), point_quotas
        )
        batch_id = uuid4()
        responses: list[Response] = []
        quarantined: list[str] = []
        by_point: dict[str, int] = {}
        for (_, q, response_id), found in zip(good, flags, strict=True):
            flagged = [f.model_dump() for f in found]
            fields = recorded_fields(wave.id, q, self.agency_id, batch_id, flagged, self.units)
            # The id derives from the wave and the questionnaire (or panel member).
            responses.append(Response.record(response_id, **fields, actor=self.caller.actor))
            if found:
                quarantined.append(q["questionnaire_id"])
            point = q["survey_point"] or ""
            by_point[point] = by_point.get(point, 0) + 1
        response_ids = [str(r.id) for r in responses]
        batch = Batch.bring(
            batch_id,
            wave_id=wave.id,
            agency_id=self.agency_id,
            response_ids=response_ids,
            actor=self.caller.actor,
        )
        wave.accept_batch(
            batch_id, self.agency_id, len(responses), len(quarantined), by_point, state.to_dict()
        )
        accepted = {
            "batch_id": str(batch_id),
            "accepted": len(responses),
            "quarantined": len(quarantined),
            "quarantined_ids": quarantined,
        }
        return [wave, batch, *responses], accepted


def expand_row(q: dict[str, Any], units: list[str]) -> tuple[dict[str, Any], list[Problem]]:
    """A questionnaire's compact `row` (one answer per unit, in the wave's order) as the
    `ratings` it stands for; what is stored and published is the same either way."""
    row = q.get("row")
    if row is None:
        return q, []
    if q["ratings"]:
        return q, [Problem("row", "give `ratings` or `row`, not both", "row")]
    if len(row) != len(units):
        reason = f"one answer per unit of the wave: {len(units)}, not {len(row)}"
        return q, [Problem("row", reason, "row")]
    ratings = {unit: answer for unit, answer in zip(units, row, strict=True) if answer is not None}
    return q | {"ratings": ratings, "row": None}, []


def candidate(q: dict[str, Any], agency_id: str) -> Candidate:
    return Candidate(
        questionnaire_id=q["questionnaire_id"],
        collected_at=q["collected_at"],
        survey_point=q["survey_point"],
        device=q["device"],
        agency_id=agency_id,
        pattern=fingerprint(answers_of(q)),
        ratings=q["ratings"],
    )


def answers_of(q: dict[str, Any]) -> dict[str, Any]:
    return {
        "ratings": q["ratings"],
        "dimension_ratings": q["dimension_ratings"],
        "opinions": q["opinions"],
        "recommended_key_targets": q["recommended_key_targets"],
    }


def recorded_fields(
    wave_id: UUID,
    q: dict[str, Any],
    agency_id: UUID,
    batch_id: UUID | None,
    flags: list[dict[str, str]],
    units: list[str],
) -> dict[str, Any]:
    """The `Response.Recorded` fields: the overall answers as a row in the wave's unit order
    (a fifth of the bytes of a dict keyed by unit ids, in the log and on the stream), and
    optional parts only when present, so a plain questionnaire stays small."""
    ratings: dict[str, str] = q["ratings"]
    details: dict[str, Any] = {
        "agency_id": str(agency_id),
        "row": [ratings.get(unit) for unit in units],
    }
    optional = {
        "dimension_ratings": q["dimension_ratings"],
        "opinions": q["opinions"],
        "recommended_key_targets": q["recommended_key_targets"],
        "channel": q["channel"],
        "group": q["group"],
        "district_id": None if q["district_id"] is None else str(q["district_id"]),
        "device": q["device"],
        "respondent_id": None if q["respondent_id"] is None else str(q["respondent_id"]),
        "batch_id": None if batch_id is None else str(batch_id),
        "flags": flags,
    }
    details |= {name: value for name, value in optional.items() if value}
    return {
        "wave_id": wave_id,
        "questionnaire_id": q["questionnaire_id"],
        "survey_point": q["survey_point"],
        "collected_at": q["collected_at"],
        "ratings": {},
        "details": details,
    }
