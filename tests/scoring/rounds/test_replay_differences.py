"""What replay names when a unit's result differs: each differing value by its path, with
components and deductions addressed by their code, stored against replayed, in Chinese and
in English (the row says all the Chinese first, then all the English whole)."""

from __future__ import annotations

import copy
from typing import Any

from services.scoring.rounds.verdicts import MAX_DETAILS, Words, compare, differences

UNIT: dict[str, Any] = {
    "unit_id": "u1",
    "score": "91.50",
    "components": [
        {"code": "questionnaire", "inputs": {"counts": {"满意": 3, "不满意": 2}}, "value": "60.00"},
        {"code": "hotline", "inputs": {"calls": 4}, "value": "90.00"},
    ],
    "deductions": [{"code": "findings", "points": "2.00", "items": [{"finding_id": "f1"}]}],
    "lists": ["advanced"],
}


def test_identical_results_name_nothing() -> None:
    assert differences(UNIT, copy.deepcopy(UNIT)) == ()


def test_components_are_named_by_code_whatever_their_order() -> None:
    replayed = copy.deepcopy(UNIT)
    replayed["components"].reverse()
    replayed["components"][1]["inputs"]["counts"]["满意"] = 4
    replayed["deductions"][0]["points"] = "1.00"
    assert differences(UNIT, replayed) == (
        Words(
            "components.questionnaire.inputs.counts.满意 存储为 3, 重放为 4",
            "components.questionnaire.inputs.counts.满意 stored 3, replay 4",
        ),
        Words(
            'deductions.findings.points 存储为 "2.00", 重放为 "1.00"',
            'deductions.findings.points stored "2.00", replay "1.00"',
        ),
    )


def test_lists_without_codes_and_missing_values_are_shown_whole() -> None:
    replayed = copy.deepcopy(UNIT)
    replayed["lists"] = []
    del replayed["score"]
    assert differences(UNIT, replayed) == (
        Words('lists 存储为 ["advanced"], 重放为 []', 'lists stored ["advanced"], replay []'),
        Words('score 存储为 "91.50", 重放为 —', 'score stored "91.50", replay —'),
    )
    whole = _json(UNIT)
    assert differences(UNIT, None) == (
        Words(f"result 存储为 {whole}, 重放为 —", f"result stored {whole}, replay —"),
    )


def test_many_differences_are_counted_past_the_first_few() -> None:
    replayed = copy.deepcopy(UNIT)
    for n in range(MAX_DETAILS + 3):
        replayed[f"extra{n:02d}"] = n
    found = differences(UNIT, replayed)
    assert len(found) == MAX_DETAILS + 1 and found[-1] == Words("另有 3 处", "and 3 more")


def _json(value: Any) -> str:
    from shared.canonical import canonical_json

    return canonical_json(value).decode()


_WORDS = "民主评议政风行风综合考核；「问卷测评群众满意度」91.19分" * 12


def _explained(rank: int) -> str:
    return f"{_WORDS}；在公共服务行业中排第{rank}名（考虑抽样误差，可能名次第1至25名）。"


def test_a_moved_rank_is_named_without_the_words_and_digest_that_restate_it() -> None:
    stored = UNIT | {"rank": 9, "explanation": _explained(9), "result_digest": "sha256:aa"}
    replayed = stored | {"rank": 8, "explanation": _explained(8), "result_digest": "sha256:bb"}
    assert differences(stored, replayed) == (
        Words("rank 存储为 9, 重放为 8", "rank stored 9, replay 8"),
    )


def test_long_words_edited_alone_are_shown_where_they_differ() -> None:
    """A one-word change past the first 300 characters: both sides from a little before it,
    not two texts cut where they still read alike."""
    stored = UNIT | {"explanation": _explained(9)}
    [found] = differences(stored, UNIT | {"explanation": _explained(8)})
    old, new = found.chinese.removeprefix("explanation 存储为 ").split(", 重放为 ")
    assert len(_explained(9)) > 300
    assert old.startswith("…") and "排第9名" in old and len(old) < 80, old
    assert new.startswith("…") and "排第8名" in new and len(new) < 80, new
    assert old.endswith("… (395 characters)")  # the whole text's length, JSON quotes included
    assert old.removeprefix("…").split("…")[0] in _explained(9)


def test_a_differing_unit_is_named_beside_its_id() -> None:
    stored = {"inputs_digest": "d", "units": [UNIT | {"unit_name": "漯河市旅游局", "rank": 9}]}
    replayed = {
        "inputs_digest": "d",
        "units": [UNIT | {"unit_name": "漯河市旅游局", "rank": 8}],
        "survey_ranges": 1,
        "upstream_positions": {"survey": 5},
    }
    base = {"run_id": "r1", "campaign_id": "c1", "round": 1, "final": True}
    verdict = compare(base, stored, replayed, {"survey": 5})
    [(_, _, unit, words)] = verdict.rows()
    assert (unit, words) == (
        "u1 漯河市旅游局",
        "不一致: rank 存储为 9, 重放为 8 (different: rank stored 9, replay 8)",
    )
