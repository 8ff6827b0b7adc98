"""A whole number in a URL (a round, a version, a page's `limit`) is written plainly or refused.

Pydantic reads path and query text in lax mode, which takes "1.0", " 1", "+1" and "01" as 1:
`POST /campaigns/{id}/rounds/2.0/score-runs` recorded a run for round 2, while the same
number in a body (`JsonInt`) is refused. Every integer path and query parameter of every
service is `shared.types.UrlInt`: the walk below fails for a new one that is not, without
anyone editing this file, and the calls show the refusal on real routes of each service.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import quote

import pytest
from fastapi import APIRouter, Path, Query
from fastapi.routing import APIRoute

from pingyi.catalog import NAMES as SERVICES
from pingyi.catalog import definition
from shared.health_api import HEALTH_ROUTER, POSITIONS_ROUTER
from shared.operations_api import OPERATIONS_ROUTER
from shared.reasons import URL_INT_CHINESE
from shared.types import UrlInt, _UrlIntText
from shared.web.docs import DOCS_ROUTER
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.world import build_world

KERNEL_ROUTERS = (DOCS_ROUTER, HEALTH_ROUTER, POSITIONS_ROUTER, OPERATIONS_ROUTER)


def _routes(router: APIRouter) -> Iterator[APIRoute]:
    """Every route of a router, through the routers it includes."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if isinstance(included, APIRouter):
            yield from _routes(included)


def _parameters(dependant: Any) -> Iterator[tuple[str, Any]]:
    """(`path`/`query`, field) for the route's parameters and its dependencies' (a page's
    `limit` comes from `Pagination`)."""
    for where, fields in (("path", dependant.path_params), ("query", dependant.query_params)):
        for field in fields:
            yield where, field
    for sub in dependant.dependencies:
        yield from _parameters(sub)


def _int_arms(annotation: Any, metadata: Iterable[Any]) -> Iterator[bool]:
    """For each `int` the annotation holds (alone, in a union, under `Annotated`): whether
    it carries `UrlInt`'s check."""
    marked = any(isinstance(item, _UrlIntText) for item in metadata)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        yield from _int_arms(inner, (*metadata, *extra))
    elif origin in (Union, types.UnionType):
        for arm in get_args(annotation):
            yield from _int_arms(arm, metadata)
    elif annotation is int:
        yield marked


def unmarked_ints(routers: Iterable[APIRouter]) -> Iterator[str]:
    """'<METHODS> <path>: <where>.<name>' for every integer path or query parameter that is
    not `UrlInt`."""
    for router in routers:
        for route in _routes(router):
            for where, field in _parameters(route.dependant):
                info = field.field_info
                if not all(_int_arms(info.annotation, info.metadata)):
                    methods = ",".join(sorted(route.methods))
                    yield f"{methods} {route.path}: {where}.{field.alias}"


def int_parameters(routers: Iterable[APIRouter]) -> Iterator[tuple[str, str, Any]]:
    for router in routers:
        for route in _routes(router):
            for where, field in _parameters(route.dependant):
                info = field.field_info
                if any(True for _ in _int_arms(info.annotation, info.metadata)):
                    yield route.path, f"{where}.{field.alias}", field


def _routers(service: str) -> tuple[APIRouter, ...]:
    return (*KERNEL_ROUTERS, *definition(service).routers)


@pytest.mark.parametrize("service", SERVICES)
def test_every_integer_path_and_query_parameter_is_url_int(service: str) -> None:
    offenders = list(unmarked_ints(_routers(service)))
    assert offenders == [], "integer parameters that are not shared.types.UrlInt:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_integer_parameter_refuses_a_decimal(service: str) -> None:
    """The same, by behaviour: each parameter's own validation refuses "1.0"."""
    for path, where, field in int_parameters(_routers(service)):
        _, errors = field.validate("1.0", {}, loc=tuple(where.split(".")))
        assert [error["type"] for error in errors] == ["int_parsing"], (path, where, errors)


ROUND = "path.round_number"


def test_the_walk_sees_the_parameters_it_is_about() -> None:
    """Guard against a walk that passes because it reads nothing."""
    seen = {
        (service, path, where)
        for service in SERVICES
        for path, where, _ in int_parameters(_routers(service))
    }
    assert {
        ("scoring", "/campaigns/{campaign_id}/rounds/{round_number}/standings", ROUND),
        ("scoring", "/schemes/{scheme_id}/versions/{version}", "path.version"),
        ("reporting", "/public/campaigns/{campaign_id}/rounds/{round_number}", "query.version"),
        ("inspection", "/tasks/{task_id}/milestones/{index}/reached", "path.index"),
        ("inspection", "/representative-violations", "query.round"),
        ("survey", "/templates/{template_id}", "query.version"),
        ("registry", "/units", "query.limit"),
    } <= seen


def test_a_plain_int_parameter_is_caught() -> None:
    router = APIRouter()

    @router.get("/things/{number}")
    def plain(
        number: Annotated[int, Path(ge=1)],
        good: Annotated[UrlInt, Query()] = 1,
        maybe: Annotated[int | None, Query()] = None,
        fine: Annotated[UrlInt | None, Query()] = None,
        flag: bool = False,
    ) -> None:
        return None

    outer = APIRouter()
    outer.include_router(router)
    assert sorted(unmarked_ints([outer])) == [
        "GET /things/{number}: path.number",
        "GET /things/{number}: query.maybe",
    ]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), SERVICES) as running:
        yield running


