"""A push read straight from its JSON (`BatchIn.from_json_body`) gives the same rows and the
same problems, in the same order, as the ordinary reading (`json.loads`, `BatchIn`, then row
by row); a body wrong as a whole it leaves to the ordinary reading, which refuses it."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.survey.schemas.batches import BatchIn, JsonBatchIn

UNITS = [str(uuid4()) for _ in range(5)]
AT = "2026-05-12T10:30:00+08:00"


def _q(number: int, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "questionnaire_id": f"Q{number}",
        "collected_at": AT,
        "survey_point": "YC-01",
        "ratings": {unit: "满意" for unit in UNITS},
    }
    return base | changes


def _body(*rows: Any, **batch: Any) -> bytes:
    # ASCII escapes, as many clients send them: a lone surrogate travels as \\ud800.
    return json.dumps({"questionnaires": list(rows)} | batch).encode("ascii")


CLEAN = {
    "plain": _body(_q(1), _q(2)),
    "uppercase unit ids": _body(_q(1, ratings={unit.upper(): "不满意" for unit in UNITS})),
    "unit ids with spaces around": _body(_q(1, ratings={f" {UNITS[0]} ": "满意"})),
    "one unit twice, in two cases": _body(
        _q(1, ratings={UNITS[0].upper(): "满意", UNITS[1]: "不了解", UNITS[0]: "不满意"})
    ),
    "compact row": _body(_q(1, ratings={}, row=["满意", None, "基本满意", None, "不满意"])),
    "everything a questionnaire carries": _body(
        _q(
            1,
            dimension_ratings={UNITS[0].upper(): {"效率": "满意"}, UNITS[1]: {" 作风 ": "不满意"}},
            opinions=[{"unit_id": UNITS[0], "text": "窗口服务态度需改进"}, {"text": "好"}],
            recommended_key_targets=[UNITS[2].upper()],
            channel="paper",
            group="service_user",
            district_id=str(uuid4()),
            device="PAD-7",
            respondent_id=str(uuid4()),
        ),
        all_or_nothing=True,
    ),
    "a moment as a number": _body(_q(1, collected_at=1_778_553_000)),
}

ROW_PROBLEMS = {
    "not a unit id": _body(_q(1), _q(2, ratings={"市教育局": "满意"})),
    "a unit id in dimensions that is not one": _body(
        _q(1, dimension_ratings={"x": {"效率": "满意"}})
    ),
    "an answer off every scale": _body(_q(1, ratings={UNITS[0]: "还行"}), _q(2)),
    "an undefined field": _body(_q(1, note="x")),
    "no time zone": _body(_q(1, collected_at="2026-05-12T10:30:00")),
    "a control character": _body(_q(1, survey_point="YC\x1b01")),
    "two bad rows among good ones": _body(
        _q(1), _q(2, collected_at="soon"), _q(3), _q(4, ratings={"x": "满意"}, row=[])
    ),
    # Only the ordinary reading takes this one (every string of `BatchIn` is stripped, the
    # keys of a row's dict among them): the row as sent is validated as it always was.
    "field names with spaces": _body({f" {name}": value for name, value in _q(1).items()}),
}

WRONG_AS_A_WHOLE = {
    "a lone surrogate": _body(_q(1, questionnaire_id="Q\ud800")),
    "a row that is no object": _body(_q(1), "Q2"),
    "no rows": _body(),
    "an undefined batch field": _body(_q(1), dry_run=True),
    "not JSON": b'{"questionnaires": [',
}


def _ordinary(raw: bytes) -> Any:
    """The rows as FastAPI and `BatchIn.rows` read them, or the error refusing the body."""
    try:
        return BatchIn.model_validate(json.loads(raw)).rows()
    except (ValidationError, ValueError) as error:
        return type(error)


@pytest.mark.parametrize("raw", CLEAN.values(), ids=CLEAN.keys())
def test_a_clean_batch_is_read_at_once_into_the_same_rows(raw: bytes) -> None:
    for _ in range(2):  # the second time, its unit ids are known
        batch = BatchIn.from_json_body(raw)
        assert isinstance(batch, JsonBatchIn)
        rows = batch.rows()
        assert (rows.problems, rows.salvaged) == ([], [])
        assert len(rows.good) == len(json.loads(raw)["questionnaires"])
        # repr: the same values, and the same order in every dict
        assert repr(rows) == repr(_ordinary(raw))
        assert batch.all_or_nothing == json.loads(raw).get("all_or_nothing", False)


@pytest.mark.parametrize("raw", ROW_PROBLEMS.values(), ids=ROW_PROBLEMS.keys())
def test_bad_rows_are_reported_as_the_ordinary_reading_reports_them(raw: bytes) -> None:
    batch = BatchIn.from_json_body(raw)
    assert isinstance(batch, JsonBatchIn)
    assert repr(batch.rows()) == repr(_ordinary(raw))


def test_unit_ids_are_stored_in_canonical_form_however_sent() -> None:
    for _ in range(2):
        batch = BatchIn.from_json_body(CLEAN["one unit twice, in two cases"])
        assert batch is not None
        [(_, command)] = batch.rows()[0]
        assert command["ratings"] == {UNITS[0]: "不满意", UNITS[1]: "不了解"}


@pytest.mark.parametrize("raw", WRONG_AS_A_WHOLE.values(), ids=WRONG_AS_A_WHOLE.keys())
def test_a_body_wrong_as_a_whole_is_left_to_the_ordinary_reading(raw: bytes) -> None:
    assert BatchIn.from_json_body(raw) is None
    ordinary = _ordinary(raw)
    assert ordinary in (ValidationError, json.JSONDecodeError) or ordinary[1], ordinary
