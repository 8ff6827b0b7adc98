"""Auditors' replay, scoring's part: why replay cannot start, and the first release's wave
runs, named as retired.

Round runs are verified by `services.scoring.rounds.replay` (the engine on the upstreams'
published logs). Wave runs were computed by a second implementation of the scoring logic
that no longer exists (`services.scoring.retired`): a log may still hold them, and replay
names each one as retired, not verified, and never fails because of them.

Nothing to verify is a failure, never a pass: when the stores are not where the settings
point (a command run from the wrong folder), one cannot be read, or no round run is stored,
`NothingToVerify` is raised, and nothing is created either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from services.scoring.retired import WAVE_RUN_TOPIC
from services.scoring.rounds.verdicts import said
from shared.persistence.log_pages import notifications

REPLAYED_STORES = ("scoring", "registry", "survey", "inspection")
"""Every store a replay reads: scoring's (the runs, and its published results for
multi-cycle rules) and the three upstreams whose positions a run names. All are checked
before anything is replayed: a run whose logs cannot be read is not a comparison."""


class ReplayError(Exception):
    pass


class NothingToVerify(ReplayError):
    """No stores where the settings point, or no stored round run: a pass would be empty."""


@dataclass(frozen=True)
class RetiredRun:
    """A wave run of the first release, as stored: named, never recomputed."""

    run_id: str
    wave_id: str
    wave_name: str
    final: bool

    identical = True
    """Not a difference: there is nothing left to compare it with."""

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(run, wave, unit, result), worded as the round runs' rows are (`RoundVerdict.rows`):
        the words Chinese first, the English after them whole."""
        wave = f"{self.wave_name} ({self.wave_id})"
        what = said(f"{wave} 最终结果", f"{wave} final") if self.final else wave
        return [(f"{self.run_id} (wave run)", what, "-", RETIRED)]


RETIRED = said("已停用, 未核对", "retired: not verified")


def retired_wave_runs(app: Any) -> list[RetiredRun]:
    """Every wave run stored in scoring's log (`app`: the scoring application opened on that
    store), in the order stored. A record that no longer decodes is still named."""
    return [_retired(app, notification) for notification in _wave_runs(app)]


def _wave_runs(app: Any) -> Iterator[Any]:
    yield from notifications(app.recorder, topics=[WAVE_RUN_TOPIC])


def _retired(app: Any, notification: Any) -> RetiredRun:
    run_id = str(notification.originator_id)
    try:
        computed = app.mapper.to_domain_event(notification)
        return RetiredRun(run_id, str(computed.wave_id), computed.wave_name, computed.final)
    except Exception:  # whatever was done to the bytes: it is named all the same
        return RetiredRun(run_id, "?", "(stored record does not decode)", False)