@pytest.fixture(scope="module")
def targets(cluster: Cluster) -> dict[str, str]:
    world = build_world(cluster)
    return {kind: target.value for kind, target in world.targets.items()}


SCHEME = "/schemes/luohe-2yr-zhengfeng/versions/{n}"
# (service, method, url with {n} where the number goes, JSON body, the field named).
CALLS = [
    ("scoring", "GET", "/campaigns/{campaign}/rounds/{n}/standings", None, "path.round_number"),
    (
        "scoring",
        "POST",
        "/campaigns/{campaign}/rounds/{n}/score-runs",
        {"final": False, "reason": "中期测算"},
        "path.round_number",
    ),
    ("scoring", "GET", SCHEME, None, "path.version"),
    (
        "reporting",
        "GET",
        "/public/campaigns/{campaign}/rounds/1?version={n}",
        None,
        "query.version",
    ),
    ("reporting", "GET", "/campaigns/{campaign}/rounds/{n}/results", None, "path.round_number"),
    ("registry", "GET", "/units?limit={n}", None, "query.limit"),
    ("survey", "GET", "/templates/{template}?version={n}", None, "query.version"),
    (
        "inspection",
        "GET",
        "/representative-violations?campaign_id={campaign}&round={n}",
        None,
        "query.round",
    ),
]


def _aimed(url: str, targets: dict[str, str], number: str) -> str:
    for kind, target in targets.items():
        url = url.replace("{" + kind + "}", target)
    return url.replace("{n}", quote(number, safe=""))


def _call(cluster: Cluster, targets: dict[str, str], call: tuple[Any, ...], number: str) -> Any:
    service, method, url, body, _ = call
    return cluster[service].request(method, _aimed(url, targets, number), json=body, headers=ADMIN)


@pytest.mark.parametrize("call", CALLS, ids=[f"{call[0]}-{call[4]}" for call in CALLS])
def test_a_decimal_in_the_url_is_refused_naming_the_parameter(
    cluster: Cluster, targets: dict[str, str], call: tuple[Any, ...]
) -> None:
    refused = _call(cluster, targets, call, "1.0")
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "validation_failed"
    [entry] = body["detail"]
    assert (entry["field"], entry["code"]) == (call[4], "int_parsing")
    assert entry["reason"].startswith(URL_INT_CHINESE + " (Input should be a whole number")
    if call[1] == "GET":  # the same route takes the plain number (a POST would record a run)
        taken = _call(cluster, targets, call, "1")
        # 404 not_published: the world's round 1 is scored, not published
        assert taken.status_code in (200, 404), taken.text


def test_no_run_is_recorded_for_a_round_written_as_a_decimal(
    cluster: Cluster, targets: dict[str, str]
) -> None:
    campaign = targets["campaign"]
    before = cluster["scoring"].get(f"/campaigns/{campaign}/rounds/2/standings", headers=ADMIN)
    refused = cluster["scoring"].post(
        f"/campaigns/{campaign}/rounds/2.0/score-runs",
        json={"final": False, "reason": "中期测算"},
        headers=ADMIN,
    )
    assert refused.status_code == 422, refused.text
    after = cluster["scoring"].get(f"/campaigns/{campaign}/rounds/2/standings", headers=ADMIN)
    assert after.status_code == before.status_code
    assert after.json() == before.json()


# Decided: digits 0-9 only, no leading zero (one spelling per number, so one URL per
# resource), no sign but a minus (refused by the parameter's bound, in its own words).
REFUSED = ["1.0", "1.", "1e0", "+1", " 1", "1 ", "01", "001", "-0", "1_000", "１", "0x1", "", "一"]


@pytest.mark.parametrize("number", REFUSED, ids=[repr(number) for number in REFUSED])
def test_only_a_plain_whole_number_is_a_round(
    cluster: Cluster, targets: dict[str, str], number: str
) -> None:
    response = cluster["scoring"].get(
        f"/campaigns/{targets['campaign']}/rounds/{quote(number, safe='')}/standings",
        headers=ADMIN,
    )
    if number == "":  # no segment at all: no route has this path
        assert response.status_code == 404, response.text
        return
    assert response.status_code == 422, response.text
    [entry] = response.json()["detail"]
    assert (entry["field"], entry["code"]) == ("path.round_number", "int_parsing")


def test_a_negative_or_large_number_is_refused_by_its_bound(
    cluster: Cluster, targets: dict[str, str]
) -> None:
    base = f"/campaigns/{targets['campaign']}/rounds"
    low = cluster["scoring"].get(f"{base}/-1/standings", headers=ADMIN)
    assert low.status_code == 422, low.text
    assert [(e["field"], e["code"]) for e in low.json()["detail"]] == [
        ("path.round_number", "greater_than_equal")
    ]
    high = cluster["scoring"].get(f"{base}/{'9' * 5000}/standings", headers=ADMIN)
    assert high.status_code == 422, high.text
    assert [e["field"] for e in high.json()["detail"]] == ["path.round_number"]
    # "0" is a whole number (a milestone's index starts there); for a round it is too low.
    zero = cluster["scoring"].get(f"{base}/0/standings", headers=ADMIN)
    assert [(e["field"], e["code"]) for e in zero.json()["detail"]] == [
        ("path.round_number", "greater_than_equal")
    ]
