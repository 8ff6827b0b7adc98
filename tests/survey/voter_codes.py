"""Voter codes as a test reads them: from the local outbox, the product's own adapter where
no SMS gateway is set (services/survey/verification/sms.py), never from the code book; and a
clock the test moves on, where a rule counts time (expiry, the rate limits)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from services.survey.application import SurveyApplication
from services.survey.verification import LocalOutbox
from tests.harness import Cluster
from tests.survey.helpers import World, open_wave

if TYPE_CHECKING:  # test_application imports this module
    from tests.survey.test_application import Setup

_CODE = re.compile(r"验证码([0-9]{6})")


class Clock:
    """The application's `code_clock`, moved on by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def outbox(app: SurveyApplication) -> LocalOutbox:
    sender = app.sms_sender
    assert isinstance(sender, LocalOutbox), sender
    return sender


def texted(app: SurveyApplication, phone: str) -> list[str]:
    """Every code texted to `phone` (11 digits), oldest first."""
    codes = []
    for text in outbox(app).messages_to(phone):
        found = _CODE.search(text)
        assert found is not None, text
        codes.append(found.group(1))
    return codes


def last_code(app: SurveyApplication, phone: str) -> str:
    codes = texted(app, phone)
    assert codes, f"no code was texted to {phone}"
    return codes[-1]


def code_for(app: SurveyApplication, wave_id: UUID | str, phone: str) -> str:
    """Ask for a code as a voter does, and read it as the voter's phone would."""
    app.request_code(UUID(str(wave_id)), phone)
    return last_code(app, phone)


def application(cluster: Cluster) -> SurveyApplication:
    client: Any = cluster["survey"]
    app = client.app.state.runtime.application
    assert isinstance(app, SurveyApplication)
    return app


def api_code_for(cluster: Cluster, wave_id: str, phone: str) -> str:
    """Ask for a code through the public route, and read it from the service's outbox."""
    asked = cluster["survey"].post(f"/public/waves/{wave_id}/codes", json={"voter": phone})
    assert asked.status_code == 202, asked.text
    return last_code(application(cluster), phone[-11:])


PHONE = "13800138000"
CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


@pytest.fixture
def clock(setup: Setup) -> Clock:
    """The survey application's code clock, moved on by the test."""
    clock = setup.app.code_clock = Clock()
    return clock


def checked_wave(setup: Setup, **spec: Any) -> UUID:
    """A public voting wave open since yesterday until tomorrow, checking voters by code
    unless `spec` says otherwise."""
    return setup.open_wave(kind="online_public_voting", **window(), **spec)


def window() -> dict[str, Any]:
    """Voting open since yesterday, until tomorrow."""
    now = datetime.now(UTC)
    return {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1)}


def one_unit(setup: Setup, index: int = 0) -> dict[str, str]:
    """Ratings of one unit of the setup: 满意."""
    return {str(setup.units[index]): "满意"}


def public_wave(cluster: Cluster, world: World) -> str:
    """A public voting wave of `world`'s county, opened through the API since yesterday."""
    opens_at = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    wave = open_wave(cluster, world, kind="online_public_voting", opens_at=opens_at)
    return str(wave["wave_id"])
