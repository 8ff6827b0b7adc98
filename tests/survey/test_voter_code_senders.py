"""Sending voter codes (services/survey/verification/sms.py): production posts each code to
the SMS gateway with its token, a failing or missing gateway is 503 and costs the voter
nothing, embedded mode writes codes to an outbox file only the operator reads, and in
production every replica reads one code book in PostgreSQL. The rules a voter meets are in
test_voter_codes.py."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

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
from tests.survey.helpers import World
from tests.survey.test_application import Setup
from tests.survey.voter_codes import (
    CHINESE_FIRST,
    PHONE,
    Clock,
    checked_wave,
    one_unit,
    public_wave,
)
from tests.survey.voter_codes import clock as clock  # the fixture


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
    wave_id = checked_wave(setup)
    setup.app.request_code(wave_id, PHONE)
    ((body, auth),) = _Gateway.received
    assert set(body) == {"phone", "text"} and body["phone"] == PHONE
    assert auth == "Bearer s3cret"
    code = re.search(r"验证码([0-9]{6})", body["text"])
    assert code is not None
    assert setup.app.vote(wave_id, PHONE, one_unit(setup), code=code.group(1))["units"] == 1


def test_a_failing_gateway_is_503_and_costs_the_voter_nothing(
    setup: Setup, clock: Clock, gateway: str
) -> None:
    setup.app.sms_sender = GatewaySender(gateway, None, 5.0)
    wave_id = checked_wave(setup)
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
        setup.app.request_code(checked_wave(setup), PHONE)


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_embedded_mode_writes_codes_to_an_outbox_file_the_operator_reads(
    cluster: Cluster, world: World, common: CommonSettings, caplog: pytest.LogCaptureFixture
) -> None:
    wave_id = public_wave(cluster, world)
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
