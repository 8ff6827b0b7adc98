"""`Checker.with_codes`: a point or group code that reads as one of the wave's in NFKC
without the spaces around is that code; the wave's own codes cost two set lookups and give
the questionnaire back untouched; a code that reads as none, or as two of the wave's, is
left for the checks to refuse."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from services.survey.domain import Checker
from services.survey.domain.canonical import canonical_code, code_lookup
from tests.survey.test_domain import COLLECTED, _questionnaire, _wave

GROUPS = [
    {"code": "user", "name": "服务对象", "target_percent": 50},
    {"code": "public", "name": "群众", "target_percent": 50},
]


def _point(code: str) -> dict[str, Any]:
    return {"code": code, "name": code, "jurisdiction_id": str(uuid4()), "target": 5}


def _checker() -> Checker:
    return Checker(_wave(points=[_point("YH-01"), _point("YC-01")], groups=GROUPS), COLLECTED)


def test_the_wave_s_own_codes_give_the_questionnaire_back() -> None:
    checker = _checker()
    q = _questionnaire(checker.wave, survey_point="YH-01") | {"group": "user"}
    assert checker.with_codes(q) is q
    bare = q | {"survey_point": None, "group": None}
    assert checker.with_codes(bare) is bare


@pytest.mark.parametrize(
    ("point", "group", "meant"),
    [
        ("ＹＨ－０１", "ｕｓｅｒ", ("YH-01", "user")),
        (" YC-01\u3000", "public ", ("YC-01", "public")),
        ("YH-01", "ｐｕｂｌｉｃ", ("YH-01", "public")),
    ],
)
def test_a_code_as_typed_is_the_wave_s(point: str, group: str, meant: tuple[str, str]) -> None:
    checker = _checker()
    q = checker.with_codes(_questionnaire(checker.wave, survey_point=point) | {"group": group})
    assert (q["survey_point"], q["group"]) == meant
    assert checker.problems(q) == []


def test_a_code_the_wave_has_not_is_left_for_the_checks() -> None:
    checker = _checker()
    sent = _questionnaire(checker.wave, survey_point="ＹＨ－１") | {"group": "ｕｓｅｒｓ"}
    q = checker.with_codes(sent)
    assert (q["survey_point"], q["group"]) == ("ＹＨ－１", "ｕｓｅｒｓ")
    assert [(p.field, p.code) for p in checker.problems(q)] == [
        ("survey_point", "unknown_point"),
        ("group", "group"),
    ]


def test_codes_that_read_alike_are_not_guessed() -> None:
    lookup = code_lookup(["Ａ1", "A1", "B1"])
    assert lookup == {"B1": "B1"}
    codes = frozenset(["Ａ1", "A1", "B1"])
    assert canonical_code(" A1", codes, lookup) == " A1"
    assert canonical_code("A1", codes, lookup) == "A1"
