"""The survey log's ranges of a replay, each counted in a process of its own (forked: this
process has the engine imported already, which a new interpreter would spend most of a
second on).

The processes are started before the replay's first pass, and each has the store start on
its range at once: the first pass (the skeleton's decisions, which name the questionnaires
every range must set aside) costs the store a look at every large body, and the ranges'
reading need not wait for it. A range's process reads ahead while it waits for what the
first pass found (`RangeWorkers.count`), then counts. What a process hands back, or raises,
reaches the replay through a pipe; a process that dies (killed by the kernel for its memory)
is told apart from one that raised (`RangeProcessDied`), so that the replay can read the
log in one piece instead.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import chain, pairwise
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from services.scoring.engine.fold import DECISION_TYPES
from services.scoring.engine.fold.decode import decode_stored
from services.scoring.engine.fold.split import RangeCounts, range_fold
from shared.contracts import IntegrationMessage
from shared.persistence.message_log import read_bodies
from shared.reasons import first_problem
from shared.settings import CommonSettings

_JOIN_SECONDS = 5.0
"""How long a process that was told to stop may take before it is ended."""


class RangeProcessDied(Exception):
    """A range's process ended without handing anything back."""


def decoded(origin: str, position: int, previous: int | None, body: bytes) -> IntegrationMessage:
    """The stored body decoded; one that does not decode raises naming its origin and
    position, so that the auditor is told which stored message, in one line."""
    try:
        return decode_stored(origin, position, previous, body)
    except ValueError as error:
        raise ValueError(f"{origin} position {position}: {first_problem(error)}") from None


class RangeWorkers:
    """One process a range of the survey log, (after, stop] between consecutive `bounds`,
    each reading its range from the start. `count` hands them what the first pass found and
    collects their counts; `close` ends whatever is left (always call it: a `with` block)."""

    def __init__(self, common: CommonSettings, bounds: list[int]) -> None:
        context = multiprocessing.get_context("fork")
        self.bounds = list(pairwise(bounds))
        self._workers: list[tuple[BaseProcess, Connection]] = []
        # The engine's objects, inherited by every range, are left out of the ranges' cyclic
        # collections, which would otherwise walk (and so copy, page by page) all of them;
        # only the forks need them frozen.
        gc.freeze()
        try:
            for after, stop in self.bounds:
                mine, theirs = context.Pipe()
                process = context.Process(
                    target=_range_process,
                    args=(theirs, common, after, stop),
                    name=f"survey-range-{after}",
                    daemon=True,
                )
                process.start()
                theirs.close()
                self._workers.append((process, mine))
        finally:
            gc.unfreeze()

    def __enter__(self) -> RangeWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(
        self,
        task: tuple[str, int, list[IntegrationMessage], frozenset[str]],
        beside: Callable[[], None] = lambda: None,
    ) -> list[RangeCounts | None]:
        """Every range's counts (None where a range could not say). `task`: (campaign id,
        round, the survey log's wave openings and closes, the questionnaires decisions
        name): each range starts from the waves before it and sets those questionnaires
        aside. `beside` is done here while the ranges count. Raises what a range raised,
        or `RangeProcessDied`."""
        campaign_id, round_number, waves, keep = task
        for (_process, channel), (after, _stop) in zip(self._workers, self.bounds, strict=True):
            before = [message for message in waves if message.position <= after]
            with suppress(OSError):  # one that died says so when asked for its counts
                channel.send((campaign_id, round_number, before, keep))
        beside()
        return [self._answer(process, channel) for process, channel in self._workers]

    def _answer(self, process: BaseProcess, channel: Connection) -> RangeCounts | None:
        try:
            kind, value = channel.recv()
        except (EOFError, OSError):
            process.join(_JOIN_SECONDS)
            raise RangeProcessDied(f"{process.name} exited with {process.exitcode}") from None
        if kind == "raised":
            raise value
        found: RangeCounts | None = value
        return found

    def close(self) -> None:
        """Ends every process: one still waiting is told to stop, one that does not within
        `_JOIN_SECONDS` is ended."""
        for _process, channel in self._workers:
            with suppress(OSError):
                channel.send(None)
        for process, channel in self._workers:
            process.join(_JOIN_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
            channel.close()
        self._workers = []


def _range_process(channel: Connection, common: CommonSettings, after: int, stop: int) -> None:
    """A range's process: the range's first body read (its reader then reads ahead), what
    the first pass found awaited, the range counted and handed back, or what was raised."""
    outcome: tuple[str, Any] | None = None
    bodies: Iterator[tuple[int, int | None, bytes]] = iter(())
    try:
        bodies = read_bodies(common, "survey", stop=stop, pass_over=DECISION_TYPES, after=after)
        first = next(bodies, None)
        bodies = chain(() if first is None else (first,), bodies)
    except BaseException as error:  # handed over once asked for the counts
        outcome = ("raised", error)
    task = channel.recv()
    if task is None:
        return
    if outcome is None:
        try:
            campaign_id, round_number, before, keep = task
            counted = count_survey_range(campaign_id, round_number, before, keep, bodies)
            outcome = ("counted", counted)
        except BaseException as error:
            outcome = ("raised", error)
    try:
        channel.send(outcome)
    except Exception as error:  # what was raised does not pickle: its words do
        channel.send(("raised", RuntimeError(f"{outcome[1]!r} ({error})")))


def count_survey_range(
    campaign_id: str,
    round_number: int,
    before: list[IntegrationMessage],
    keep: frozenset[str],
    bodies: Iterable[tuple[int, int | None, bytes]],
) -> RangeCounts | None:
    """One range of the survey log counted, as `split.count_range` counts it, from its
    stored bodies (decisions passed over undecoded by the reader: the store's test of
    every part's first bytes would cost more): batch parts folded from their bytes where
    the compiled reader can (`RoundFold.apply_part_body`), anything else decoded."""
    fold = range_fold(campaign_id, round_number, before, keep)
    for position, previous, body in bodies:
        if fold.apply_part_body(position, body) is None:
            message = decoded("survey", position, previous, body)
            if message.event_type not in DECISION_TYPES:
                fold.apply(message)
    return fold.range_counts()
