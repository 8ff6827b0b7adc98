"""Keys and revocations never wait behind an unrelated stuck message, and a service that
cannot be sure a key is still valid refuses it (fail closed).

A small service of the kernel's template ("probe") follows the real registry with the
standard security view plus a deliberately fragile view that cannot apply one message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from pingyi.composition import default_transport
from shared.auth import CurrentPrincipal
from shared.contracts import IntegrationMessage
from shared.contracts.registry import PrincipalRevoked, UnitRegistered
from shared.http import build_app
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow
from shared.registry_view import SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.application import PublishingApplication
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.settings import CommonSettings, ServiceSettings
from shared.views import Collection, ViewTransaction
from shared.views.model import View
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import key_for, post, unit

router = PolicyRouter()


@router.get("/whoami", **allow(Policy.read(*PARTICIPANTS)))
def whoami(caller: CurrentPrincipal) -> dict[str, str]:
    return {"actor": caller.actor}


def _refuse_poison(tx: ViewTransaction, p: UnitRegistered, m: IntegrationMessage) -> None:
    if "毒" in p.name:
        raise ValueError("this view cannot hold the unit")
    tx.put("fragile_units", str(p.unit_id), {"name": p.name})


def _refuse_revocations(tx: ViewTransaction, p: PrincipalRevoked, m: IntegrationMessage) -> None:
    raise ValueError("this security copy cannot apply revocations")


FRAGILE = View(
    "fragile", 1, (Collection("fragile_units"),), {"registry": {UnitRegistered: _refuse_poison}}
)
BROKEN_SECURITY = View(
    "broken_security",
    1,
    (),
    {"registry": {PrincipalRevoked: _refuse_revocations}},
    security=True,
)


class ProbeApplication(PublishingApplication):
    name = "probe"


def _probe(views: tuple[View, ...]) -> ServiceDefinition:
    return ServiceDefinition(
        name="probe",
        title="probe",
        description="a test service built from the kernel template",
        application=ProbeApplication,
        settings=ServiceSettings,
        payload_mapper=lambda event: None,
        api=lambda: ServiceApi(routers=(router,)),
        views=views,
    )


@contextmanager
def probe(common: CommonSettings, views: tuple[View, ...]) -> Iterator[TestClient]:
    runtime = ServiceRuntime(_probe(views), common, ServiceSettings(), default_transport(common))
    with TestClient(build_app(runtime)) as client:
        yield client


def _until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def _consumer(client: TestClient, view: str) -> dict[str, Any]:
    consumers = client.get("/operations/consumers", headers=ADMIN).json()["consumers"]
    return next(c for c in consumers if c["consumer"].startswith(f"probe-{view}-"))


def _caught_up(client: TestClient, cluster: Cluster, view: str) -> bool:
    head = cluster.head("registry")
    position = _consumer(client, view)["last_position"]
    return head is None or (position is not None and position >= head)


def test_a_revocation_gets_through_while_another_view_is_stuck(
    memory_settings: CommonSettings,
) -> None:
    with (
        Cluster(memory_settings, ["registry"]) as cluster,
        probe(memory_settings, (SECURITY_VIEW, FRAGILE)) as client,
    ):
        county = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        jurisdiction = county["jurisdiction_id"]
        body = {"name": "舞阳县纠风办", "role": "office", "jurisdiction_id": jurisdiction}
        issued = post(cluster, "/principals", body)
        unit(cluster, jurisdiction, "舞阳县毒丸厂")  # the fragile view cannot apply this one
        _until(lambda: _consumer(client, "fragile")["stalled"], "the fragile view stalls")

        post(
            cluster, f"/principals/{issued['principal_id']}/revoke", {"reason": "离职"}, status=200
        )
        later = post(cluster, "/principals", body | {"name": "新纠风办"})
        _until(lambda: _caught_up(client, cluster, "security"), "keys are current")

        assert client.get("/whoami", headers=key_for(issued)).status_code == 401
        assert client.get("/whoami", headers=key_for(later)).status_code == 200
        assert _consumer(client, "fragile")["stalled"]
        # The stuck view is visible but does not take the API out of rotation.
        assert client.get("/readyz").status_code == 200
        syncz = client.get("/syncz")
        assert syncz.status_code == 503 and syncz.json()["status"] == "stalled"
        stalled = client.get("/positions", headers=ADMIN).json()["stalled"]
        assert [c["consumer"] for c in stalled] == ["probe-fragile-v1"]
        assert "毒" not in str(stalled) and stalled[0]["stalled_at"]["event_type"] == (
            "registry.unit.registered"
        )


def test_keys_are_refused_while_the_copy_of_revocations_is_stuck_then_an_audited_skip(
    memory_settings: CommonSettings,
) -> None:
    common = memory_settings.model_copy(update={"auth_max_staleness_seconds": 3.0})
    with (
        Cluster(common, ["registry"]) as cluster,
        probe(common, (SECURITY_VIEW, BROKEN_SECURITY)) as client,
    ):
        county = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        body = {"name": "纠风办", "role": "office", "jurisdiction_id": county["jurisdiction_id"]}
        keep, revoke = post(cluster, "/principals", body), post(cluster, "/principals", body)
        _until(lambda: client.get("/whoami", headers=key_for(keep)).status_code == 200, "key works")

        post(
            cluster, f"/principals/{revoke['principal_id']}/revoke", {"reason": "离职"}, status=200
        )
        _until(lambda: _consumer(client, "broken_security")["stalled"], "the copy stalls")
        _until(
            lambda: client.get("/whoami", headers=key_for(keep)).status_code == 503,
            "the service stops trusting keys",
        )
        refused = client.get("/whoami", headers=key_for(revoke))
        assert refused.status_code == 503 and refused.json()["error"] == "auth_unavailable"
        assert refused.headers["Retry-After"]
        assert client.get("/whoami", headers=ADMIN).status_code == 200  # bootstrap key
        assert client.get("/readyz").status_code == 503

        stalled = _consumer(client, "broken_security")
        at = stalled["stalled_at"]
        decision = client.post(
            f"/operations/consumers/{stalled['consumer']}/registry/skips",
            json={"position": at["position"], "event_id": at["event_id"], "reason": "测试: 跳过"},
            headers=ADMIN,
        )
        assert decision.status_code == 201, decision.text
        assert decision.json()["actor"].startswith("admin:")
        _until(lambda: _consumer(client, "broken_security")["skipped"] == 1, "the skip")
        _until(
            lambda: client.get("/whoami", headers=key_for(keep)).status_code == 200,
            "keys are trusted again",
        )
        assert client.get("/whoami", headers=key_for(revoke)).status_code == 401
        again = client.post(
            f"/operations/consumers/{stalled['consumer']}/registry/skips",
            json={"position": at["position"], "event_id": at["event_id"], "reason": "再来"},
            headers=ADMIN,
        )
        assert again.status_code == 409
