"""A survey component: questionnaires of one wave kind and scale, optionally
post-stratified, giving the satisfaction rate and the weighted score side by side."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.scoring.engine import stats
from services.scoring.engine.compute.arith import HUNDRED, ZERO, rounded, text
from services.scoring.engine.compute.result import ComponentValue
from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.inputs import LevelCounts, WaveFacts
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.scheme.components import SurveyComponent
from shared.contracts.survey import SCALE_LEVELS

WEIGHT_PLACES = 6
"""Places of the stratum weights and effective sample shown (they are inputs to read, not
published figures)."""


def survey_value(
    scheme: Scheme, c: SurveyComponent, facts: RoundFacts, unit_id: str
) -> ComponentValue:
    levels = SCALE_LEVELS[c.scale]
    weights = c.weights()
    raw = dict.fromkeys(levels, 0)
    weighted = dict.fromkeys(weights, ZERO)
    strata: list[tuple[int, Decimal]] = []
    shown_weights: dict[str, dict[str, str | None]] = {}
    waves, panel = [], 0
    for wave in _waves(c, facts, unit_id):
        tally = facts.inputs["survey"].get(wave["wave_id"], {}).get(unit_id)
        if tally is None:
            continue
        waves.append(wave["wave_id"])
        panel += wave["panel_size"]
        for level in levels:
            raw[level] += tally["counts"].get(level, 0)
        by_stratum = _strata(c, wave, tally)
        stratum_weights = _stratum_weights(c, wave, by_stratum, weights)
        if c.weighting != "none":
            shown_weights[wave["wave_id"]] = {
                s: text(rounded(w, scheme.arithmetic, WEIGHT_PLACES))
                for s, w in sorted(stratum_weights.items())
            }
        for stratum, counts in sorted(by_stratum.items()):
            w = stratum_weights.get(stratum, Decimal(1))
            n = sum(counts.get(level, 0) for level in weights)
            if n:
                strata.append((n, w))
            for level in weights:
                weighted[level] += w * counts.get(level, 0)
    valid = sum(raw[level] for level in weights)
    inputs: dict[str, Any] = {
        "waves": waves,
        "scale": c.scale.value,
        "counts": raw,
        "valid": valid,
        "excluded": list(c.excluded),
        "satisfied_levels": list(c.satisfied),
        "level_weights": {lv: text(w) for lv, w in weights.items()},
        "measure": c.measure,
        "weighting": c.weighting,
    }
    if shown_weights:
        inputs["stratum_weights"] = shown_weights
    if valid == 0:
        inputs |= {"satisfaction_rate": None, "weighted_score": None, "shares": None}
        return ComponentValue(None, inputs, None, 0, raw, panel)
    return _figures(scheme, c, inputs, weighted, strata, valid, raw, panel)


def _figures(
    scheme: Scheme,
    c: SurveyComponent,
    inputs: dict[str, Any],
    weighted: dict[str, Decimal],
    strata: list[tuple[int, Decimal]],
    valid: int,
    raw: dict[str, int],
    panel: int,
) -> ComponentValue:
    arith = scheme.arithmetic
    weights = c.weights()
    total = sum(weighted.values(), ZERO)
    n_eff = stats.kish_effective_size(strata) if c.weighting != "none" else Decimal(valid)
    satisfied = sum((weighted[lv] for lv in c.satisfied), ZERO)
    rate = satisfied / total * HUNDRED if c.satisfied else None
    method = scheme.statistics.score_interval
    interval_of = stats.SCORE_INTERVALS[method]
    mean_and_interval = interval_of(weights, weighted, n_eff, scheme.statistics.z)
    assert mean_and_interval is not None  # valid > 0 and every weight is ≥ 0
    score, score_interval = mean_and_interval
    inputs |= {
        "satisfaction_rate": text(rounded(rate, arith)) if rate is not None else None,
        "weighted_score": text(rounded(score, arith)),
        "shares": {
            lv: text(rounded(weighted[lv] / total * HUNDRED, arith, arith.share_places))
            for lv in weights
        },
        "effective_sample": text(rounded(n_eff, arith, WEIGHT_PLACES)),
    }
    if c.measure == "satisfaction_rate" and rate is not None:
        wilson = stats.wilson(satisfied / total * n_eff, n_eff, scheme.statistics.z)
        assert wilson is not None
        interval = stats.Interval(wilson.lo * HUNDRED, wilson.hi * HUNDRED)
        return ComponentValue(rounded(rate, arith), inputs, interval, valid, raw, panel, rate)
    if method != "normal":
        # Said only when not the default, so results under the default keep their bytes.
        inputs["interval_method"] = method
    value = rounded(score, arith)
    return ComponentValue(value, inputs, score_interval, valid, raw, panel, score)


def _waves(c: SurveyComponent, facts: RoundFacts, unit_id: str) -> list[WaveFacts]:
    return [
        w
        for w in facts.waves_by_kind.get(c.wave_kind.value, ())
        if w["scale"] == c.scale.value and unit_id in w["unit_ids"]
    ]


def _strata(c: SurveyComponent, wave: WaveFacts, tally: Any) -> dict[str, LevelCounts]:
    if c.weighting == "by_group":
        return dict(tally["by_group"])
    if c.weighting == "by_point":
        return dict(tally["by_point"])
    return {"": dict(tally["counts"])}


def _stratum_weights(
    c: SurveyComponent,
    wave: WaveFacts,
    by_stratum: dict[str, LevelCounts],
    weights: dict[str, Decimal],
) -> dict[str, Decimal]:
    if c.weighting == "none":
        return {}
    targets_raw = wave["groups"] if c.weighting == "by_group" else wave["points"]
    targets = {s: Decimal(t) for s, t in targets_raw.items()}
    achieved = {s: sum(counts.get(lv, 0) for lv in weights) for s, counts in by_stratum.items()}
    return stats.post_stratification_weights(achieved, targets)
