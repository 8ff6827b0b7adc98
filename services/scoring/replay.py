"""Auditors' replay: recompute stored score runs from the registry and survey logs and say,
unit by unit, whether the stored results are byte-identical to the recomputation.

Each run names the positions it read the upstream logs up to; replay folds exactly those
prefixes with the same rules the aggregates use (renames, moves and ends of units included
for runs whose roster followed them) and recomputes with the recorded scheme.
Messages published after those positions cannot change the verdict. Both logs are read
once for all runs, capturing the state at every position some run needs.

Entry points: `verify(common, open_log=...)` for every stored run, `verify(common,
[run_id, ...], open_log=...)` or `verify_run(common, run_id, open_log=...)` for chosen runs;
`open_log(service)` opens an upstream's published log (the composition root provides it:
`pingyi.replay`). A recorded scheme that is unknown, or whose
hash differs from the scheme's definition in this code, raises `SchemeMismatch`: that run
cannot be verified until the scheme that produced it is restored.

Nothing to verify is a failure, never a pass: when the scoring, registry or survey store is
not where the settings point (a command run from the wrong folder), or no score run is
stored, `NothingToVerify` is raised before anything is opened, so nothing is created either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.scoring.application import ScoringApplication
from services.scoring.domain import ScoreRun, run_id_for
from services.scoring.replay_checks import missing_stores, unit_input_differences
from services.scoring.replay_fold import (
    FoldedLog,
    LogOpener,
    RegistryFolds,
    RosterCapture,
    SurveyFold,
    WaveState,
    fold_log,
)
from services.scoring.scheme import (
    SCHEMES,
    Scheme,
    SchemeError,
    build_inputs,
    compute,
    unit_facts,
)
from services.scoring.settings import ScoringSettings
from services.scoring.verdicts import UnitVerdict, VerifyResult, compare_units
from shared.canonical import digest
from shared.persistence.log_pages import notifications
from shared.persistence.message_log import store_location
from shared.settings import CommonSettings, eventsourcing_env

__all__ = [
    "NothingToVerify",
    "ReplayError",
    "RunNotFound",
    "SchemeMismatch",
    "UnitVerdict",
    "VerifyResult",
    "verify",
    "verify_run",
]

COMPUTED_TOPIC = get_topic(ScoreRun.Computed)


class ReplayError(Exception):
    pass


class SchemeMismatch(ReplayError):
    """The recorded scheme is unknown here, or its definition changed since the run."""


class RunNotFound(ReplayError):
    pass


class NothingToVerify(ReplayError):
    """No stores where the settings point, or no stored score run: a pass would be empty."""


REPLAYED_STORES = ("scoring", "registry", "survey")


@dataclass(frozen=True)
class RecordedRun:
    run_id: UUID
    wave_id: str
    jurisdiction_id: str
    wave_name: str
    final: bool
    scheme: dict[str, Any]
    upstream_positions: dict[str, int]
    inputs_digest: str
    results: list[dict[str, Any]]
    results_digest: str
    lifecycle_after: int | None

    @classmethod
    def from_event(cls, event: Any) -> RecordedRun:
        return cls(
            run_id=event.originator_id,
            wave_id=str(event.wave_id),
            jurisdiction_id=str(event.jurisdiction_id),
            wave_name=event.wave_name,
            final=event.final,
            scheme=dict(event.scheme),
            upstream_positions=dict(event.upstream_positions),
            inputs_digest=event.inputs_digest,
            results=list(event.results),
            results_digest=event.results_digest,
            lifecycle_after=event.lifecycle_after,
        )


def verify_run(
    common: CommonSettings,
    run_id: UUID,
    *,
    open_log: LogOpener,
    schemes: Mapping[tuple[str, int], Scheme] = SCHEMES,
) -> VerifyResult:
    return verify(common, [run_id], open_log=open_log, schemes=schemes)[0]


def verify(
    common: CommonSettings,
    run_ids: Iterable[UUID] | None = None,
    *,
    open_log: LogOpener,
    schemes: Mapping[tuple[str, int], Scheme] = SCHEMES,
) -> list[VerifyResult]:
    """Verify every stored run (or the given ones), in the order they were stored."""
    if common.mode == "memory":
        # A fresh in-memory store is empty: "0 of 0 identical" would pass without a check.
        raise ReplayError("memory mode keeps no stored scores to replay")
    _require_stores(common)
    records = list(_stored_runs(common, None if run_ids is None else list(run_ids)))
    if not records:
        raise NothingToVerify(
            f"no score run is stored in {store_location(common, 'scoring')}: nothing to verify"
        )
    runs = [r for r in records if isinstance(r, RecordedRun)]
    run_schemes = {r.run_id: _scheme(r, schemes) for r in runs}
    waves_at: dict[int, set[str]] = {}
    for run in runs:
        waves_at.setdefault(run.upstream_positions["survey"], set()).add(run.wave_id)
    survey_fold = SurveyFold()
    survey = fold_log("survey", open_log, survey_fold.apply, waves_at, survey_fold.capture)
    registry = _fold_registry(open_log, runs, survey)
    logs_end = {"registry": registry.last_position, "survey": survey.last_position}
    results = []
    for record in records:
        if isinstance(record, VerifyResult):
            results.append(record)
            continue
        wave = survey.captures[record.upstream_positions["survey"]].get(record.wave_id)
        roster = registry.captures[record.upstream_positions["registry"]][record.lifecycle_after]
        results.append(_verify_one(record, run_schemes[record.run_id], wave, roster, logs_end))
    return results


def _require_stores(common: CommonSettings) -> None:
    """Scoring's own store must be there; the upstream logs come from `open_log`, whose
    caller checks where they are (`pingyi.replay`)."""
    missing = missing_stores(common, ("scoring",))
    if missing is not None:
        raise NothingToVerify(missing)


def _fold_registry(open_log: LogOpener, runs: list[RecordedRun], survey: FoldedLog) -> FoldedLog:
    """The roster at each run's registry position, by the rules the run recorded, for the
    units of its wave."""
    units_at: dict[int, dict[int | None, set[str]]] = {}
    for run in runs:
        wave = survey.captures[run.upstream_positions["survey"]].get(run.wave_id)
        by_basis = units_at.setdefault(run.upstream_positions["registry"], {})
        units = by_basis.setdefault(run.lifecycle_after, set())
        units.update(wave.unit_ids if wave is not None else [])
    folds = RegistryFolds({run.lifecycle_after for run in runs})
    return fold_log("registry", open_log, folds.apply, units_at, folds.capture)


def _scheme(run: RecordedRun, schemes: Mapping[tuple[str, int], Scheme]) -> Scheme:
    ref = run.scheme
    scheme = schemes.get((ref["scheme_id"], ref["version"]))
    if scheme is None:
        raise SchemeMismatch(
            f"run {run.run_id} used scheme {ref['scheme_id']} v{ref['version']}, unknown here"
        )
    if scheme.scheme_hash != ref["scheme_hash"]:
        raise SchemeMismatch(
            f"run {run.run_id} used scheme {ref['scheme_id']} v{ref['version']} with hash "
            f"{ref['scheme_hash']}, but that scheme's definition here hashes to "
            f"{scheme.scheme_hash}: a scheme was changed without a new version, or the "
            "stored run was altered"
        )
    return scheme


def _stored_runs(
    common: CommonSettings, run_ids: list[UUID] | None
) -> Iterator[RecordedRun | VerifyResult]:
    """Recorded runs from the scoring event store; an undecodable record becomes a failed
    result on the spot rather than stopping the audit."""
    env = eventsourcing_env(common, "scoring", ScoringSettings().postgres_schema)
    app = ScoringApplication(env)
    try:
        if run_ids is None:
            for notification in notifications(app.recorder, topics=[COMPUTED_TOPIC]):
                yield _decode(app, notification, notification.originator_id)
            return
        for run_id in run_ids:
            stored = app.events.recorder.select_events(run_id, lte=1)
            if not stored or stored[0].topic != COMPUTED_TOPIC:
                raise RunNotFound(f"no score run {run_id}")
            yield _decode(app, stored[0], run_id)
    finally:
        app.close()


def _decode(app: ScoringApplication, stored: Any, run_id: Any) -> RecordedRun | VerifyResult:
    try:
        return RecordedRun.from_event(app.mapper.to_domain_event(stored))
    except Exception as exc:  # whatever was done to the bytes, report it, keep auditing
        return VerifyResult(
            run_id=UUID(str(run_id)),
            wave_id="",
            wave_name="",
            final=False,
            scheme={},
            upstream_positions={},
            inputs_identical=False,
            units=(),
            problems=(f"stored record does not decode: {type(exc).__name__}: {exc}",),
        )


def _verify_one(
    run: RecordedRun,
    scheme: Scheme,
    wave: WaveState | None,
    roster: RosterCapture,
    logs_end: dict[str, int | None],
) -> VerifyResult:
    problems = _position_problems(run, wave, roster[0], logs_end)
    if run_id_for(UUID(run.wave_id), run.scheme, run.upstream_positions) != run.run_id:
        problems.append("run id does not match the recorded wave, scheme and positions")
    if digest(run.results) != run.results_digest:
        problems.append("stored results do not match the stored results digest")
    inputs = None
    if wave is not None:
        try:
            facts = unit_facts(run.lifecycle_after)
            inputs = build_inputs(wave.describe(), roster[1], wave.counts, len(wave.counted), facts)
        except SchemeError as exc:
            problems.append(f"registry log up to {run.upstream_positions['registry']}: {exc}")
    if inputs is None:
        return _result(run, False, compare_units(run.results, []), problems)
    inputs_identical = digest(inputs) == run.inputs_digest
    if not inputs_identical:
        problems.append(
            f"inputs digest differs: stored {run.inputs_digest}, replay {digest(inputs)}"
        )
    for name, value in (
        ("wave_name", inputs["wave_name"]),
        ("jurisdiction_id", inputs["jurisdiction_id"]),
    ):
        if getattr(run, name) != value:
            problems.append(f"{name} differs: stored {getattr(run, name)!r}, replay {value!r}")
    recomputed = compute(scheme, inputs)
    if digest(recomputed) != run.results_digest:
        problems.append("results digest differs from the recomputed results")
    if not inputs_identical:
        problems.extend(unit_input_differences(run.results, recomputed, run.upstream_positions))
    return _result(run, inputs_identical, compare_units(run.results, recomputed), problems)


def _position_problems(
    run: RecordedRun, wave: WaveState | None, roster_at: int | None, logs_end: dict[str, int | None]
) -> list[str]:
    problems = []
    for name, position in run.upstream_positions.items():
        end = logs_end.get(name)
        if position > 0 and (end is None or end < position):
            problems.append(
                f"the {name} log ends at {end}, before the recorded position {position}"
            )
    survey_at = run.upstream_positions["survey"]
    if wave is None:
        problems.append(f"wave {run.wave_id} not opened in the survey log up to {survey_at}")
    elif wave.position != survey_at:
        problems.append(
            f"the wave last changed at survey position {wave.position}, not {survey_at}"
        )
    registry_at = run.upstream_positions["registry"]
    if (roster_at or 0) != registry_at:
        problems.append(
            f"the roster last changed at registry position {roster_at}, not {registry_at}"
        )
    return problems


def _result(
    run: RecordedRun, inputs_identical: bool, units: tuple[UnitVerdict, ...], problems: list[str]
) -> VerifyResult:
    return VerifyResult(
        run_id=run.run_id,
        wave_id=run.wave_id,
        wave_name=run.wave_name,
        final=run.final,
        scheme=run.scheme,
        upstream_positions=run.upstream_positions,
        inputs_identical=inputs_identical,
        units=units,
        problems=tuple(problems),
    )
