"""Auditors' replay of campaign-round runs: each stored run recomputed by the engine from the
upstreams' published logs, read up to the positions the run names, without any upstream
service's code (`shared.persistence.message_log`).

A run names the position it read to in each upstream; replay folds exactly those prefixes
(and, for multi-cycle rules, scoring's own published results up to its recorded scoring
position) and compares the canonical bytes of the results.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Collection, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from eventsourcing.utils import get_topic

from services.scoring.engine import score_fold, score_round
from services.scoring.engine.compute.revision import CURRENT, UnknownRevision, revision_of
from services.scoring.engine.fold import RoundFold, named_responses
from services.scoring.engine.fold.split import WAVE_TYPES, join_ranges
from services.scoring.engine.scheme import Scheme, SchemeError, builtin_schemes
from services.scoring.rounds.domain import RoundRun, SchemeRecord
from services.scoring.rounds.replay_ranges import RangeProcessDied, RangeWorkers, decoded
from services.scoring.rounds.verdicts import (
    SCHEME_INVALID,
    UNDECODED,
    UNREAD,
    RoundVerdict,
    compare,
    scheme_changed,
    scheme_unknown,
)
from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchRecorded
from shared.persistence.log_pages import notifications
from shared.persistence.message_log import MessageLogError, read_bodies, split_points
from shared.persistence.read_ahead import read_side_by_side
from shared.settings import CommonSettings

logger = logging.getLogger(__name__)
ROUND_TOPIC = get_topic(RoundRun.Computed)
SCHEME_TOPIC = get_topic(SchemeRecord.Registered)
QUESTIONNAIRE_TYPES = frozenset({ResponseRecorded.event_type, BatchRecorded.event_type})
"""The survey messages that record questionnaires (one each, or a batch part of many): the
bulk of the log and no decision, so the first pass leaves them out, unread."""
RECORDED = b'{"event_type":"' + ResponseRecorded.event_type.encode() + b'"'
"""How every stored single questionnaire body starts (canonical JSON, keys sorted)."""
BATCH_RECORDED = b'{"event_type":"' + BatchRecorded.event_type.encode() + b'"'
"""How every stored batch part body starts."""
SPLIT_BYTES = 32 << 20
"""A survey log of fewer stored bytes is folded in one piece: starting processes would cost
more than they save (a province's round is hundreds of MiB)."""


@dataclass(frozen=True)
class Spread:
    """How a replay spreads the survey log over processes (`replay_round`)."""

    workers: int | None = None
    """Ranges counted side by side; None: one per CPU this process may use; 1: none."""
    split_bytes: int = SPLIT_BYTES
    """A survey prefix of fewer stored bytes is folded in one piece."""


def verify_rounds(
    common: CommonSettings, app: Any, spread: Spread = Spread()
) -> list[RoundVerdict]:
    """Every round run stored in scoring's log (`app`: the scoring application opened on
    that store), in the order stored."""
    schemes = _schemes(app)
    return [_verify(common, computed, schemes, spread) for computed in _stored(app, ROUND_TOPIC)]


def _stored(app: Any, topic: str) -> Iterator[Any]:
    for notification in notifications(app.recorder, topics=[topic]):
        yield app.mapper.to_domain_event(notification)


def _schemes(app: Any) -> dict[tuple[str, int], Scheme | str]:
    """Shipped schemes and the ones registered in scoring's log (a registered document that
    no longer validates is kept as the reason it cannot be used)."""
    known: dict[tuple[str, int], Scheme | str] = dict(builtin_schemes())
    for registered in _stored(app, SCHEME_TOPIC):
        key = (registered.scheme_id, registered.version)
        try:
            known[key] = Scheme.from_document(registered.document)
        except SchemeError as error:
            known[key] = f"{SCHEME_INVALID} {error}"
    return known


def _messages(
    common: CommonSettings,
    origin: str,
    stop: int,
    leave_out: Collection[str] = frozenset(),
    after: int = 0,
    pass_over: Collection[str] = frozenset(),
) -> Iterator[IntegrationMessage]:
    """The origin's published messages after `after` up to `stop`, decoded the engine's
    fast way; those of the types in `leave_out` are not read (the store drops them), those
    in `pass_over` read and dropped undecoded (`read_bodies`)."""
    for position, previous, body in read_bodies(
        common, origin, stop=stop, leave_out=leave_out, pass_over=pass_over, after=after
    ):
        yield decoded(origin, position, previous, body)


def replay_round(
    common: CommonSettings,
    scheme: Scheme,
    campaign_id: str,
    round_number: int,
    positions: dict[str, int],
    spread: Spread = Spread(),
    revision: int = CURRENT,
) -> dict[str, Any]:
    """The round recomputed from the upstream logs up to `positions`, with the positions the
    fold reached under "upstream_positions" and the number of ranges the survey log was
    counted in under "survey_ranges" (1: one piece).

    A first pass reads the survey prefix's skeleton, every message but the questionnaires
    (the store leaves those out): the decisions among them name the records the fold must
    keep, so memory does not grow with the number of questionnaires (`fold.keep`). A survey
    prefix of `spread.split_bytes` or more is counted in ranges (`spread.workers`, by
    default one per CPU this process may use) in processes of their own, started before the
    first pass so that their reading need not wait for it (`replay_ranges`), while this one
    folds the other logs, and joined (`fold.split`); else, or where a range cannot say, in
    one piece. `revision`: the engine revision the run was computed under."""
    survey_stop = positions.get("survey")
    skeleton = _Skeleton()
    keep = frozenset[str]()
    parts = _usable_cpus() if spread.workers is None else spread.workers
    cuts: list[int] = []
    if survey_stop and parts > 1 and _can_fork():
        cuts = split_points(common, "survey", survey_stop, parts, min_bytes=spread.split_bytes)
    with ExitStack() as stack:
        workers = None
        if survey_stop and cuts:
            # Before the first pass: each range's process has the store start on it at once.
            workers = stack.enter_context(RangeWorkers(common, [0, *cuts, survey_stop]))
        if survey_stop:
            keep = named_responses(skeleton.noting(_skeleton(common, survey_stop, cuts)))
        if workers is not None:
            run = (campaign_id, round_number, revision)
            found = _replay_in_ranges(common, scheme, run, positions, skeleton, keep, workers)
            if found is not None:
                return found | {"survey_ranges": len(cuts) + 1}
    everything = (
        message
        for origin, stop in sorted(positions.items())
        for message in _messages(common, origin, stop)
    )
    found = score_round(
        scheme,
        everything,
        campaign_id=campaign_id,
        round=round_number,
        keep_records=keep,
        revision=revision,
    )
    return found | {"survey_ranges": 1}


def _replay_in_ranges(
    common: CommonSettings,
    scheme: Scheme,
    run: tuple[str, int, int],
    positions: dict[str, int],
    skeleton: _Skeleton,
    keep: frozenset[str],
    workers: RangeWorkers,
) -> dict[str, Any] | None:
    """The round with the survey prefix counted in ranges by `workers`, while this process
    folds the other origins; None if a range could not say (an answer outside a wave's
    scale) or its process died. `run`: (campaign id, round, revision)."""
    campaign_id, round_number, revision = run
    fold = RoundFold(campaign_id, round_number, keep_records=keep)
    try:
        counts = workers.count(
            (campaign_id, round_number, skeleton.waves, keep),
            beside=lambda: _fold_others(common, fold, positions),
        )
    except RangeProcessDied as error:  # killed (out of memory, …)
        logger.warning("survey log in ranges failed (%s): read in one piece", error)
        return None
    counted = [found for found in counts if found is not None]
    if len(counted) < len(counts):
        return None
    held = skeleton.messages
    join_ranges(fold, _skeleton(common, positions["survey"]) if held is None else held, counted)
    return score_fold(scheme, fold, revision)


def _fold_others(common: CommonSettings, fold: RoundFold, positions: dict[str, int]) -> None:
    for origin, stop in sorted(positions.items()):
        if origin != "survey":
            _fold_origin(common, fold, origin, stop)


def _fold_origin(common: CommonSettings, fold: RoundFold, origin: str, stop: int) -> None:
    """The origin's log up to `stop` folded: findings from their stored bodies where they
    are plain (`RoundFold.apply_finding_body`: while the ranges count, this process's
    tens of thousands of findings share the CPUs with them), anything else decoded."""
    for position, previous, body in read_bodies(common, origin, stop=stop):
        if origin == "inspection" and fold.apply_finding_body(position, body) is not None:
            continue
        fold.apply(decoded(origin, position, previous, body))


def _skeleton(
    common: CommonSettings, stop: int, cuts: list[int] | None = None
) -> Iterator[IntegrationMessage]:
    """The survey prefix but its questionnaires (left out by the store): read once to name
    what to keep and, by a replay in ranges, held for the join while short
    (`SKELETON_HELD`), else read again, so that memory stays flat however many decisions
    the log holds.

    With `cuts` (the ranges' bounds), the first read asks the store for every range at
    once, each on its own connection: telling the questionnaires apart costs the store a
    look at the first bytes of every large body, which is most of this pass."""
    if not cuts:
        return _messages(common, "survey", stop, QUESTIONNAIRE_TYPES)
    bounds = [0, *cuts, stop]
    readers = [
        read_bodies(common, "survey", stop=last, leave_out=QUESTIONNAIRE_TYPES, after=first)
        for first, last in pairwise(bounds)
    ]
    bodies = read_side_by_side(readers, SKELETON_AHEAD, "read-skeleton")
    return (decoded("survey", *body) for body in bodies)


SKELETON_AHEAD = 5_000
"""Messages each range of the first pass reads ahead of the one being folded."""
SKELETON_HELD = 10_000
"""A survey skeleton of at most this many messages is kept from the first pass for the join
(a few MiB at most) rather than read from the store again; a longer one is read twice."""


class _Skeleton:
    """What the first pass over the survey skeleton keeps: the wave openings and closes
    (each range starts from those before it) and, while there are few, every message."""

    def __init__(self) -> None:
        self.waves: list[IntegrationMessage] = []
        self.messages: list[IntegrationMessage] | None = []

    def noting(self, messages: Iterator[IntegrationMessage]) -> Iterator[IntegrationMessage]:
        for message in messages:
            if message.event_type in WAVE_TYPES:
                self.waves.append(message)
            if self.messages is not None:
                self.messages.append(message)
                if len(self.messages) > SKELETON_HELD:
                    self.messages = None
            yield message


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _can_fork() -> bool:
    """Forking a process that has the engine loaded is safe on Linux; elsewhere (macOS
    forbids it with some system libraries loaded) the log is folded in one piece."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _verify(
    common: CommonSettings,
    computed: Any,
    schemes: dict[tuple[str, int], Scheme | str],
    spread: Spread,
) -> RoundVerdict:
    ref = computed.scheme
    base = {
        "run_id": str(computed.originator_id),
        "campaign_id": str(computed.campaign_id),
        "round": computed.round_number,
        "final": computed.final,
    }
    scheme_id, version = ref["scheme_id"], ref["version"]
    scheme = schemes.get((scheme_id, version))
    if not isinstance(scheme, Scheme):
        return RoundVerdict(**base, problems=(scheme or scheme_unknown(scheme_id, version),))
    if scheme.scheme_hash != ref["scheme_hash"]:
        changed = scheme_changed(scheme_id, version, ref["scheme_hash"], scheme.scheme_hash)
        return RoundVerdict(**base, problems=(changed,))
    positions = dict(computed.upstream_positions)
    try:
        revision = revision_of(computed.results)
    except UnknownRevision as error:  # its message Chinese first, the English after it whole
        return RoundVerdict(**base, problems=(str(error),))
    try:
        replayed = replay_round(
            common,
            scheme,
            str(computed.campaign_id),
            computed.round_number,
            positions,
            spread,
            revision,
        )
    except MessageLogError as error:
        return RoundVerdict(**base, problems=(f"{UNREAD} {error}",), unread=True)
    except ValueError as error:  # a stored body that no longer decodes (pydantic, JSON)
        return RoundVerdict(**base, problems=(f"{UNDECODED} {error}",))
    return compare(base, computed.results, replayed, positions)
