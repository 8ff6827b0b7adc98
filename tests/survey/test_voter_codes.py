"""Voter verification by text-message code (services/survey/verification, the codes' part of
services/survey/application/voting.py): a public wave checks that a number votes only with the
code texted to it, by default; each rule a voter, an office and an operator meet. Codes are
read from the local outbox (the product's adapter where no gateway is set), as the voter's
phone would receive them; time moves by the application's `code_clock`, never by waiting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from services.survey.domain import InvalidQuestionnaire, InvalidWave, Wave
from services.survey.domain.errors import (
    CodeNotNeeded,
    InvalidCode,
    InvalidCodeRequest,
    TooManyCodes,
)
from services.survey.verification import (
    Limits,
)
from tests.harness import Cluster
from tests.stored_events import created, store
from tests.survey.helpers import World, open_wave
from tests.survey.test_application import OFFICE, Setup
from tests.survey.voter_codes import (
    CHINESE_FIRST,
    PHONE,
    Clock,
    api_code_for,
    application,
    checked_wave,
    code_for,
    last_code,
    one_unit,
    public_wave,
    texted,
    window,
)
from tests.survey.voter_codes import clock as clock  # the fixture

OTHER_PHONE = "13900139000"


# --- what a wave checks, chosen at its opening -----------------------------------------------


def test_a_public_wave_checks_its_voters_by_code_unless_told_none(setup: Setup) -> None:
    assert setup.open(kind="online_public_voting", **window())["voter_check"] == "sms_code"
    assert setup.open(public=True, **window())["voter_check"] == "sms_code"
    unchecked = setup.open(kind="online_public_voting", voter_check="none", **window())
    assert unchecked["voter_check"] == "none"
    assert setup.open()["voter_check"] is None  # a private wave has no public voters


def test_a_private_wave_is_refused_a_voter_check(setup: Setup) -> None:
    with pytest.raises(InvalidWave) as refused:
        setup.open(voter_check="sms_code")
    assert refused.value.field == "voter_check"


def test_what_a_wave_checks_is_shown_to_the_public_and_the_office(
    cluster: Cluster, world: World
) -> None:
    now = datetime.now(UTC)
    window: dict[str, Any] = {"opens_at": (now - timedelta(days=1)).isoformat()}
    for asked, shown in ((None, "sms_code"), ("none", "none")):
        extra: dict[str, Any] = {} if asked is None else {"voter_check": asked}
        wave = open_wave(cluster, world, kind="online_public_voting", **window, **extra)
        assert wave["voter_check"] == shown
        office = cluster["survey"].get(
            f"/waves/{wave['wave_id']}", headers=world.county_office.headers
        )
        assert office.json()["voter_check"] == shown
        public = cluster["survey"].get(f"/public/waves/{wave['wave_id']}")
        assert public.json()["voter_check"] == shown


def test_a_public_wave_opened_before_waves_chose_votes_as_it_did(setup: Setup) -> None:
    # Its stored opening has no `voter_check`: it reads as `none`, and votes without a code.
    template = setup.app.wave(checked_wave(setup))
    old_setup = {k: v for k, v in template.setup.items() if k != "voter_check"}
    opened = created(
        Wave,
        Wave.Opened,
        jurisdiction_id=template.jurisdiction_id,
        name="旧的网上评议",
        agency_id=template.agency_id,
        unit_ids=tuple(template.unit_ids),
        actor="office:x",
        setup=old_setup,
    )
    store(setup.app, opened)
    old = setup.app.wave(opened.originator_id)
    assert old.voter_check == "none"
    vote = setup.app.vote(old.id, PHONE, one_unit(setup))
    recorded = setup.app.questionnaire(UUID(vote["response_id"]))
    assert recorded.details["voter_check"] == "none"


# --- asking for a code ------------------------------------------------------------------------


def test_a_code_is_six_digits_texted_to_the_number(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    answer = setup.app.request_code(wave_id, "+86 138-0013-8000")
    assert answer["sent_to"] == "138****8000"
    assert answer["expires_in_seconds"] == 600
    assert re.fullmatch(r"[0-9]{6}", last_code(setup.app, PHONE))


def test_one_code_a_minute_and_five_an_hour_per_number(setup: Setup, clock: Clock) -> None:
    wave_id, other = checked_wave(setup), checked_wave(setup, name="另一个网上评议")
    setup.app.request_code(wave_id, PHONE)
    with pytest.raises(TooManyCodes) as refused:
        setup.app.request_code(other, PHONE)  # per number, whichever wave
    assert refused.value.status_code == 429 and refused.value.retry_after == 60
    assert refused.value.field == "voter" and CHINESE_FIRST.match(refused.value.reason)
    setup.app.request_code(wave_id, OTHER_PHONE)  # another number is not held up
    for _ in range(4):
        clock.advance(61)
        setup.app.request_code(wave_id, PHONE)
    clock.advance(61)
    with pytest.raises(TooManyCodes) as refused:
        setup.app.request_code(wave_id, PHONE)
    assert refused.value.retry_after == 3600 - 5 * 61
    assert len(texted(setup.app, PHONE)) == 5
    clock.advance(3600)
    setup.app.request_code(wave_id, PHONE)


def test_a_wave_sends_at_most_its_hourly_codes(setup: Setup, clock: Clock) -> None:
    setup.app.code_limits = Limits(per_wave_hour=2)
    wave_id = checked_wave(setup)
    setup.app.request_code(wave_id, "13700137000")
    setup.app.request_code(wave_id, "13700137001")
    with pytest.raises(TooManyCodes):
        setup.app.request_code(wave_id, "13700137002")
    assert texted(setup.app, "13700137002") == []
    setup.app.request_code(checked_wave(setup, name="另一个"), "13700137002")


def test_asking_for_a_code_does_not_tell_whether_the_number_voted(
    cluster: Cluster, world: World
) -> None:
    wave_id = public_wave(cluster, world)
    survey = cluster["survey"]
    code = api_code_for(cluster, wave_id, PHONE)
    vote = {"voter": PHONE, "ratings": {world.unit_ids[0]: "满意"}, "code": code}
    assert survey.post(f"/public/waves/{wave_id}/votes", json=vote).status_code == 201
    application(cluster).code_clock = clock = Clock()
    clock.advance(61)
    voted = survey.post(f"/public/waves/{wave_id}/codes", json={"voter": PHONE})
    fresh = survey.post(f"/public/waves/{wave_id}/codes", json={"voter": OTHER_PHONE})
    assert voted.status_code == fresh.status_code == 202
    assert voted.json() | {"sent_to": ""} == fresh.json() | {"sent_to": ""}


def test_a_wave_without_codes_and_an_id_number_are_refused_a_code(
    setup: Setup, clock: Clock
) -> None:
    unchecked = checked_wave(setup, voter_check="none")
    with pytest.raises(CodeNotNeeded):
        setup.app.request_code(unchecked, PHONE)
    with pytest.raises(InvalidCodeRequest) as refused:
        setup.app.request_code(checked_wave(setup), "11010519491231002x")
    assert refused.value.field == "voter" and CHINESE_FIRST.match(refused.value.reason)


def test_no_code_is_sent_for_a_wave_not_taking_votes(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    setup.app.close_wave(OFFICE, wave_id, "评议结束")
    with pytest.raises(Exception, match="投票已结束") as refused:
        setup.app.request_code(wave_id, PHONE)
    assert getattr(refused.value, "code", None) == "wave_closed"
    assert texted(setup.app, PHONE) == []


# --- voting with a code -----------------------------------------------------------------------


def test_a_vote_on_a_checked_wave_needs_the_numbers_code(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, one_unit(setup))
    assert refused.value.field == "code" and refused.value.context["why"] == "required"
    assert CHINESE_FIRST.match(refused.value.reason)
    code = code_for(setup.app, wave_id, PHONE)
    # Another number's code, or another wave's, does not verify this number.
    with pytest.raises(InvalidCode):
        setup.app.vote(wave_id, OTHER_PHONE, one_unit(setup), code=code)
    with pytest.raises(InvalidCode):
        setup.app.vote(checked_wave(setup, name="另一个"), PHONE, one_unit(setup), code=code)
    # Written as a phone keyboard or an input method may give it, it is the same code.
    typed = " ".join(code[i : i + 3] for i in (0, 3)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert setup.app.vote(wave_id, PHONE, one_unit(setup), code=typed)["units"] == 1


def test_an_id_number_cannot_vote_on_achecked_wave(setup: Setup, clock: Clock) -> None:
    with pytest.raises(InvalidQuestionnaire) as refused:
        setup.app.vote(checked_wave(setup), "11010519491231002x", one_unit(setup), code="123456")
    assert refused.value.field == "voter"


def test_a_code_verifies_one_vote(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    setup.app.vote(wave_id, PHONE, one_unit(setup, 0), code=code)
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, one_unit(setup, 1), code=code)
    assert refused.value.field == "code" and refused.value.context["why"] == "missing"


def test_a_vote_refused_for_its_answers_leaves_its_code_valid(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    with pytest.raises(InvalidQuestionnaire):
        setup.app.vote(wave_id, PHONE, {str(setup.units[0]): "说不清"}, code=code)
    assert setup.app.vote(wave_id, PHONE, one_unit(setup), code=code)["units"] == 1


def test_a_code_expires_after_ten_minutes(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    clock.advance(601)
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, one_unit(setup), code=code)
    assert refused.value.context["why"] == "expired"
    assert CHINESE_FIRST.match(refused.value.reason)


def test_five_wrong_codes_kill_it(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidCode) as refused:
            setup.app.vote(wave_id, PHONE, one_unit(setup), code=wrong)
        assert refused.value.context == {"why": "wrong", "tries_left": left}
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, one_unit(setup), code=wrong)
    assert refused.value.context == {"why": "spent", "tries_left": 0}
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, one_unit(setup), code=code)  # the right one, too late
    assert refused.value.context["why"] == "missing"


def test_a_new_code_replaces_the_one_before(setup: Setup, clock: Clock) -> None:
    wave_id = checked_wave(setup)
    first = code_for(setup.app, wave_id, PHONE)
    clock.advance(61)
    second = code_for(setup.app, wave_id, PHONE)
    if first != second:
        with pytest.raises(InvalidCode):
            setup.app.vote(wave_id, PHONE, one_unit(setup), code=first)
    assert setup.app.vote(wave_id, PHONE, one_unit(setup), code=second)["units"] == 1


def test_a_code_on_a_wave_without_codes_is_refused(setup: Setup) -> None:
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(checked_wave(setup, voter_check="none"), PHONE, one_unit(setup), code="1")
    assert refused.value.context["why"] == "not_needed"


def test_a_retried_vote_is_answered_again_after_its_code_was_used(
    setup: Setup, clock: Clock
) -> None:
    wave_id = checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    first = setup.app.vote(wave_id, PHONE, one_unit(setup), key="k-1", code=code)
    assert setup.app.vote(wave_id, PHONE, one_unit(setup), key="k-1", code=code) == first


def test_a_repeat_without_a_valid_code_learns_nothing_of_the_votes(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = public_wave(cluster, world)
    url = f"/public/waves/{wave_id}/votes"
    unit = world.unit_ids[0]
    code = api_code_for(cluster, wave_id, PHONE)
    assert survey.post(
        url, json={"voter": PHONE, "ratings": {unit: "满意"}, "code": code}
    ).is_success
    # Someone who knows the number, not its code: the answer is about the code only.
    for guess in (None, code, "000000"):
        body = {"voter": PHONE, "ratings": {unit: "满意"}} | (
            {} if guess is None else {"code": guess}
        )
        refused = survey.post(url, json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "invalid_code"
        (detail,) = refused.json()["detail"]
        assert detail["field"] == "code" and CHINESE_FIRST.match(detail["reason"])
        assert "unit_ids" not in detail.get("context", {})
    # The owner, with a new code, is told which units they voted on.
    application(cluster).code_clock = clock = Clock()
    clock.advance(61)
    code = api_code_for(cluster, wave_id, PHONE)
    again = survey.post(url, json={"voter": PHONE, "ratings": {unit: "不满意"}, "code": code})
    assert again.status_code == 409
    assert again.json()["detail"][0]["context"]["unit_ids"] == [unit]


def test_a_vote_records_how_its_voter_was_checked_and_never_the_code(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = public_wave(cluster, world)
    code = api_code_for(cluster, wave_id, PHONE)
    vote = {"voter": PHONE, "ratings": {world.unit_ids[0]: "满意"}, "code": code}
    voted = survey.post(f"/public/waves/{wave_id}/votes", json=vote)
    assert voted.status_code == 201, voted.text
    read = survey.get(
        f"/waves/{wave_id}/questionnaires/{voted.json()['response_id']}",
        headers=world.county_office.headers,
    )
    assert read.status_code == 200, read.text
    assert read.json()["voter_check"] == "sms_code"
    app = application(cluster)
    stored = b"".join(n.state for n in app.recorder.select_notifications(1, 10**6))
    assert f'"{code}"'.encode() not in stored and PHONE.encode() not in stored
