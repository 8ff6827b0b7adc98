"""Recording a skip decision (`POST /operations/consumers/{consumer}/{upstream}/skips`)
refuses what could never take effect. A decision is an event kept for good: one naming a
consumer the service does not have (a typo in the path) or a message already applied was
recorded and answered 201, and the operator believed a stall dealt with."""

from __future__ import annotations

from shared.registry_view import SECURITY_VIEW
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster

SECURITY = f"registry-security-v{SECURITY_VIEW.version}"


def _skip(client: object, consumer: str, upstream: str, position: int) -> object:
    return client.post(  # type: ignore[attr-defined]
        f"/operations/consumers/{consumer}/{upstream}/skips",
        json={"position": position, "event_id": "e0", "reason": "运维测试"},
        headers=ADMIN,
    )


def test_a_decision_for_no_consumer_or_an_applied_message_is_refused(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        made = registry.post(
            "/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=ADMIN
        )
        assert made.status_code == 201, made.text
        cluster.wait_caught_up("registry", "registry")
        head = cluster.head("registry")
        assert head is not None

        for consumer, upstream in [("registry-securty-v3", "registry"), (SECURITY, "survey")]:
            typo = _skip(registry, consumer, upstream, head + 1)
            assert typo.status_code == 404, typo.text
            detail = typo.json()["detail"][0]
            assert detail["field"] == "consumer" and f"{SECURITY}/registry" in detail["reason"]

        applied = _skip(registry, SECURITY, "registry", head)
        assert applied.status_code == 409, applied.text
        assert applied.json()["detail"][0]["field"] == "position"
        assert cluster.head("registry") == head  # nothing recorded

        ahead = _skip(registry, SECURITY, "registry", head + 1)
        assert ahead.status_code == 201, ahead.text
