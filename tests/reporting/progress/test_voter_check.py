"""A wave's progress says how its public votes are checked (`voter_check`), as survey's
`survey.wave.opened` v3 says it: `sms_code` or `none` for a public wave, null for a private
one. A v2 message (from before waves chose a check) reads through the contract's upcaster:
a public wave took votes unverified (`none`), a private one has none. The page and the PDF
say it in Chinese (投票核验方式), with a name for every value of survey's `VoterCheck`.

The view is fed the contract's messages on PostgreSQL as its consumer applies them; the API
is read through the real registry, survey and reporting services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, get_args
from uuid import UUID, uuid5

import pytest
from fastapi import FastAPI

from services.reporting.progress.document import VOTER_CHECK_NAMES
from services.reporting.progress.read import progress
from services.reporting.progress.views import WAVE_PROGRESS_VIEW, WAVES
from shared.contracts import IntegrationMessage
from shared.contracts.survey import VoterCheck, WaveOpened, WaveOpenedV2
from shared.registry_view import SECURITY_VIEW, RegistryView
from shared.views import ViewStore
from shared.views.postgres import PostgresViewStore
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_text
from tests.reporting.progress.story import wave_story

NS = UUID("0c7e61b2-54a9-4d37-8f0e-3b1c2a9d7e64")
AT = datetime(2026, 5, 18, 1, 30, tzinfo=UTC)
CITY, AGENCY, UNIT = uuid5(NS, "city"), uuid5(NS, "agency"), uuid5(NS, "unit")


def wave(name: str) -> UUID:
    return uuid5(NS, name)


def _opening(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "wave_id": wave(name),
        "jurisdiction_id": CITY,
        "name": name,
        "agency_id": AGENCY,
        "unit_ids": (UNIT,),
        "actor": "office:漯河市纠风办",
    } | fields


OPENINGS = [
    WaveOpenedV2(**_opening("v2 public", public=True)),
    WaveOpenedV2(**_opening("v2 private")),
    WaveOpened(**_opening("v3 sms", public=True, voter_check="sms_code")),
    WaveOpened(**_opening("v3 none", public=True, voter_check="none")),
    WaveOpened(**_opening("v3 private")),
]
EXPECTED = {
    "v2 public": "none",
    "v2 private": None,
    "v3 sms": "sms_code",
    "v3 none": "none",
    "v3 private": None,
}


def _log() -> list[IntegrationMessage]:
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("survey", n + 1),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin="survey",
            position=n + 1,
            previous_position=n or None,
            occurred_at=AT,
            payload=payload.model_dump(mode="json"),
        )
        for n, payload in enumerate(OPENINGS)
    ]


@pytest.fixture
def store(database_url: str) -> Iterator[ViewStore]:
    views = PostgresViewStore(database_url, "reporting_views")
    views.declare([*WAVE_PROGRESS_VIEW.collections, *SECURITY_VIEW.collections])
    views.setup()
    try:
        yield views
    finally:
        views.close()


def test_the_view_keeps_each_waves_voter_check_from_v2_and_v3_messages(
    store: ViewStore,
) -> None:
    assert [m.schema_version for m in _log()] == [2, 2, 3, 3, 3]
    WAVE_PROGRESS_VIEW.inbox(store, "survey").apply("survey", _log())
    for name, expected in EXPECTED.items():
        found = store.get(WAVES, str(wave(name)))
        assert found is not None, name
        assert found["voter_check"] == expected, name
        assert progress(found, RegistryView(store))["voter_check"] == expected, name


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry", "survey", "reporting"]) as running:
        yield running


def test_the_progress_api_shows_the_voter_check(cluster: Cluster) -> None:
    told = wave_story(cluster)
    headers = told.world.city_office.headers
    private = cluster["reporting"].get(f"/waves/{told.wave_id}/progress", headers=headers)
    assert private.status_code == 200, private.text
    assert private.json()["voter_check"] is None
    body = {
        "name": "漯河市2026年网上公开评议",
        "jurisdiction_id": told.world.city_id,
        "unit_ids": told.world.unit_ids,
        "agency_id": told.world.agency.principal_id,
        "public": True,
        "voter_check": "sms_code",
    }
    opened = cluster["survey"].post("/waves", json=body, headers=headers)
    assert opened.status_code == 201, opened.text
    cluster.wait_caught_up("reporting", "survey")
    path = f"/waves/{opened.json()['wave_id']}/progress"
    public = cluster["reporting"].get(path, headers=headers)
    assert public.status_code == 200, public.text
    assert public.json()["voter_check"] == "sms_code"
    said = {
        "sms_code": "投票核验方式：短信验证码（投票须填写发到投票人手机的验证码）",
        None: "投票核验方式：不适用（非公开测评，不接受网上投票）",
    }
    for wave_path, check in ((path, "sms_code"), (f"/waves/{told.wave_id}/progress", None)):
        page = cluster["reporting"].get(f"{wave_path}.html", headers=headers)
        assert page.status_code == 200, page.text
        assert f'<p class="meta" id="voter-check">{said[check]}</p>' in page.text
        pdf = cluster["reporting"].get(f"{wave_path}.pdf", headers=headers)
        assert pdf.status_code == 200, pdf.text
        text, _fonts = pdf_text(pdf.content)
        assert said[check] in text.replace(" ", ""), text[:300]
    app = cluster["reporting"].app
    assert isinstance(app, FastAPI)
    schema = app.openapi()["components"]["schemas"]["ProgressOut"]
    assert schema["properties"]["voter_check"]["anyOf"] == [
        {"type": "string", "enum": ["sms_code", "none"]},
        {"type": "null"},
    ]


def test_every_voter_check_survey_publishes_has_a_chinese_name() -> None:
    assert set(VOTER_CHECK_NAMES) == set(get_args(VoterCheck))
    assert VOTER_CHECK_NAMES["none"].startswith("不核验")
