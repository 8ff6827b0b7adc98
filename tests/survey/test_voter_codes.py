"""Voter verification by text-message code (services/survey/verification, the codes' part of
services/survey/application/voting.py): a public wave checks that a number votes only with the
code texted to it, by default; each rule a voter, an office and an operator meet. Codes are
read from the local outbox (the product's adapter where no gateway is set), as the voter's
phone would receive them; time moves by the application's `code_clock`, never by waiting."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
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
    OUTBOX_FILE,
    GatewaySender,
    Limits,
    LocalOutbox,
    SmsUnavailable,
    open_sender,
)
from services.survey.verification.codes import PostgresCodeBook
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.stored_events import created, store
from tests.survey.helpers import World, open_wave
from tests.survey.test_application import OFFICE, Setup
from tests.survey.voter_codes import Clock, api_code_for, application, code_for, last_code, texted

PHONE = "13800138000"
OTHER_PHONE = "13900139000"
CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _window() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1)}


@pytest.fixture
def clock(setup: Setup) -> Clock:
    clock = setup.app.code_clock = Clock()
    return clock


def _checked_wave(setup: Setup, **spec: Any) -> UUID:
    return setup.open_wave(kind="online_public_voting", **_window(), **spec)


def _unit(setup: Setup, index: int = 0) -> dict[str, str]:
    return {str(setup.units[index]): "满意"}


# --- what a wave checks, chosen at its opening -----------------------------------------------


def test_a_public_wave_checks_its_voters_by_code_unless_told_none(setup: Setup) -> None:
    assert setup.open(kind="online_public_voting", **_window())["voter_check"] == "sms_code"
    assert setup.open(public=True, **_window())["voter_check"] == "sms_code"
    unchecked = setup.open(kind="online_public_voting", voter_check="none", **_window())
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
    template = setup.app.wave(_checked_wave(setup))
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
    vote = setup.app.vote(old.id, PHONE, _unit(setup))
    recorded = setup.app.questionnaire(UUID(vote["response_id"]))
    assert recorded.details["voter_check"] == "none"


# --- asking for a code ------------------------------------------------------------------------


def test_a_code_is_six_digits_texted_to_the_number(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    answer = setup.app.request_code(wave_id, "+86 138-0013-8000")
    assert answer["sent_to"] == "138****8000"
    assert answer["expires_in_seconds"] == 600
    assert re.fullmatch(r"[0-9]{6}", last_code(setup.app, PHONE))


def test_one_code_a_minute_and_five_an_hour_per_number(setup: Setup, clock: Clock) -> None:
    wave_id, other = _checked_wave(setup), _checked_wave(setup, name="另一个网上评议")
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
    wave_id = _checked_wave(setup)
    setup.app.request_code(wave_id, "13700137000")
    setup.app.request_code(wave_id, "13700137001")
    with pytest.raises(TooManyCodes):
        setup.app.request_code(wave_id, "13700137002")
    assert texted(setup.app, "13700137002") == []
    setup.app.request_code(_checked_wave(setup, name="另一个"), "13700137002")


def test_asking_for_a_code_does_not_tell_whether_the_number_voted(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        opens_at=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
    )["wave_id"]
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
    unchecked = _checked_wave(setup, voter_check="none")
    with pytest.raises(CodeNotNeeded):
        setup.app.request_code(unchecked, PHONE)
    with pytest.raises(InvalidCodeRequest) as refused:
        setup.app.request_code(_checked_wave(setup), "11010519491231002x")
    assert refused.value.field == "voter" and CHINESE_FIRST.match(refused.value.reason)


def test_no_code_is_sent_for_a_wave_not_taking_votes(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    setup.app.close_wave(OFFICE, wave_id, "评议结束")
    with pytest.raises(Exception, match="投票已结束") as refused:
        setup.app.request_code(wave_id, PHONE)
    assert getattr(refused.value, "code", None) == "wave_closed"
    assert texted(setup.app, PHONE) == []


# --- voting with a code -----------------------------------------------------------------------


def test_a_vote_on_a_checked_wave_needs_the_numbers_code(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, _unit(setup))
    assert refused.value.field == "code" and refused.value.context["why"] == "required"
    assert CHINESE_FIRST.match(refused.value.reason)
    code = code_for(setup.app, wave_id, PHONE)
    # Another number's code, or another wave's, does not verify this number.
    with pytest.raises(InvalidCode):
        setup.app.vote(wave_id, OTHER_PHONE, _unit(setup), code=code)
    with pytest.raises(InvalidCode):
        setup.app.vote(_checked_wave(setup, name="另一个"), PHONE, _unit(setup), code=code)
    # Written as a phone keyboard or an input method may give it, it is the same code.
    typed = " ".join(code[i : i + 3] for i in (0, 3)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert setup.app.vote(wave_id, PHONE, _unit(setup), code=typed)["units"] == 1


def test_an_id_number_cannot_vote_on_a_checked_wave(setup: Setup, clock: Clock) -> None:
    with pytest.raises(InvalidQuestionnaire) as refused:
        setup.app.vote(_checked_wave(setup), "11010519491231002x", _unit(setup), code="123456")
    assert refused.value.field == "voter"


def test_a_code_verifies_one_vote(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    setup.app.vote(wave_id, PHONE, _unit(setup, 0), code=code)
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, _unit(setup, 1), code=code)
    assert refused.value.field == "code" and refused.value.context["why"] == "missing"


def test_a_vote_refused_for_its_answers_leaves_its_code_valid(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    with pytest.raises(InvalidQuestionnaire):
        setup.app.vote(wave_id, PHONE, {str(setup.units[0]): "说不清"}, code=code)
    assert setup.app.vote(wave_id, PHONE, _unit(setup), code=code)["units"] == 1


def test_a_code_expires_after_ten_minutes(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    clock.advance(601)
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, _unit(setup), code=code)
    assert refused.value.context["why"] == "expired"
    assert CHINESE_FIRST.match(refused.value.reason)


def test_five_wrong_codes_kill_it(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidCode) as refused:
            setup.app.vote(wave_id, PHONE, _unit(setup), code=wrong)
        assert refused.value.context == {"why": "wrong", "tries_left": left}
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, _unit(setup), code=wrong)
    assert refused.value.context == {"why": "spent", "tries_left": 0}
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(wave_id, PHONE, _unit(setup), code=code)  # the right one, too late
    assert refused.value.context["why"] == "missing"


def test_a_new_code_replaces_the_one_before(setup: Setup, clock: Clock) -> None:
    wave_id = _checked_wave(setup)
    first = code_for(setup.app, wave_id, PHONE)
    clock.advance(61)
    second = code_for(setup.app, wave_id, PHONE)
    if first != second:
        with pytest.raises(InvalidCode):
            setup.app.vote(wave_id, PHONE, _unit(setup), code=first)
    assert setup.app.vote(wave_id, PHONE, _unit(setup), code=second)["units"] == 1


def test_a_code_on_a_wave_without_codes_is_refused(setup: Setup) -> None:
    with pytest.raises(InvalidCode) as refused:
        setup.app.vote(_checked_wave(setup, voter_check="none"), PHONE, _unit(setup), code="1")
    assert refused.value.context["why"] == "not_needed"


def test_a_retried_vote_is_answered_again_after_its_code_was_used(
    setup: Setup, clock: Clock
) -> None:
    wave_id = _checked_wave(setup)
    code = code_for(setup.app, wave_id, PHONE)
    first = setup.app.vote(wave_id, PHONE, _unit(setup), key="k-1", code=code)
    assert setup.app.vote(wave_id, PHONE, _unit(setup), key="k-1", code=code) == first


def test_a_repeat_without_a_valid_code_learns_nothing_of_the_votes(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        opens_at=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
    )["wave_id"]
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
    wave_id = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        opens_at=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
    )["wave_id"]
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


# --- sending --------------------------------------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, Any], str | None]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Gateway.received.append(
            (json.loads(self.rfile.read(length)), self.headers.get("Authorization"))
        )
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    _Gateway.received, _Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()
    server.server_close()


def test_production_posts_the_code_to_the_gateway_with_its_token(
    setup: Setup, clock: Clock, gateway: str
) -> None:
    setup.app.sms_sender = GatewaySender(gateway, "s3cret", 5.0)
    wave_id = _checked_wave(setup)
    setup.app.request_code(wave_id, PHONE)
    ((body, auth),) = _Gateway.received
    assert set(body) == {"phone", "text"} and body["phone"] == PHONE
    assert auth == "Bearer s3cret"
    code = re.search(r"验证码([0-9]{6})", body["text"])
    assert code is not None
    assert setup.app.vote(wave_id, PHONE, _unit(setup), code=code.group(1))["units"] == 1


def test_a_failing_gateway_is_503_and_costs_the_voter_nothing(
    setup: Setup, clock: Clock, gateway: str
) -> None:
    setup.app.sms_sender = GatewaySender(gateway, None, 5.0)
    wave_id = _checked_wave(setup)
    _Gateway.status = 500
    with pytest.raises(SmsUnavailable) as refused:
        setup.app.request_code(wave_id, PHONE)
    assert refused.value.status_code == 503 and CHINESE_FIRST.match(refused.value.reason)
    _Gateway.status = 200
    setup.app.request_code(wave_id, PHONE)  # at once: the failed send did not count
    setup.app.sms_sender = GatewaySender("http://127.0.0.1:9/sms", None, 1.0)
    clock.advance(61)
    with pytest.raises(SmsUnavailable):
        setup.app.request_code(wave_id, PHONE)


def test_the_sender_is_chosen_by_settings() -> None:
    production = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": "p"}
    assert open_sender(production) is None  # no gateway: no code is sent, no vote taken
    gateway = open_sender(production | {"PINGYI_SURVEY_SMS_GATEWAY_URL": "https://sms.example"})
    assert isinstance(gateway, GatewaySender)
    embedded = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": "/d/survey.sqlite"}
    outbox = open_sender(embedded)
    assert isinstance(outbox, LocalOutbox) and str(outbox.path) == f"/d/{OUTBOX_FILE}"


def test_production_without_a_gateway_answers_503(setup: Setup, clock: Clock) -> None:
    setup.app.sms_sender = None
    with pytest.raises(SmsUnavailable):
        setup.app.request_code(_checked_wave(setup), PHONE)


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_embedded_mode_writes_codes_to_an_outbox_file_the_operator_reads(
    cluster: Cluster, world: World, common: CommonSettings, caplog: pytest.LogCaptureFixture
) -> None:
    wave_id = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        opens_at=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
    )["wave_id"]
    with caplog.at_level("WARNING", logger="pingyi.survey.sms"):
        asked = cluster["survey"].post(f"/public/waves/{wave_id}/codes", json={"voter": PHONE})
    assert asked.status_code == 202, asked.text
    outbox = common.data_dir / OUTBOX_FILE
    line = outbox.read_text(encoding="utf-8")
    assert "NOT SENT" in line and PHONE in line
    assert os.stat(outbox).st_mode & 0o077 == 0  # the operator's alone
    logged = [r.getMessage() for r in caplog.records if "NOT SENT" in r.getMessage()]
    assert logged and all(PHONE not in m and str(outbox) in m for m in logged)
    code = re.search(r"验证码([0-9]{6})", line)
    assert code is not None
    vote = {"voter": PHONE, "ratings": {world.unit_ids[0]: "满意"}, "code": code.group(1)}
    assert cluster["survey"].post(f"/public/waves/{wave_id}/votes", json=vote).status_code == 201


@pytest.mark.infra
def test_postgresql_keeps_codes_for_every_replica(database_url: str) -> None:
    from eventsourcing.postgres import PostgresDatastore
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(database_url)
    datastore = PostgresDatastore(
        dbname=str(params["dbname"]),
        host=str(params.get("host", "127.0.0.1")),
        port=str(params.get("port", "5432")),
        user=str(params.get("user", "postgres")),
        password=str(params.get("password", "")),
    )
    try:
        one, two = (PostgresCodeBook(datastore, "survey", "survey") for _ in range(2))
        limits = Limits()
        assert one.issue("w", "v", "h1", 1000.0, limits) is None
        assert two.issue("w", "v", "h2", 1010.0, limits) == pytest.approx(50.0)
        assert two.check("w", "v", "bad", 1020.0).left == 4
        assert one.check("w", "v", "h1", 1020.0).outcome == "valid"
        one.use("w", "v", "h1")
        assert two.check("w", "v", "h1", 1030.0).outcome == "missing"
        assert one.issue("w", "v", "h3", 1061.0, limits) is None
        assert two.check("w", "v", "h3", 1061.0 + 601).outcome == "expired"
    finally:
        datastore.close()
