"""What the registry has just done is known on every other service by the time that
service acts on a request naming it (production mode: real PostgreSQL and NATS, the
registry's messages reaching scoring and inspection over JetStream):

- a key works everywhere the moment it is issued (`shared.web.gate`): 18 of 20 first calls
  to survey right after issuing were refused 401 "unknown or revoked" and counted as failed
  authentications; a wrong key and a revoked one are still refused, in the same words;
- a write naming a campaign opened a moment ago is judged against it
  (`shared.service.registry_wait`): assigning its scheme on scoring at once was answered
  404 `campaign_not_found` five times in six, a complaint tagged with it on inspection too.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest

from shared.principals import could_be_issued, new_api_key
from shared.settings import CommonSettings
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, created, seed_world

OTHERS = ("survey", "scoring", "inspection")
GOV = "政府部门及其它机构"


def _issue(cluster: Cluster, name: str) -> dict[str, Any]:
    return created(
        cluster["registry"].post(
            "/principals", json={"name": name, "role": "auditor"}, headers=ADMIN
        )
    )


def _campaign(cluster: Cluster, world: World, year: int) -> str:
    span = {"starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}
    campaign = created(
        cluster["registry"].post(
            "/campaigns",
            json={
                "jurisdiction_id": world.county_id,
                "name": f"舞阳县{year}年度民主评议政风行风",
                "pattern": "民主评议政风行风",
                "cycle": {"length": "one_year", "rounds": "half_year", **span},
                "phases": [{"name": "组织实施", **span}],
                "categories": [GOV],
            },
            headers=world.county_office.headers,
        )
    )
    return str(campaign["campaign_id"])


def test_keys_and_campaigns_are_known_everywhere_as_soon_as_the_registry_answers(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", *OTHERS]) as cluster:
        for n in range(8):
            key = {"X-API-Key": _issue(cluster, f"审计员{n}")["api_key"]}
            answers = {s: cluster[s].get("/positions", headers=key).status_code for s in OTHERS}
            assert answers == dict.fromkeys(OTHERS, 200), (n, answers)

        world = seed_world(cluster)
        today = date.today()
        for n in range(4):
            year = today.year - 1 - n  # past years: a complaint's day may not be in the future
            campaign_id = _campaign(cluster, world, year)
            assigned = cluster["scoring"].put(
                f"/campaigns/{campaign_id}/scheme",
                json={"scheme_id": "luohe-2yr-zhengfeng", "version": 1, "reason": "按市方案"},
                headers=world.county_office.headers,
            )
            assert assigned.status_code == 200, (n, assigned.text)
            campaign_id = _campaign(cluster, world, year - 10)
            complaint = cluster["inspection"].post(
                "/complaints",
                json={
                    "jurisdiction_id": world.county_id,
                    "channel": "政风行风热线",
                    "kind": "complaint",
                    "summary": "窗口推诿",
                    "received_on": f"{year - 10}-05-12",
                    "campaign_id": campaign_id,
                    "round": 1,
                },
                headers=ADMIN,
            )
            assert complaint.status_code == 201, (n, complaint.text)

        revoked = _issue(cluster, "已离任审计员")
        done = cluster["registry"].post(
            f"/principals/{revoked['principal_id']}/revoke",
            json={"reason": "离任"},
            headers=ADMIN,
        )
        assert done.status_code == 200, done.text
        for service in OTHERS:
            cluster.wait_caught_up(service, "registry")
        # A revoked key, a key of the issued shape never issued (refused after the wait) and
        # one of no issued shape (refused at once).
        for key in (revoked["api_key"], new_api_key(), "pyk_never-issued-to-anyone"):
            for service in OTHERS:
                refused = cluster[service].get("/positions", headers={"X-API-Key": key})
                assert refused.status_code == 401, (service, refused.text)
                assert refused.json()["detail"][0]["reason"] == (
                    "密钥不存在或已吊销 (unknown or revoked API key)"
                )


def test_only_a_key_of_the_issued_shape_is_waited_for() -> None:
    assert all(could_be_issued(new_api_key()) for _ in range(500))
    for key in (None, "", "pyk_not-a-real-key", new_api_key() + "x", new_api_key()[4:]):
        assert not could_be_issued(key), key


class _Said(logging.Handler):
    """The records of one logger, whatever handlers the services' logging set up."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("wait_seconds", [2.0, 0.0])
def test_a_copy_that_stopped_moving_is_not_waited_for_and_said_once(wait_seconds: float) -> None:
    """Scoring's consumers of the registry stopped (as a copy stalled on a message would
    stand): a write naming a campaign opened since goes on and is judged as before, 404, and
    the copy left behind is said in the log once for two such writes. With
    `PINGYI_REGISTRY_WAIT_SECONDS=0` the write does not look at the copy at all: nothing to
    say."""
    common = in_memory().model_copy(update={"registry_wait_seconds": wait_seconds})
    with Cluster(common, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        cluster.wait_caught_up("scoring", "registry")
        scoring = cluster["scoring"]
        runtime = scoring.app.state.runtime
        for consumer in runtime.consumers:
            if consumer.upstream == "registry":
                scoring.portal.call(consumer.stop)
        campaign_id = _campaign(cluster, world, date.today().year - 1)
        said = _Said()
        logging.getLogger("shared.service.registry_wait").addHandler(said)
        try:
            writes = [_assign(scoring, campaign_id, world) for _ in range(2)]
        finally:
            logging.getLogger("shared.service.registry_wait").removeHandler(said)
        for assigned in writes:
            assert assigned.status_code == 404, assigned.text
            assert assigned.json()["error"] == "campaign_not_found"
        behind = [r for r in said.records if "copy of the registry behind" in r.getMessage()]
        assert len(behind) == (1 if wait_seconds else 0), [r.getMessage() for r in said.records]


def _assign(scoring: Any, campaign_id: str, world: World) -> Any:
    return scoring.put(
        f"/campaigns/{campaign_id}/scheme",
        json={"scheme_id": "luohe-2yr-zhengfeng", "version": 1, "reason": "按市方案"},
        headers=world.county_office.headers,
    )


def test_the_registry_answers_a_write_once_its_message_is_on_the_stream(
    production_settings: CommonSettings,
) -> None:
    """What the other services wait for is the head on JetStream: a registry write answered
    before its relay had published left a window in which a write naming it on inspection
    was answered 404 (seen once in a CI run). Right after each answer, the stream holds the
    registry's log to its last message (`shared.service.published_wait`)."""
    with Cluster(production_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        runtime = registry.app.state.runtime
        behind = []
        for n in range(20):
            _issue(cluster, f"审计员{n}")
            stored = runtime.outbox().head()
            on_stream = registry.portal.call(runtime.transport.head, "registry", 2.0)
            if on_stream is None or on_stream < stored:
                behind.append((n, stored, on_stream))
        assert behind == [], behind
