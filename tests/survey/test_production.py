"""The survey happy path against real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import pytest

from shared.contracts import parse_payload
from shared.contracts.survey import Rating, WaveClosed, WaveOpened
from shared.contracts.survey_batch import BatchRecorded
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, wait_caught_up
from tests.survey.helpers import open_wave, push, questionnaire, read_stream, seed_world

pytestmark = pytest.mark.infra


def _last_published(namespace: str) -> int | None:
    messages = read_stream(namespace, "survey")
    return messages[-1].position if messages else None


def test_survey_happy_path_publishes_on_jetstream(production_settings: CommonSettings) -> None:
    namespace = production_settings.namespace
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        world = seed_world(cluster)  # survey reads the registry from JetStream here
        wave = open_wave(cluster, world)
        wave_id = wave["wave_id"]
        batch = [
            questionnaire(f"WY-{i:04d}", world.unit_ids, rating)
            for i, rating in enumerate(["满意", "基本满意", "不满意", "不了解"])
        ]
        first = push(cluster, wave_id, batch, world.agency.headers, key="wy-001")
        assert first.status_code == 200, first.text
        assert first.json()["accepted"] == 4

        replay = push(cluster, wave_id, batch, world.agency.headers, key="wy-001")
        assert replay.content == first.content
        repushed = push(cluster, wave_id, batch, world.agency.headers)
        assert repushed.json()["duplicates"] == 4 and repushed.json()["accepted"] == 0
        conflicting = push(
            cluster,
            wave_id,
            [questionnaire("WY-0000", world.unit_ids, "不满意")],
            world.agency.headers,
        )
        assert conflicting.status_code == 200
        assert [p["code"] for p in conflicting.json()["problems"]] == ["questionnaire_conflict"]

        closed = cluster["survey"].post(
            f"/waves/{wave_id}/close",
            json={"reason": "问卷回收完毕"},
            headers=world.county_office.headers,
        )
        assert closed.status_code == 200, closed.text

        cluster.wait_caught_up("survey", "survey")
        detail = cluster["survey"].get(f"/waves/{wave_id}", headers=ADMIN).json()
        assert (detail["status"], detail["response_count"]) == ("closed", 4)

        head = cluster.head("survey")
        wait_caught_up(lambda: head, lambda: _last_published(namespace), "survey relay")
        messages = read_stream(namespace, "survey")

    assert [m.event_type for m in messages] == [
        WaveOpened.event_type,
        BatchRecorded.event_type,  # the push of four: one part
        WaveClosed.event_type,
    ]
    assert messages[-1].position == head
    assert all(m.origin == "survey" for m in messages)
    # The chain lets a consumer tell a gap from the claims and idempotency records never
    # published.
    assert [m.previous_position for m in messages] == [None, *[m.position for m in messages[:-1]]]
    opened = parse_payload(messages[0])
    assert isinstance(opened, WaveOpened)
    assert str(opened.wave_id) == wave_id and str(opened.agency_id) == world.agency.principal_id
    part = parse_payload(messages[1])
    assert isinstance(part, BatchRecorded) and (part.part, part.parts) == (1, 1)
    recorded = part.responses()
    assert [r.questionnaire_id for r in recorded] == [q["questionnaire_id"] for q in batch]
    # The answers travel as a row in the wave's unit order, read back with its units.
    assert {next(iter(r.ratings_in(opened.unit_ids).values())) for r in recorded} == set(Rating)
    assert all(r.row is not None and r.ratings == {} for r in recorded)
