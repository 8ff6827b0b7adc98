"""A key works on every service the moment the registry has issued it (production mode: real
PostgreSQL and NATS, keys reaching survey and scoring through the registry's log).

Without the wait at the edge (`shared.web.gate`), the first call to another service right
after issuing was refused 401 "unknown or revoked" for most keys (18 of 20 when this was
found) and counted as a failed authentication. A wrong key and a revoked one are still
refused, with the same words."""

from __future__ import annotations

from typing import Any

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster

OTHERS = ("survey", "scoring")


def _issue(cluster: Cluster, name: str) -> dict[str, Any]:
    issued = cluster["registry"].post(
        "/principals", json={"name": name, "role": "auditor"}, headers=ADMIN
    )
    assert issued.status_code == 201, issued.text
    found: dict[str, Any] = issued.json()
    return found


def test_a_key_works_everywhere_as_soon_as_it_is_issued(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", *OTHERS]) as cluster:
        for n in range(8):
            key = {"X-API-Key": _issue(cluster, f"审计员{n}")["api_key"]}
            answers = {s: cluster[s].get("/positions", headers=key).status_code for s in OTHERS}
            assert answers == dict.fromkeys(OTHERS, 200), (n, answers)

        revoked = _issue(cluster, "已离任审计员")
        done = cluster["registry"].post(
            f"/principals/{revoked['principal_id']}/revoke",
            json={"reason": "离任"},
            headers=ADMIN,
        )
        assert done.status_code == 200, done.text
        for service in OTHERS:
            cluster.wait_caught_up(service, "registry")
        for key in (revoked["api_key"], "pyk_never-issued-to-anyone"):
            for service in OTHERS:
                refused = cluster[service].get("/positions", headers={"X-API-Key": key})
                assert refused.status_code == 401, (service, refused.text)
                assert refused.json()["detail"][0]["reason"] == (
                    "密钥不存在或已吊销 (unknown or revoked API key)"
                )
