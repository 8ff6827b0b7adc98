"""Apps of one service share their routes (`shared.http._routes_of`): FastAPI builds an
included router's routes at its first request, once per inclusion, so a service's hundred
routes included into each new app were built again by each app (every test starts one).
Sharing them must not share anything of a runtime: each app answers for its own."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from pingyi.catalog import definition
from pingyi.composition import default_transport
from shared.http import build_app
from shared.policy import Policy, PolicyRouter, allow
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.shared.test_security_copy import _probe

extra = PolicyRouter()


@extra.get("/extra", **allow(Policy.anyone()))
def extra_route() -> dict[str, str]:
    return {"extra": "yes"}


def _runtime(service: ServiceDefinition, data_dir: Path) -> ServiceRuntime:
    common = CommonSettings(mode="embedded", data_dir=data_dir, log_json=False)
    return ServiceRuntime(service, common, service.settings(), default_transport(common))


def test_apps_of_one_service_serve_the_same_route_objects(tmp_path: Path) -> None:
    registry = definition("registry")
    first = build_app(_runtime(registry, tmp_path / "a"))
    second = build_app(_runtime(registry, tmp_path / "b"))
    # Each app has its own /openapi.json route; every router it includes is shared.
    included = [r for r in first.router.routes if getattr(r, "original_router", None)]
    assert {id(router) for router in registry.routers} <= {id(r.original_router) for r in included}
    assert all(any(r is s for s in second.router.routes) for r in included)


def test_each_app_answers_for_its_own_service(memory_settings: CommonSettings) -> None:
    """The kernel's routes, built once per process, read the runtime of the app serving
    the request: two services in one process (the embedded runner) each name themselves."""
    with Cluster(memory_settings, ["registry", "survey"]) as cluster:
        for name in ("registry", "survey"):
            client = cluster[name]
            assert client.get("/healthz").json() == {"status": "alive", "service": name}
            title = definition(name).openapi_info()["title"]
            assert f"<title>{title} - Swagger UI</title>" in client.get("/docs").text
            assert client.get("/positions", headers=ADMIN).json()["service"] == name
            assert client.get("/operations/consumers", headers=ADMIN).json()["service"] == name


def test_a_definition_with_the_same_title_and_other_routes_gets_its_own_document(
    tmp_path: Path,
) -> None:
    plain = _probe(())
    wider = replace(plain, api=lambda: ServiceApi(routers=(*plain.routers, extra)))
    plain_app = build_app(_runtime(plain, tmp_path / "plain"))
    wider_app = build_app(_runtime(wider, tmp_path / "wider"))
    assert "/extra" not in plain_app.openapi()["paths"]
    assert "/extra" in wider_app.openapi()["paths"]
    # Without the lifespan (nothing started): the route needs no key.
    assert TestClient(wider_app).get("/extra").json() == {"extra": "yes"}
