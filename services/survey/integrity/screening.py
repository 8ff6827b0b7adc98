"""`screen`: flag each questionnaire of a batch as if every earlier one had been recorded
(identical answers across ids, bursts, straight-lining, quotas)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from services.survey.integrity.bursts import burst_flag, sweep
from services.survey.integrity.flags import IDENTICAL_ANSWERS, OVER_QUOTA, STRAIGHT_LINING
from services.survey.integrity.state import Candidate, PatternKey, WaveIntegrityState
from shared.contracts.survey import Flag, IntegrityRules

_DIGEST_HEX = 16


def screen(
    candidates: Sequence[Candidate],
    rules: IntegrityRules,
    state: WaveIntegrityState,
    agency_quota: int | None,
    point_quotas: Mapping[str, int | None],
    gone: tuple[Mapping[str, int], Mapping[str, int]] = ({}, {}),
) -> tuple[list[tuple[Flag, ...]], WaveIntegrityState]:
    """Flag each candidate, in the given order, as if every earlier one had been recorded.

    `agency_quota` is the quota of the agency whose batch this is: it applies to each
    candidate's own agency count (candidates without `agency_id` have no agency quota).
    `point_quotas` maps point code to its quota; a point not listed, or listed with None, has
    no cap. `gone`: per agency and per point, how many of the questionnaires recorded
    before no longer stand (voided, or of a withdrawn batch): they use up no quota. The
    state's counts stay those recorded; the given state is not modified, the returned one
    is new.
    """
    state = state.copy()
    flags: list[tuple[Flag, ...]] = []
    total = state.burst_size()
    for candidate in candidates:
        at = _aware(candidate.collected_at, candidate.questionnaire_id)
        found: list[Flag] = []
        digest = _digest(candidate.pattern)
        if rules.identical_across_ids:
            flag = _identical(state, candidate, digest)
            if flag is not None:
                found.append(flag)
        state.newest = at if state.newest is None else max(state.newest, at)
        if rules.burst_seconds > 0 and rules.burst_size > 0:
            flag, total = burst_flag(state, candidate, at, digest, rules, total)
            if flag is not None:
                found.append(flag)
        flag = _straight_lining(candidate, rules.straight_lining_min_units)
        if flag is not None:
            found.append(flag)
        flag = _count(state, candidate, rules.over_quota, (agency_quota, point_quotas), gone)
        if flag is not None:
            found.append(flag)
        flags.append(tuple(found))
    if rules.burst_seconds > 0 and rules.burst_size > 0:
        sweep(state, state.newest, rules.burst_seconds)
    else:
        state.bursts.clear()
    return flags, state


# --- identical answers across questionnaire ids -------------------------------------------


def _identical(state: WaveIntegrityState, candidate: Candidate, digest: str) -> Flag | None:
    point, device = candidate.survey_point, candidate.device
    if point is None and device is None:
        return None
    key: PatternKey = (point, device)
    seen = state.patterns.pop(key, None)
    if seen is None:
        seen = {}
    state.patterns[key] = seen  # most recently seen key last
    ids = seen.pop(digest, None)
    flag = None
    if ids is None:
        ids = [candidate.questionnaire_id]
    else:
        other = next((i for i in ids if i != candidate.questionnaire_id), None)
        if other is not None:
            flag = Flag(
                code=IDENTICAL_ANSWERS,
                detail=f"与问卷“{other}”答案完全相同（{_where(point, device)}）",
            )
        if candidate.questionnaire_id not in ids and len(ids) < 2:
            ids.append(candidate.questionnaire_id)
    seen[digest] = ids  # most recently seen pattern last
    while len(seen) > max(state.patterns_per_key, 1):
        del seen[next(iter(seen))]
    while len(state.patterns) > max(state.pattern_keys, 1):
        del state.patterns[next(iter(state.patterns))]
    return flag


def _where(point: str | None, device: str | None) -> str:
    if point is not None and device is not None:
        return f"同一测评点“{point}”、同一设备“{device}”"
    if point is not None:
        return f"同一测评点“{point}”，未记录设备"
    return f"同一设备“{device}”，未记录测评点"


# --- straight-lining and quotas -----------------------------------------------------------


def _straight_lining(candidate: Candidate, min_units: int) -> Flag | None:
    if min_units <= 0 or len(candidate.ratings) < min_units:
        return None
    answers = set(candidate.ratings.values())
    if len(answers) != 1:
        return None
    (answer,) = answers
    return Flag(
        code=STRAIGHT_LINING, detail=f"对{len(candidate.ratings)}个单位的评价全部为“{answer}”"
    )


def _count(
    state: WaveIntegrityState,
    candidate: Candidate,
    enforce: bool,
    quotas: tuple[int | None, Mapping[str, int | None]],
    gone: tuple[Mapping[str, int], Mapping[str, int]],
) -> Flag | None:
    reasons: list[str] = []
    agency_quota, point_quotas = quotas
    agency, point = candidate.agency_id, candidate.survey_point
    if agency is not None:
        recorded = state.agency_counts.get(agency, 0) + 1
        state.agency_counts[agency] = recorded
        count = recorded - gone[0].get(agency, 0)
        if enforce and agency_quota is not None and count > agency_quota:
            reasons.append(f"超出测评机构配额：配额{agency_quota}份，本份为第{count}份")
    if point is not None:
        recorded = state.point_counts.get(point, 0) + 1
        state.point_counts[point] = recorded
        count = recorded - gone[1].get(point, 0)
        quota = point_quotas.get(point)
        if enforce and quota is not None and count > quota:
            reasons.append(f"超出测评点“{point}”配额：配额{quota}份，本份为第{count}份")
    if not reasons:
        return None
    return Flag(code=OVER_QUOTA, detail="；".join(reasons))


# --- helpers ------------------------------------------------------------------------------


def _digest(pattern: str) -> str:
    raw = pattern.encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()[:_DIGEST_HEX]


def _aware(moment: datetime, questionnaire_id: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"questionnaire {questionnaire_id!r}: collected_at has no time zone")
    return moment.astimezone(UTC)
