"""(scheme, round inputs document) → the round's results document: per unit its components
with their inputs and the scheme's formulas, deductions, overrides, score and interval,
rank and rank range within its category, grade, lists and an explanation in Chinese; the
lists; and digests of the inputs, of each unit's result and of the whole.

Pure and deterministic: the same scheme and inputs give byte-identical canonical JSON,
whatever order the document's lists came in, under `EXACT` whatever the thread's decimal
context. Units are ordered by the campaign's category order (categories it does not name
after, by text), units before sub-units, ranked units by rank, unranked after, then by
unit id.
"""

from __future__ import annotations

from collections import Counter
from decimal import localcontext
from typing import Any

from services.scoring.engine.compute.arith import EXACT, outward, text
from services.scoring.engine.compute.decide import Standing, grade, lists
from services.scoring.engine.compute.explain import explanation
from services.scoring.engine.compute.ranking import INDISTINGUISHABLE, Placing, rank_group
from services.scoring.engine.compute.revision import CURRENT, FIRST, KEY, checked
from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.compute.unit import INSUFFICIENT, Scorer, UnitScore
from services.scoring.engine.inputs import RoundInputs
from services.scoring.engine.scheme import Scheme
from shared.canonical import digest

__all__ = ["compute_round"]

WITHDRAWN = "已退出评议"
NOT_ACTIVE = "单位已撤并"


def compute_round(scheme: Scheme, inputs: RoundInputs, revision: int = CURRENT) -> dict[str, Any]:
    """`revision`: the engine revision to compute under (`compute.revision`): a stored
    run's own when it is replayed, else the current one."""
    checked(revision)
    with localcontext(EXACT):
        facts = RoundFacts(inputs)
        scorer = Scorer(scheme, facts, revision)
        for unit_id in sorted(facts.units):
            scorer.score(unit_id)
        placings = _placings(scheme, facts, scorer.scores, revision)
        standings = {
            u: Standing(
                s,
                facts.units[u]["category"],
                placings.get(u),
                _gradable(facts, s),
                facts.is_sub_unit(u),
            )
            for u, s in scorer.scores.items()
        }
        for s in standings.values():
            grade(scheme, s, facts)
        members = lists(scheme, standings, facts)
        return _document(scheme, inputs, facts, standings, placings, members, revision)


def _comparable(facts: RoundFacts, s: UnitScore) -> bool:
    unit = facts.units[s.unit_id]
    return (
        unit["enrolled"]
        and unit["status"] == "active"
        and s.score is not None
        and INSUFFICIENT not in s.flags
        and all(o["ranked"] for o in s.overrides)
    )


def _gradable(facts: RoundFacts, s: UnitScore) -> bool:
    unit = facts.units[s.unit_id]
    return bool(unit["enrolled"]) and s.score is not None and INSUFFICIENT not in s.flags


def _placings(
    scheme: Scheme, facts: RoundFacts, scores: dict[str, UnitScore], revision: int
) -> dict[str, Placing]:
    groups: dict[tuple[str, bool], list[str]] = {}
    for unit_id, s in sorted(scores.items()):
        if _comparable(facts, s):
            key = (facts.units[unit_id]["category"], facts.is_sub_unit(unit_id))
            groups.setdefault(key, []).append(unit_id)
    placings: dict[str, Placing] = {}
    for ids in groups.values():
        placings |= rank_group(scores, ids, scheme, revision)
    return placings


def _document(
    scheme: Scheme,
    inputs: RoundInputs,
    facts: RoundFacts,
    standings: dict[str, Standing],
    placings: dict[str, Placing],
    members: dict[str, list[str]],
    revision: int,
) -> dict[str, Any]:
    list_names = {x.code: x.name for x in scheme.lists}
    on_lists: dict[str, list[str]] = {}
    for code, unit_ids in members.items():
        for unit_id in unit_ids:
            on_lists.setdefault(unit_id, []).append(code)
    sharing = Counter(_rank_key(facts, u, st) for u, st in standings.items() if st.placing)
    units = [
        _unit(
            scheme,
            facts,
            standings[u],
            on_lists.get(u, []),
            list_names,
            revision,
            sharing[_rank_key(facts, u, standings[u])],
        )
        for u in sorted(standings)
    ]
    order = {c: i for i, c in enumerate(inputs["campaign"]["categories"])}
    units.sort(
        key=lambda d: (
            order.get(d["category"], len(order)),
            d["category"],
            d["sub_unit"],
            d["rank"] is None,
            d["rank"] or 0,
            d["unit_id"],
        )
    )
    campaign = inputs["campaign"]
    doc: dict[str, Any] = {
        "campaign_id": campaign["campaign_id"],
        "round": campaign["round"],
        "pattern": campaign["pattern"],
        "window": {
            "starts_on": campaign["window"]["starts_on"],
            "ends_on": campaign["window"]["ends_on"],
        },
        "scheme": scheme.ref(),
        "scheme_title": scheme.title,
        "inputs_digest": digest(inputs),
        "grades": list(scheme.grading.grades) if scheme.grading else [],
        "list_names": list_names,
        "units": units,
        "lists": members,
    }
    if revision != FIRST:  # absent under the first: runs stored before revisions keep bytes
        doc[KEY] = revision
    doc["results_digest"] = digest(doc)
    return doc


def _rank_key(facts: RoundFacts, unit_id: str, st: Standing) -> tuple[str, bool, int | None]:
    """Units ranked apart (category; sub-units apart from units) and the rank they hold."""
    rank = st.placing.rank if st.placing else None
    return facts.units[unit_id]["category"], facts.is_sub_unit(unit_id), rank


def _unit(
    scheme: Scheme,
    facts: RoundFacts,
    st: Standing,
    codes: list[str],
    names: dict[str, str],
    revision: int,
    tied: int,
) -> dict[str, Any]:
    s, unit = st.score, facts.units[st.score.unit_id]
    flags = list(s.flags)
    if not unit["enrolled"]:
        flags.append(WITHDRAWN)
    if unit["status"] != "active":
        flags.append(NOT_ACTIVE)
    if st.placing is not None and st.placing.indistinguishable:
        flags.append(INDISTINGUISHABLE)
    interval = None
    if s.interval is not None:
        lo, hi = outward(s.interval.lo, s.interval.hi, scheme.arithmetic.places)
        interval = [text(lo), text(hi)]
    doc: dict[str, Any] = {
        "unit_id": s.unit_id,
        "unit_name": unit["name"],
        "category": unit["category"],
        "jurisdiction_id": unit["jurisdiction_id"],
        "parent_id": unit["parent_id"],
        "sub_unit": facts.is_sub_unit(s.unit_id),
        "status": unit["status"],
        "enrolled": unit["enrolled"],
        "key_target": unit["key_target"],
        "components": s.components,
        "deductions": s.deductions,
        "overrides": s.overrides,
        "rollup": s.rollup,
        "score": text(s.score),
        "interval": interval,
        "valid_sample": s.valid_sample,
        "flags": flags,
        "rank": st.placing.rank if st.placing else None,
        "rank_range": list(st.placing.rank_range) if st.placing else None,
        "grade": st.grade,
        "grade_basis": st.grade_basis,
        "lists": codes,
        "carried": _carried(scheme, s),
    }
    doc["explanation"] = explanation(scheme, doc, names, revision, tied)
    doc["result_digest"] = digest(doc)
    return doc


def _carried(scheme: Scheme, s: UnitScore) -> dict[str, str]:
    out = {}
    for carried in scheme.carry_forward:
        v = s.values.get(carried.code)
        if v is not None and v.value is not None:
            out[carried.code] = text(v.value) or ""
    return out
