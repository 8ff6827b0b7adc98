"""Every route of every service needs an API key, except the few marked public."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pingyi.catalog import NAMES as SERVICES
from shared.settings import CommonSettings
from tests.harness import Cluster

PUBLIC_PATHS = {"/healthz", "/readyz", "/syncz", "/metrics"}
PUBLIC_BY_DESIGN = {
    # 网上公开评议: anyone may vote on a wave an office opened to the public.
    "survey": {
        "/public/waves/{wave_id}",
        "/public/waves/{wave_id}/codes",
        "/public/waves/{wave_id}/votes",
    },
    # 结果公开: results an office has published, their files, charts and pages.
    "reporting": {
        "/public/results",
        *(
            f"/public/campaigns/{{campaign_id}}/rounds/{{round_number}}{rest}"
            for rest in (
                "",
                "/snapshot",
                "/results.xlsx",
                "/results.csv",
                "/results.pdf",
                "/charts/ranking.svg",
                "/charts/grades.svg",
                "/charts/ranking.png",
                "/charts/grades.png",
            )
        ),
        *(
            f"/public/campaigns/{{campaign_id}}/units/{{unit_id}}{rest}"
            for rest in ("", "/trend", "/charts/trend.svg", "/charts/trend.png", "/dossier.pdf")
        ),
        "/public/pages",
        "/public/pages/campaigns/{campaign_id}/rounds/{round_number}",
        "/public/pages/campaigns/{campaign_id}/units/{unit_id}",
        *(
            f"{prefix}/summaries/jurisdictions/{{jurisdiction_id}}/campaigns/{{campaign_id}}"
            "/rounds/{round_number}"
            for prefix in ("/public", "/public/pages")
        ),
        # 办公室登录: the sign-in form (its POST takes a key, `shared.web.signin`), sign-out.
        "/signin",
        "/signout",
    },
}
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method.upper(), spec)
        for path, item in openapi["paths"].items()
        for method, spec in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture
def cluster(memory_settings: CommonSettings):  # type: ignore[no-untyped-def]
    with Cluster(memory_settings, SERVICES) as running:
        yield running


def test_only_health_routes_and_public_voting_are_public(cluster: Cluster) -> None:
    for service in SERVICES:
        spec = cluster[service].get("/openapi.json").json()
        public = {path for path, _, op in operations(spec) if op.get("x-pingyi-public")}
        assert public == PUBLIC_PATHS | PUBLIC_BY_DESIGN.get(service, set()), service


@pytest.mark.parametrize("key", [None, "pyk_not-a-real-key"])
def test_every_other_route_refuses_a_missing_or_unknown_key(
    cluster: Cluster, key: str | None
) -> None:
    checked = 0
    for service in SERVICES:
        client = cluster[service]
        for path, method, op in operations(client.get("/openapi.json").json()):
            if op.get("x-pingyi-public"):
                continue
            url = re.sub(r"\{[^}]+\}", PLACEHOLDER, path)
            headers = {"X-API-Key": key} if key else {}
            response = client.request(method, url, headers=headers, json={})
            assert response.status_code == 401, f"{service} {method} {path}: {response.status_code}"
            assert response.json()["error"] == "unauthenticated"
            checked += 1
    assert checked >= 20  # the services together expose at least this many protected routes
