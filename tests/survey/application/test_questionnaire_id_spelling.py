"""A questionnaire id typed in another width, or with spaces around, is the same
questionnaire: `Ｑ-001`, `Q－００１` and ` Q-001　` are `Q-001`, so a re-push of it is a
duplicate, not a second questionnaire (严禁复制测评问卷). Ids are stored canonical
(`canonical_id`: NFKC, without the spaces around) in waves opened from now on; in a wave
opened before, an id already stored as typed stays that questionnaire's. (The survey
application alone, in memory: `Setup`.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.survey.application.batches.rows import recorded_fields
from services.survey.domain import Response, Wave
from tests.stored_events import created, store
from tests.survey.test_application import Setup


def _one(setup: Setup, wave_id: UUID, qid: str, **changes: Any) -> dict[str, Any]:
    ((index, row),) = setup.rows(1, **changes)
    return setup.push(wave_id, [(index, row | {"questionnaire_id": qid})])


def test_a_re_push_in_full_width_is_a_duplicate(setup: Setup) -> None:
    wave_id = setup.open_wave()
    assert _one(setup, wave_id, "Q-001")["accepted"] == 1
    for spelling in ("Ｑ－００１", " Q-001\u3000", "Q\uff0d001"):
        again = _one(setup, wave_id, spelling)
        assert (again["accepted"], again["duplicates"]) == (0, 1), (spelling, again)
    # Typed full-width first, it is stored as the canonical id.
    assert _one(setup, wave_id, "Ｑ－００２")["accepted"] == 1
    stored = setup.app.questionnaire(Response.create_id(wave_id, "Q-002"))
    assert stored.questionnaire_id == "Q-002"
    assert _one(setup, wave_id, "Q-002")["duplicates"] == 1
    assert setup.app.wave(wave_id).questionnaires == 2


def test_the_same_id_in_two_widths_in_one_push_is_a_repeat(setup: Setup) -> None:
    wave_id = setup.open_wave()
    rows = setup.rows(2)
    rows = [
        (0, rows[0][1] | {"questionnaire_id": "A-7"}),
        (1, rows[1][1] | {"questionnaire_id": "Ａ-７"}),
    ]
    pushed = setup.push(wave_id, rows)
    assert pushed["accepted"] == 1
    assert [(p["row"], p["code"]) for p in pushed["problems"]] == [(1, "repeated")]


def test_an_id_stored_as_typed_before_stays_that_questionnaire(setup: Setup) -> None:
    """A wave opened before ids were made canonical (its setup unmarked) may hold a
    full-width id as typed, under the response id derived from it: a re-push of it is still
    a duplicate of that questionnaire, not a second one under the canonical id."""
    opened = setup.app.wave(setup.open_wave())
    old_setup = {k: v for k, v in opened.setup.items() if k != "questionnaire_ids"}
    wave_opened = created(
        Wave,
        Wave.Opened,
        jurisdiction_id=opened.jurisdiction_id,
        name=opened.name,
        agency_id=opened.agency_id,
        unit_ids=opened.unit_ids,
        actor="office:x",
        setup=old_setup,
    )
    wave_id = wave_opened.originator_id
    ((_, row),) = setup.rows(1)
    row |= {"questionnaire_id": "Ｑ-009"}
    units = [str(u) for u in opened.unit_ids]
    fields = recorded_fields(wave_id, row, setup.agency_id, None, [], units)
    as_typed = Response.create_id(wave_id, "Ｑ-009")
    recorded = created(Response, Response.Recorded, as_typed, actor="agency:x", **fields)
    store(setup.app, wave_opened, recorded)
    assert not setup.app.wave(wave_id).canonical_ids
    again = _one(setup, wave_id, "Ｑ-009")
    assert (again["accepted"], again["duplicates"]) == (0, 1), again
    # An id not stored as typed is stored canonical there too.
    assert _one(setup, wave_id, "Ｑ-010")["accepted"] == 1
    assert setup.app.has_questionnaire(Response.create_id(wave_id, "Q-010"))
