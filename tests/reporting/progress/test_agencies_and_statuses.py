"""Reporting's progress by agency (against its quota) and by status, from survey's contract
messages applied to the `wave_progress` view as its consumer applies them, read as the API
reads them (`read.progress`).

The story, its steps and the statuses after each are `status_story`'s: eight
questionnaires of three agencies and a public vote at two points in two counties, moved
through every status."""

from __future__ import annotations

from tests.reporting.progress.status_story import (
    AG1,
    AG2,
    AG3,
    COUNTY_A,
    COUNTY_B,
    STEPS,
    SURVEY_LOG,
    agencies,
    apply,
    fresh_store,
    read,
    statuses,
)


def test_every_status_move_moves_the_count_once() -> None:
    store = fresh_store()
    applied = 0
    for step, payloads, expected in STEPS:
        apply(store, SURVEY_LOG[applied : applied + len(payloads)])
        applied += len(payloads)
        document = read(store)
        assert statuses(document) == expected, step
        total = document["total"]
        assert sum(expected) == total["received"] == 8, step
        # Survey's `collected`: what stands, rejected, voided and withdrawn ones left out.
        assert total["collected"] == 8 - expected[2] - expected[3] - expected[4], step
        assert (total["counted"], total["quarantined"]) == expected[:2], step
        # Every agency's questionnaires stand in one status each, as the wave's do.
        for row in document["by_agency"]:
            assert row["counted"] + row["quarantined"] + row["excluded"] == row["received"]
            assert row["counted"] + row["quarantined"] == row["collected"]
            dropped = row["voided_or_withdrawn"] + row["rejected"]
            assert row["collected"] + dropped == row["received"]
        assert sum(row["received"] for row in document["by_agency"]) == 8, step


def test_agencies_by_name_or_id_with_their_quotas() -> None:
    store = fresh_store()
    apply(store, SURVEY_LOG)
    document = read(store)
    # The opening's agencies in its order, then the accredited one, then the public vote.
    assert [row["key"] for row in document["by_agency"]] == [
        str(AG1),
        str(AG2),
        str(AG3),
        "unspecified",
    ]
    assert agencies(document) == {
        "甲调查公司": (4, 3, 2, 1, 1, 5),  # q1, q4 counted; q2 in quarantine; q3 rejected
        str(AG2): (1, 0, 0, 0, 1, None),  # unknown to the registry copy: its id; q5 voided
        "丙调查公司": (2, 0, 0, 0, 2, 3),  # accredited with quota 3; its batch withdrawn
        "未注明": (1, 1, 1, 0, 0, None),  # the public vote
    }
    shares = {row["key"]: row["share"] for row in document["by_status"]}
    assert shares == {
        "counted": "37.50",
        "quarantined": "12.50",
        "rejected": "12.50",
        "voided": "12.50",
        "withdrawn": "25.00",
    }


def test_a_wave_without_questionnaires_lists_every_status_and_agency_at_0() -> None:
    store = fresh_store()
    apply(store, SURVEY_LOG[:2])
    document = read(store)
    assert statuses(document) == (0, 0, 0, 0, 0)
    assert {row["share"] for row in document["by_status"]} == {None}
    assert agencies(document) == {
        "甲调查公司": (0, 0, 0, 0, 0, 5),
        str(AG2): (0, 0, 0, 0, 0, None),
        "丙调查公司": (0, 0, 0, 0, 0, 3),
    }


def test_a_county_part_adds_up_to_the_whole() -> None:
    store = fresh_store()
    apply(store, SURVEY_LOG)
    whole = read(store)
    part_a, part_b = read(store, {str(COUNTY_A)}), read(store, {str(COUNTY_B)})
    # County A: q1 counted, q2 quarantined, q3 rejected, q6 counted, q8 withdrawn.
    assert statuses(part_a) == (2, 1, 1, 0, 1)
    # County B: q4 counted, q5 voided, q7 withdrawn.
    assert statuses(part_b) == (1, 0, 0, 1, 1)
    assert [a + b for a, b in zip(statuses(part_a), statuses(part_b), strict=True)] == list(
        statuses(whole)
    )
    # A part lists the wave's agencies even at 0, and the quotas, the whole wave's, as null.
    assert agencies(part_a) == {
        "甲调查公司": (3, 2, 1, 1, 1, None),
        str(AG2): (0, 0, 0, 0, 0, None),
        "丙调查公司": (1, 0, 0, 0, 1, None),
        "未注明": (1, 1, 1, 0, 0, None),
    }
    assert agencies(part_b) == {
        "甲调查公司": (1, 1, 1, 0, 0, None),
        str(AG2): (1, 0, 0, 0, 1, None),
        "丙调查公司": (1, 0, 0, 0, 1, None),
    }
    parts = (agencies(part_a), agencies(part_b))
    for name, row in agencies(whole).items():
        summed = [sum(part[name][i] for part in parts if name in part) for i in range(5)]
        assert summed == list(row[:5]), name
