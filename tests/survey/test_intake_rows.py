"""A pushed questionnaire's row text, made and checked in one pass
(services/survey/application/batches/rows.py, `checked_row_text`), and its integrity pattern
(`pattern_of`). The one pass stands in for the checker's ratings rule on the push's hot path,
so it must accept exactly what the checker accepts and make exactly the row text the two
separate passes made; the old pattern form must be the bytes stored digests were taken of."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.survey.application import SurveyApplication
from services.survey.application.batches.rows import (
    checked_row_text,
    expand_row,
    pattern_of,
    unit_row,
)
from services.survey.domain import BUILTIN_TEMPLATE, Checker
from services.survey.integrity import PATTERN_ANSWERS_JSON, PATTERN_ROW_TEXT
from shared.canonical import fingerprint
from shared.contracts.survey import SCALE_LEVELS, Scale
from shared.contracts.survey_batch import row_chars
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.survey.test_domain import COLLECTED, _questionnaire, _wave

ALL_ANSWERS = sorted({answer for levels in SCALE_LEVELS.values() for answer in levels})


def _two_passes(q: dict[str, Any], units: list[str], chars: dict[str | None, str]) -> str:
    """The row text as the intake made it before: the row laid out by unit, then coded."""
    return "".join(map(chars.__getitem__, unit_row(q, units)))


@settings(max_examples=300, deadline=None)
@given(
    scale=st.sampled_from(list(Scale)),
    rated=st.lists(st.tuples(st.integers(0, 5), st.sampled_from([*ALL_ANSWERS, ""]))),
    strangers=st.integers(0, 1),
    as_row=st.booleans(),
    every_unit_in_order=st.lists(st.sampled_from([*ALL_ANSWERS, ""]), min_size=6, max_size=6),
    complete=st.booleans(),
)
def test_one_pass_accepts_what_the_checker_accepts_and_makes_the_same_row(
    scale: Scale,
    rated: list[tuple[int, str]],
    strangers: int,
    as_row: bool,
    every_unit_in_order: list[str],
    complete: bool,
) -> None:
    """`complete`: every unit rated, keys in the wave's order (as most agencies send them,
    which the one pass reads as it is)."""
    template = BUILTIN_TEMPLATE.model_copy(update={"scale": scale})
    wave = _wave(units=6, template=template.model_dump(mode="json"))
    units = [str(u) for u in wave.unit_ids]
    stranger = "00000000-0000-4000-8000-000000000000"
    ratings = {units[i]: answer for i, answer in rated}
    if complete:
        ratings = dict(zip(units, every_unit_in_order, strict=True))
    if strangers:
        ratings[stranger] = SCALE_LEVELS[scale][0]
    if as_row and not strangers:
        row = [ratings.get(unit) for unit in units]
        q, found = expand_row(_questionnaire(wave, ratings={}, row=row), units)
        assert not found
    else:
        q = _questionnaire(wave, ratings=ratings)
    chars = row_chars(list(SCALE_LEVELS[scale]))
    text = checked_row_text(q, units, chars)
    checked = [p for p in Checker(wave, COLLECTED).problems(q) if p.field.startswith("ratings")]
    assert (text is not None) == (not checked), (ratings, checked)
    if text is not None:
        assert text == _two_passes(q, units, chars)
        assert not [
            p
            for p in Checker(wave, COLLECTED).problems(q, ratings_checked=True)
            if p.field.startswith("ratings")
        ]


def test_the_old_pattern_form_is_the_json_of_the_answers_by_unit() -> None:
    """The bytes the digests of waves begun before the row-text form were taken of."""
    wave = _wave(units=3)
    units = [str(u) for u in wave.unit_ids]
    q = _questionnaire(wave, ratings={units[0]: "满意", units[2]: "不满意"})
    chars = row_chars(list(SCALE_LEVELS[Scale.FOUR_LEVEL]))
    text = checked_row_text(q, units, chars)
    assert text is not None
    assert pattern_of(q, text, PATTERN_ANSWERS_JSON, units) == '["满意",null,"不满意"]'
    with_opinion = q | {"opinions": [{"unit_id": None, "text": "窗口服务好"}]}
    assert pattern_of(with_opinion, text, PATTERN_ANSWERS_JSON, units) == orjson.dumps(
        [["满意", None, "不满意"], {}, [{"text": "窗口服务好", "unit_id": None}], []],
        option=orjson.OPT_SORT_KEYS,
    ).decode("utf-8")


def test_row_text_patterns_are_equal_exactly_when_the_answers_are() -> None:
    wave = _wave(units=3)
    units = [str(u) for u in wave.unit_ids]
    chars = row_chars(list(SCALE_LEVELS[Scale.FOUR_LEVEL]))

    def pattern(ratings: dict[str, str], **other: Any) -> str:
        q = _questionnaire(wave, ratings=ratings, **other)
        text = checked_row_text(q, units, chars)
        assert text is not None
        return pattern_of(q, text, PATTERN_ROW_TEXT, units)

    plain = pattern({units[0]: "满意", units[1]: "不满意"})
    assert plain == pattern({units[1]: "不满意", units[0]: "满意"})  # order of keys aside
    assert plain != pattern({units[0]: "满意", units[2]: "不满意"})
    opinion = [{"unit_id": None, "text": "很好"}]
    assert plain != pattern({units[0]: "满意", units[1]: "不满意"}, opinions=opinion)
    assert pattern({units[0]: "满意"}, opinions=opinion) == pattern(
        {units[0]: "满意"}, opinions=opinion
    )


def test_recording_a_push_leaves_its_rows_as_given() -> None:
    """The rows are the request an Idempotency-Key is matched by: an attempt that is tried
    again (a replica's batch came first) fingerprints them again, so recording must not
    write into them, or a client's retry with the same key would no longer match."""
    app = SurveyApplication(IN_MEMORY)
    agency = Principal(uuid4(), "调查公司", "agency", None)
    wave = _wave(units=3, agencies=[{"agency_id": str(agency.principal_id), "quota": None}])
    app.save(wave)
    units = [str(u) for u in wave.unit_ids]
    rows = [
        (0, _questionnaire(wave, ratings={units[0]: "满意", units[2]: "不满意"})),
        (1, _questionnaire(wave, questionnaire_id="Q-0002", ratings={}, row=["满意", None, None])),
    ]
    rows = [(index, *expand_row(q, units)[:1]) for index, q in rows]
    before = fingerprint([[index, q] for index, q in rows])
    assert app.record_batch(agency, wave.id, rows, [], "push-1")["accepted"] == 2
    assert fingerprint([[index, q] for index, q in rows]) == before


def test_a_wave_listing_a_unit_twice_refuses_pushes_with_a_409_not_a_500() -> None:
    """Waves opened before repeated unit ids were refused may list a unit twice: a row of
    one answer per unit would rate it twice, so such a wave takes no questionnaires and
    says why, whichever form the answers come in."""
    from services.survey.application.batches.intake import WaveUnitsRepeated
    from services.survey.domain import Wave

    app = SurveyApplication(IN_MEMORY)
    agency = Principal(uuid4(), "调查公司", "agency", None)
    first, second = uuid4(), uuid4()
    setup = {
        "agencies": [{"agency_id": str(agency.principal_id), "quota": None}],
        "units": [
            {"unit_id": str(u), "name": f"单位{i}", "category": "政府部门"}
            for i, u in enumerate((first, second))
        ],
    }
    wave = Wave(uuid4(), "2026年问卷测评", agency.principal_id, (first, second, first), "x", setup)
    app.save(wave)
    by_ratings = _questionnaire(wave, ratings={str(first): "满意", str(second): "不满意"})
    as_row, _ = expand_row(
        _questionnaire(wave, questionnaire_id="Q-2", ratings={}, row=["满意", None, "满意"]),
        [str(u) for u in wave.unit_ids],
    )
    for q in (by_ratings, as_row):
        with pytest.raises(WaveUnitsRepeated) as caught:
            app.record_batch(agency, wave.id, [(0, q)], [], None)
        assert caught.value.status_code == 409
        body = caught.value.body()
        assert body["error"] == "wave_units_repeated"
        assert body["detail"][0]["field"] == "unit_ids"
        assert body["detail"][0]["context"] == {"unit_ids": [str(first)]}
    assert app.wave(wave.id).questionnaires == 0
