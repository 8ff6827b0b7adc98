"""Pure integrity detectors: each rule at and around its threshold, determinism, the state's
JSON form and memory bounds, and the wave-level point departure statistic."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

from services.survey.integrity import (
    BURST,
    FLAG_ORDER,
    IDENTICAL_ANSWERS,
    OVER_QUOTA,
    PATTERN_ANSWERS_JSON,
    PATTERN_ROW_TEXT,
    POINT_DEPARTURE,
    STRAIGHT_LINING,
    Candidate,
    PointDeparture,
    WaveIntegrityState,
    departure_flag,
    point_departures,
    screen,
)
from services.survey.integrity.departures import _p_value
from shared.contracts.survey import Flag, IntegrityRules

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 11, 5, 9, 0, tzinfo=CST)
OFF = IntegrityRules(
    identical_across_ids=False,
    burst_seconds=0,
    burst_size=0,
    straight_lining_min_units=0,
    over_quota=False,
)
"""Every screening rule off: each test turns on only the rule it is about."""


def cand(
    qid: str,
    seconds: float = 0,
    *,
    point: str | None = "P1",
    device: str | None = None,
    agency: str | None = None,
    pattern: str = "same",
    ratings: Mapping[str, str] | None = None,
) -> Candidate:
    return Candidate(
        questionnaire_id=qid,
        collected_at=T0 + timedelta(seconds=seconds),
        survey_point=point,
        device=device,
        agency_id=agency,
        pattern=pattern,
        ratings=ratings if ratings is not None else {"u1": "满意", "u2": "不满意"},
    )


def run(
    candidates: Sequence[Candidate],
    rules: IntegrityRules,
    state: WaveIntegrityState | None = None,
    agency_quota: int | None = None,
    point_quotas: Mapping[str, int | None] | None = None,
) -> tuple[list[tuple[Flag, ...]], WaveIntegrityState]:
    return screen(
        candidates, rules, state or WaveIntegrityState(), agency_quota, point_quotas or {}
    )


def codes(flags: list[tuple[Flag, ...]]) -> list[tuple[str, ...]]:
    return [tuple(flag.code for flag in found) for found in flags]


# --- identical answers across questionnaire ids ------------------------------------------

IDENTICAL = OFF.model_copy(update={"identical_across_ids": True})


def test_identical_pattern_from_same_point_and_device_under_another_id_is_flagged() -> None:
    flags, _ = run([cand("Q1", device="D1"), cand("Q2", 3600, device="D1")], IDENTICAL)
    assert codes(flags) == [(), (IDENTICAL_ANSWERS,)]
    assert flags[1][0].detail == "与问卷“Q1”答案完全相同（同一测评点“P1”、同一设备“D1”）"


@pytest.mark.parametrize(
    ("second", "flagged"),
    [
        (cand("Q2", device="D2"), False),  # another device at the same point
        (cand("Q2", point="P2", device="D1"), False),  # the same device at another point
        (cand("Q2", device="D1", pattern="other"), False),  # other answers
        (cand("Q1", device="D1"), False),  # the same questionnaire id again
        (cand("Q2", device="D1"), True),
    ],
)
def test_identical_needs_same_point_same_device_other_id(second: Candidate, flagged: bool) -> None:
    flags, _ = run([cand("Q1", device="D1"), second], IDENTICAL)
    assert codes(flags)[1] == ((IDENTICAL_ANSWERS,) if flagged else ())


def test_identical_without_device_compares_the_point_and_without_both_nothing() -> None:
    flags, _ = run([cand("Q1"), cand("Q2")], IDENTICAL)
    assert codes(flags) == [(), (IDENTICAL_ANSWERS,)]
    assert flags[1][0].detail == "与问卷“Q1”答案完全相同（同一测评点“P1”，未记录设备）"
    flags, _ = run(
        [cand("Q1", point=None, device="D1"), cand("Q2", point=None, device="D1")], IDENTICAL
    )
    assert flags[1][0].detail == "与问卷“Q1”答案完全相同（同一设备“D1”，未记录测评点）"
    flags, state = run([cand("Q1", point=None), cand("Q2", point=None)], IDENTICAL)
    assert codes(flags) == [(), ()]
    assert state.patterns == {}


def test_identical_remembers_a_second_id_so_the_first_id_again_is_flagged() -> None:
    flags, _ = run([cand("A"), cand("B"), cand("A"), cand("B"), cand("C")], IDENTICAL)
    assert codes(flags) == [()] + [(IDENTICAL_ANSWERS,)] * 4
    assert [f[0].detail.split("”")[0] for f in flags[1:]] == [
        "与问卷“A",
        "与问卷“B",
        "与问卷“A",
        "与问卷“A",
    ]


def test_identical_off_neither_flags_nor_remembers() -> None:
    flags, state = run([cand("Q1"), cand("Q2")], OFF)
    assert codes(flags) == [(), ()]
    assert state.patterns == {}


def test_identical_memory_drops_the_least_recently_seen_pattern_per_key() -> None:
    state = WaveIntegrityState(patterns_per_key=3)
    first = [cand(f"Q{n}", pattern=p) for n, p in enumerate("abca")]  # a refreshed
    _, state = run([*first, cand("Q9", pattern="d")], IDENTICAL, state)  # b dropped
    assert len(state.patterns[("P1", None)]) == 3
    flags, _ = run([cand("X1", pattern="b"), cand("X2", pattern="a")], IDENTICAL, state)
    assert codes(flags) == [(), (IDENTICAL_ANSWERS,)]


def test_identical_memory_drops_the_least_recently_seen_key() -> None:
    state = WaveIntegrityState(pattern_keys=2)
    _, state = run(
        [
            cand("Q1", point="P1"),
            cand("Q2", point="P2"),
            cand("Q3", point="P1"),
            cand("Q4", point="P3"),
        ],
        IDENTICAL,
        state,
    )  # P2 dropped
    assert list(state.patterns) == [("P1", None), ("P3", None)]
    flags, _ = run([cand("X1", point="P1"), cand("X2", point="P2")], IDENTICAL, state)
    assert codes(flags) == [(IDENTICAL_ANSWERS,), ()]


def test_identical_memory_stays_within_its_caps() -> None:
    state = WaveIntegrityState(patterns_per_key=5, pattern_keys=4)
    batch = [
        cand(f"Q{n}", point=f"P{n % 7}", device=f"D{n % 3}", pattern=f"p{n % 11}")
        for n in range(500)
    ]
    _, state = run(batch, IDENTICAL, state)
    assert len(state.patterns) == 4
    assert all(
        len(seen) <= 5 and all(1 <= len(ids) <= 2 for ids in seen.values())
        for seen in state.patterns.values()
    )


# --- bursts -------------------------------------------------------------------------------

BURSTS = OFF.model_copy(update={"burst_seconds": 60, "burst_size": 10})


def test_the_tenth_identical_questionnaire_within_sixty_seconds_is_flagged() -> None:
    batch = [cand(f"Q{n}", 6 * n) for n in range(12)]  # 0, 6, ..., 66 s
    flags, _ = run(batch, BURSTS)
    assert codes(flags) == [()] * 9 + [(BURST,)] * 3
    assert flags[9][0].detail == "同一测评点“P1”60秒内出现10份答案完全相同的问卷"
    # 0..54 s holds 10; 6..66 s holds 11 (the window containing 66 s): counted for Q10, Q11.
    # The state keeps the last 10 times of a pattern, so past 10 it says "at least".
    assert [f[0].detail for f in flags[10:]] == [
        "同一测评点“P1”60秒内出现至少11份答案完全相同的问卷",
        "同一测评点“P1”60秒内出现至少11份答案完全相同的问卷",
    ]


def test_past_the_burst_size_the_count_is_a_lower_bound() -> None:
    """Twelve within 11 seconds: the twelfth sees the ten kept and itself, and says at least
    eleven rather than a wrong exact count."""
    flags, _ = run([cand(f"Q{n}", n) for n in range(12)], BURSTS)
    assert flags[11][0].detail == "同一测评点“P1”60秒内出现至少11份答案完全相同的问卷"


def test_nine_identical_are_not_a_burst() -> None:
    flags, _ = run([cand(f"Q{n}", n) for n in range(9)], BURSTS)
    assert codes(flags) == [()] * 9


@pytest.mark.parametrize(("last", "flagged"), [(60, True), (60.000001, False)])
def test_the_window_includes_both_ends(last: float, flagged: bool) -> None:
    batch = [cand(f"Q{n}", 0 if n < 9 else last) for n in range(10)]
    flags, _ = run(batch, BURSTS)
    assert codes(flags)[9] == ((BURST,) if flagged else ())


def test_a_burst_needs_the_same_pattern() -> None:
    batch = [cand(f"Q{n}", n, pattern="a" if n % 2 else "b") for n in range(18)]
    flags, _ = run(batch, BURSTS)
    assert codes(flags) == [()] * 18


def test_a_burst_from_one_device_across_points() -> None:
    batch = [cand(f"Q{n}", n, point=f"P{n}", device="D1") for n in range(10)]
    flags, _ = run(batch, BURSTS)
    assert codes(flags) == [()] * 9 + [(BURST,)]
    assert flags[9][0].detail == "同一设备“D1”60秒内出现10份答案完全相同的问卷"


def test_a_burst_counts_questionnaires_screened_before_whatever_their_times() -> None:
    """Out of order: the later times first; the tenth screened is flagged."""
    batch = [cand(f"Q{n}", 50 - 5 * n) for n in range(10)]  # 50, 45, ..., 5 s
    flags, _ = run(batch, BURSTS)
    assert codes(flags) == [()] * 9 + [(BURST,)]


def test_burst_off_when_seconds_or_size_is_zero() -> None:
    batch = [cand(f"Q{n}", 0) for n in range(20)]
    for rules in (
        BURSTS.model_copy(update={"burst_seconds": 0}),
        BURSTS.model_copy(update={"burst_size": 0}),
    ):
        flags, state = run(batch, rules)
        assert codes(flags) == [()] * 20
        assert state.bursts == {}


def test_burst_memory_keeps_only_the_window_before_the_newest_and_at_most_burst_size() -> None:
    flood = [cand(f"Q{n}", 0) for n in range(1000)]
    flags, state = run(flood, BURSTS)
    assert codes(flags) == [()] * 9 + [(BURST,)] * 991
    assert state.bursts == {("point", "P1", next(iter(state.bursts))[2]): [T0.astimezone(UTC)] * 10}
    _, state = run([cand("later", 61, pattern="other")], BURSTS, state)
    assert [times for times in state.bursts.values()] == [
        [(T0 + timedelta(seconds=61)).astimezone(UTC)]
    ]
    assert state.newest == T0 + timedelta(seconds=61)


def test_a_questionnaire_older_than_the_window_before_the_newest_is_not_remembered() -> None:
    _, state = run([cand("new", 3600, pattern="x")], BURSTS)
    flags, state = run([cand(f"old{n}", 0) for n in range(12)], BURSTS, state)
    assert codes(flags) == [()] * 12
    assert len(state.bursts) == 1


def test_burst_memory_cap_drops_the_oldest_down_to_ninety_percent() -> None:
    state = WaveIntegrityState(burst_entries=50)
    batch = [cand(f"Q{n}", n / 100, pattern=f"p{n}") for n in range(51)]
    _, state = run(batch, BURSTS, state)
    assert state.burst_size() == 45
    kept = sorted(t for times in state.bursts.values() for t in times)
    assert kept[0] == (T0 + timedelta(seconds=0.06)).astimezone(UTC)


# --- straight-lining ----------------------------------------------------------------------

STRAIGHT = OFF.model_copy(update={"straight_lining_min_units": 10})


def units(n: int, answer: str = "满意") -> dict[str, str]:
    return {f"u{i}": answer for i in range(n)}


def test_straight_lining_at_the_threshold_and_not_below() -> None:
    flags, _ = run(
        [
            cand("Q1", ratings=units(10)),
            cand("Q2", ratings=units(9)),
            cand("Q3", ratings=units(10) | {"u0": "基本满意"}),
            cand("Q4", ratings=units(12, "不了解")),
        ],
        STRAIGHT,
    )
    assert codes(flags) == [(STRAIGHT_LINING,), (), (), (STRAIGHT_LINING,)]
    assert flags[0][0].detail == "对10个单位的评价全部为“满意”"
    assert flags[3][0].detail == "对12个单位的评价全部为“不了解”"


def test_straight_lining_off_at_zero() -> None:
    flags, _ = run([cand("Q1", ratings=units(30))], OFF)
    assert codes(flags) == [()]


# --- quotas -------------------------------------------------------------------------------

QUOTAS = OFF.model_copy(update={"over_quota": True})


def test_agency_quota_flags_from_the_first_over_it() -> None:
    batch = [cand(f"Q{n}", agency="A1") for n in range(3)] + [cand("Q9", agency="A2")]
    flags, state = run(batch, QUOTAS, agency_quota=2)
    assert codes(flags) == [(), (), (OVER_QUOTA,), ()]
    assert flags[2][0].detail == "超出测评机构配额：配额2份，本份为第3份"
    assert state.agency_counts == {"A1": 3, "A2": 1}


def test_point_quota_and_both_quotas_in_one_flag() -> None:
    batch = [cand(f"Q{n}", agency="A1") for n in range(3)]
    flags, _ = run(batch, QUOTAS, agency_quota=2, point_quotas={"P1": 1})
    assert codes(flags) == [(), (OVER_QUOTA,), (OVER_QUOTA,)]
    assert flags[1][0].detail == "超出测评点“P1”配额：配额1份，本份为第2份"
    assert flags[2][0].detail == (
        "超出测评机构配额：配额2份，本份为第3份；超出测评点“P1”配额：配额1份，本份为第3份"
    )


def test_quota_counts_carry_over_batches() -> None:
    _, state = run([cand("Q1", agency="A1")], QUOTAS, agency_quota=2)
    flags, state = run(
        [cand("Q2", agency="A1"), cand("Q3", agency="A1")], QUOTAS, state, agency_quota=2
    )
    assert codes(flags) == [(), (OVER_QUOTA,)]


@pytest.mark.parametrize(
    ("rules", "agency_quota", "point_quotas", "expected"),
    [
        (QUOTAS, None, {"P1": None}, [(), ()]),  # no caps
        (QUOTAS, 0, {}, [(OVER_QUOTA,), (OVER_QUOTA,)]),  # a zero quota accepts none
        (QUOTAS, None, {"P9": 0}, [(), ()]),  # another point's quota
        (OFF, 0, {"P1": 0}, [(), ()]),  # the rule off
    ],
)
def test_quota_cases(
    rules: IntegrityRules,
    agency_quota: int | None,
    point_quotas: dict[str, int | None],
    expected: list[tuple[str, ...]],
) -> None:
    flags, state = run(
        [cand("Q1", agency="A1"), cand("Q2", agency="A1")],
        rules,
        agency_quota=agency_quota,
        point_quotas=point_quotas,
    )
    assert codes(flags) == expected
    assert state.agency_counts == {"A1": 2} and state.point_counts == {"P1": 2}


def test_questionnaires_without_agency_or_point_are_not_counted() -> None:
    flags, state = run([cand("Q1", point=None)], QUOTAS, agency_quota=0, point_quotas={})
    assert codes(flags) == [()]
    assert state.agency_counts == {} and state.point_counts == {}


# --- all rules together: order, determinism, batches ---------------------------------------

ALL = IntegrityRules(identical_across_ids=True, straight_lining_min_units=10)


def test_every_rule_at_once_in_the_documented_order() -> None:
    batch = [cand(f"Q{n}", n, device="D1", agency="A1", ratings=units(10)) for n in range(10)]
    flags, _ = run(batch, ALL, agency_quota=9)
    assert codes(flags)[9] == FLAG_ORDER == (IDENTICAL_ANSWERS, BURST, STRAIGHT_LINING, OVER_QUOTA)
    assert codes(flags)[0] == (STRAIGHT_LINING,)


def random_batch(seed: int, size: int) -> list[Candidate]:
    rng = random.Random(seed)
    # Mostly in time order, some up to 40 s late, a few an hour late.
    return [
        cand(
            f"Q{rng.randrange(size)}",
            n - 40 * rng.random() - (3600 if rng.random() < 0.02 else 0),
            point=rng.choice(["P1", "P2", "P3", None]),
            device=rng.choice(["D1", "D2", None]),
            agency=rng.choice(["A1", "A2", None]),
            pattern=rng.choice("abcd"),
            ratings=units(rng.randrange(8, 12), rng.choice(["满意", "不满意"])),
        )
        for n in range(size)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_same_input_same_flags_and_any_split_into_batches_too(seed: int) -> None:
    rules = ALL.model_copy(update={"burst_size": 3, "burst_seconds": 30})
    quotas: dict[str, int | None] = {"P1": 20, "P2": None}
    batch = random_batch(seed, 300)
    start = WaveIntegrityState(patterns_per_key=3, pattern_keys=6, burst_entries=40)
    whole, whole_state = screen(batch, rules, start, 50, quotas)
    again, again_state = screen(batch, rules, start, 50, quotas)
    assert whole == again and whole_state.to_json() == again_state.to_json()
    assert (
        start.to_json()
        == WaveIntegrityState(patterns_per_key=3, pattern_keys=6, burst_entries=40).to_json()
    )  # not modified
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, 300), 7))
    state, split = start, []
    for low, high in zip([0, *cuts], [*cuts, 300], strict=True):
        found, state = screen(batch[low:high], rules, state, 50, quotas)
        state = WaveIntegrityState.from_json(state.to_json())
        split.extend(found)
    assert split == whole
    assert state.to_json() == whole_state.to_json()
    assert {code for found in whole for code in codes([found])[0]} == set(FLAG_ORDER)


def test_collected_at_must_be_aware() -> None:
    naive = Candidate("Q1", datetime(2024, 11, 5, 9), "P1", None, None, "x", {})
    with pytest.raises(ValueError, match="time zone"):
        run([naive], ALL)


# --- the state's JSON form ----------------------------------------------------------------


def test_state_round_trips_through_json() -> None:
    batch = [
        cand("Q1", 0, point="测评点一", device="平板\u0000", agency="A1"),
        cand("Q2", 1, point=None, device="D1", pattern="p\ud800"),
        cand("Q3", 2, point="P2", device=None, agency="A2"),
    ]
    _, state = run(batch, ALL, agency_quota=5, point_quotas={"P2": 1})
    text = state.to_json()
    back = WaveIntegrityState.from_json(text)
    assert back == state and back.to_json() == text
    loaded = json.loads(text)
    assert loaded["format"] == 1 and loaded["newest"] == "2024-11-05T01:00:02.000000+00:00"
    assert loaded["agency_counts"] == {"A1": 1, "A2": 1}
    assert [key[:2] for key in loaded["patterns"]] == [
        ["测评点一", "平板\u0000"],
        [None, "D1"],
        ["P2", None],
    ]
    assert WaveIntegrityState.from_json(WaveIntegrityState().to_json()) == WaveIntegrityState()


def test_state_json_keeps_least_recently_seen_order() -> None:
    _, state = run(
        [cand("Q1", point="P1"), cand("Q2", point="P2"), cand("Q3", point="P1")], IDENTICAL
    )
    back = WaveIntegrityState.from_json(state.to_json())
    assert list(back.patterns) == [("P2", None), ("P1", None)]


def test_a_state_keeps_the_pattern_form_its_wave_began_with() -> None:
    """A state saved before the form was recorded is resumed in the old form, so a wave's
    patterns stay comparable across the upgrade; a new state uses row texts."""
    assert WaveIntegrityState().pattern_form == PATTERN_ROW_TEXT
    _, state = run([cand("Q1"), cand("Q2")], IDENTICAL)
    saved = json.loads(state.to_json())
    assert saved["pattern_form"] == PATTERN_ROW_TEXT
    del saved["pattern_form"]  # as every state saved before it was
    old = WaveIntegrityState.from_json(json.dumps(saved))
    assert old.pattern_form == PATTERN_ANSWERS_JSON
    assert old.copy().pattern_form == PATTERN_ANSWERS_JSON
    assert json.loads(old.to_json())["pattern_form"] == PATTERN_ANSWERS_JSON
    with pytest.raises(ValueError, match="pattern form"):
        WaveIntegrityState.from_json(json.dumps(saved | {"pattern_form": "sorted_answers"}))


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"format": 2}',
        '{"format": 1}',
        '{"format": 1, "newest": "2024-01-01T00:00:00", "bursts": [],'
        ' "patterns": [], "agency_counts": {}, "point_counts": {},'
        ' "caps": {"patterns_per_key": 1, "pattern_keys": 1,'
        ' "burst_entries": 1}}',
    ],
)
def test_malformed_state_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        WaveIntegrityState.from_json(text)


# --- point departures ---------------------------------------------------------------------


def p_value(x: float, dof: int) -> Decimal:
    """Closed forms of the chi-square survival function for 1, 2 and 3 degrees of freedom."""
    q = {
        1: math.erfc(math.sqrt(x / 2)),
        2: math.exp(-x / 2),
        3: math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2),
    }[dof]
    return Decimal(f"{q:.4g}")


def departures(
    counts: Mapping[str, Mapping[str, int]],
    percent: int,
    min_sample: int = 30,
    questionnaires: Mapping[str, int] | None = None,
) -> list[PointDeparture]:
    rules = IntegrityRules(point_departure_percent=percent, point_departure_min_sample=min_sample)
    return point_departures(
        counts, rules, questionnaires_by_point=questionnaires or dict.fromkeys(counts, 30)
    )


def test_worked_example_two_answers() -> None:
    """A: 满意 10, 不满意 10; rest (B): 满意 30, 不满意 10.
    TVD = ½(|1/2 − 3/4| + |1/2 − 1/4|) = 1/4 → 25.00%.
    Expected A: 40·20/60 = 40/3, 20·20/60 = 20/3; rest: 80/3, 40/3.
    χ² = (10/3)² · (3/40 + 3/20 + 3/80 + 3/40) = 100/9 · 27/80 = 15/4 = 3.75, 1 dof,
    p = erfc(√1.875) = 0.05281. B against A: the same table, so the same numbers."""
    counts = {"A": {"满意": 10, "不满意": 10}, "B": {"满意": 30, "不满意": 10}}
    found = departures(counts, 25)
    assert found == [
        PointDeparture("A", 30, 20, 40, Decimal("25.00"), Decimal("3.7500"), 1, Decimal("0.05281")),
        PointDeparture("B", 30, 40, 20, Decimal("25.00"), Decimal("3.7500"), 1, Decimal("0.05281")),
    ]
    assert found[0].p_value == p_value(3.75, 1)
    assert departures(counts, 26) == []


def test_worked_example_three_answers() -> None:
    """A: 满意 6, 基本满意 2, 不满意 2 (10); rest (B): 12, 6, 2 (20).
    Shares A (.6, .2, .2), rest (.6, .3, .1): TVD = ½(0 + .1 + .1) = 10.00%.
    Column totals 18, 8, 4 of 30. Expected A: 6, 8/3, 4/3; rest: 12, 16/3, 8/3.
    χ² = 0 + (2/3)²/(8/3) + (2/3)²/(4/3) + 0 + (2/3)²/(16/3) + (2/3)²/(8/3)
       = 4/9 · (3/8 + 3/4 + 3/16 + 3/8) = 4/9 · 27/16 = 3/4, 2 dof, p = e^−0.375 = 0.6873."""
    counts = {
        "A": {"满意": 6, "基本满意": 2, "不满意": 2},
        "B": {"满意": 12, "基本满意": 6, "不满意": 2},
    }
    (a, b) = departures(counts, 10)
    assert (a.point, a.distance_percent, a.chi_square, a.degrees_of_freedom, a.p_value) == (
        "A",
        Decimal("10.00"),
        Decimal("0.7500"),
        2,
        Decimal("0.6873"),
    )
    assert a.p_value == p_value(0.75, 2)
    assert (b.point, b.distance_percent, b.chi_square) == ("B", Decimal("10.00"), Decimal("0.7500"))


def test_each_point_is_compared_with_the_rest_without_it() -> None:
    """A: 满意 10; B and C: 满意 5, 不满意 5 each.
    A vs B+C (满意 10, 不满意 10): shares (1, 0) vs (1/2, 1/2) → 50.00%;
    χ²: totals 20, 10 of 30; expected A 20/3, 10/3, rest 40/3, 20/3;
    (10/3)² · (3/20 + 3/10 + 3/40 + 3/20) = 100/9 · 27/40 = 7.5, p = erfc(√3.75).
    B vs A+C (15 满意, 5 不满意): (1/2, 1/2) vs (3/4, 1/4) → 25.00%; C likewise."""
    counts = {"C": {"满意": 5, "不满意": 5}, "A": {"满意": 10}, "B": {"满意": 5, "不满意": 5}}
    assert [(d.point, d.distance_percent) for d in departures(counts, 30)] == [
        ("A", Decimal("50.00"))
    ]
    found = departures(counts, 25)
    assert [(d.point, d.distance_percent) for d in found] == [
        ("A", Decimal("50.00")),
        ("B", Decimal("25.00")),
        ("C", Decimal("25.00")),
    ]
    assert found[0].chi_square == Decimal("7.5000")
    assert found[0].p_value == p_value(7.5, 1) == Decimal("0.006170")


def test_minimum_sample_counts_questionnaires_not_answers() -> None:
    counts = {"A": {"满意": 1000}, "B": {"不满意": 1000}}
    assert [d.point for d in departures(counts, 30, 30, {"A": 29, "B": 30})] == ["B"]
    assert departures(counts, 30, 30, {"A": 29}) == []
    assert [d.point for d in departures(counts, 30, 0, {})] == ["A", "B"]  # zero: no minimum


def test_departure_distance_is_rounded_half_up_to_two_places_before_comparing() -> None:
    """A: 5000 满意, 5000 不满意 (shares 1/2); rest: 9799 and 10201 of 20000.
    TVD = 201/20000 = 1.005% → 1.01 (half up; half even would say 1.00).
    With 9801/10199: 199/20000 = 0.995% → 1.00, which meets a 1% threshold."""
    a = {"满意": 5000, "不满意": 5000}
    up = departures({"A": a, "B": {"满意": 9799, "不满意": 10201}}, 1)
    assert up[0].point == "A" and up[0].distance_percent == Decimal("1.01")
    at = departures({"A": a, "B": {"满意": 9801, "不满意": 10199}}, 1)
    assert at[0].distance_percent == Decimal("1.00")


def test_departures_off_or_nothing_to_compare() -> None:
    counts = {"A": {"满意": 10}, "B": {"不满意": 10}}
    assert departures(counts, 0) == []
    assert departures({"A": {"满意": 10}}, 1) == []  # no rest
    assert departures({"A": {}, "B": {"满意": 3}}, 1, 0, {}) == []  # no answers at A
    identical = departures({"A": {"满意": 3, "不满意": 1}, "B": {"满意": 6, "不满意": 2}}, 1)
    assert identical == []
    with pytest.raises(ValueError):
        departures({"A": {"满意": -1}}, 1)


def test_chi_square_p_values_against_tables() -> None:
    """5% critical values: 3 dof 7.815, 5 dof 11.070, 10 dof 18.307 (any statistics table)."""
    assert _p_value(Fraction(7815, 1000), 3) == p_value(7.815, 3)
    assert _p_value(Fraction(7815, 1000), 3).quantize(Decimal("0.001")) == Decimal("0.050")
    assert _p_value(Fraction(11070, 1000), 5).quantize(Decimal("0.001")) == Decimal("0.050")
    assert _p_value(Fraction(18307, 1000), 10).quantize(Decimal("0.001")) == Decimal("0.050")
    assert _p_value(Fraction(0), 4) == Decimal(1)
    assert _p_value(Fraction(400), 1) == p_value(400.0, 1)


def test_departure_flag_explains_in_chinese() -> None:
    (found, _) = departures({"A": {"满意": 10, "不满意": 10}, "B": {"满意": 30, "不满意": 10}}, 25)
    flag = departure_flag(found, IntegrityRules(point_departure_percent=25))
    assert flag.code == POINT_DEPARTURE
    assert flag.detail == "测评点“A”答案分布与其他测评点差异25.00%（阈值25%，样本30份）"
