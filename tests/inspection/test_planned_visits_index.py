"""GET /planned-visits served from the in-memory index of open plans
(services/inspection/planned_visits.py): every answer, for every caller, filter and page,
is the one the list gave when it folded every visit event on each call (that fold is kept
here as the reference), in a world of many visits in several counties, planned, conducted
and cancelled; and a call reads from the store only the visit events committed since the
previous one."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from services.inspection.planned_visits import Sight, open_plans, planned_out, sort_key
from services.inspection.visits import Visit
from shared.persistence.log_pages import notifications
from shared.principals import Principal
from shared.service.application import PublishingApplication
from shared.settings import CommonSettings
from shared.views.base import encode_cursor
from shared.web.pagination import cursor_position
from tests.harness import ADMIN, Cluster
from tests.inspection.test_visits import _post

PLACES = ("源汇区", "郾城区", "舞阳县", "大庆市")
"""Three counties of 漯河市, and another city."""
KINDS = ("暗访", "明察", "随机检查")
CATEGORY = "政府部门及其它机构"


def reference(app: PublishingApplication, sight: Sight) -> list[Visit.Planned]:
    """The list as it was computed before the index: every visit event, on every call."""
    topics = [get_topic(kind) for kind in (Visit.Planned, Visit.Conducted, Visit.Cancelled)]
    open_plans_: dict[UUID, Visit.Planned] = {}
    for notification in notifications(app.recorder, topics=topics):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, Visit.Planned):
            if sight.sees(event):
                open_plans_[event.originator_id] = event
        else:
            open_plans_.pop(event.originator_id, None)
    return sorted(open_plans_.values(), key=sort_key)


def reference_page(
    app: PublishingApplication, sight: Sight, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The route's paging over the reference list, as the route pages."""
    plans = reference(app, sight)
    if cursor is not None:
        after = cursor_position(cursor)
        plans = [plan for plan in plans if sort_key(plan) > after]
    chosen = plans[:limit]
    following = encode_cursor(*sort_key(chosen[-1])) if len(plans) > limit else None
    return [planned_out(plan) for plan in chosen], following


def _registered(cluster: Cluster) -> dict[str, Any]:
    registry = cluster["registry"]
    city = _post(registry, "/jurisdictions", {"name": "漯河市", "level": "city"}, ADMIN)
    place_ids = {"漯河市": city["jurisdiction_id"]}
    for name in PLACES:
        body: dict[str, Any] = {"name": name, "level": "city"}
        if name != "大庆市":
            body = {"name": name, "level": "district", "parent_id": city["jurisdiction_id"]}
        place_ids[name] = _post(registry, "/jurisdictions", body, ADMIN)["jurisdiction_id"]
    units: dict[str, list[str]] = {}
    for name in PLACES:
        units[name] = [
            _post(
                registry,
                "/units",
                {
                    "jurisdiction_id": place_ids[name],
                    "name": f"{name}{what}",
                    "kind": "government_department",
                    "category": CATEGORY,
                },
                ADMIN,
            )["unit_id"]
            for what in ("人社局", "民政局")
        ]
    principals: dict[str, dict[str, Any]] = {}
    people: list[tuple[str, str, str | None]] = [
        (f"{p}纠风办", "office", p) for p in ("漯河市", *PLACES)
    ]
    people += [(f"{p}检查组{n}", "inspector", p) for p in ("漯河市", *PLACES) for n in (1, 2)]
    people += [("审计组", "auditor", None)]
    for name, role, place in people:
        body = {"name": name, "role": role, "jurisdiction_id": place and place_ids[place]}
        issued = _post(registry, "/principals", body, ADMIN)
        principals[name] = {
            "key": {"X-API-Key": issued["api_key"]},
            "principal": Principal(
                UUID(issued["principal_id"]),
                name,
                role,  # type: ignore[arg-type]
                None if place is None else UUID(place_ids[place]),
            ),
            "place": place,
        }
    cluster.wait_caught_up("inspection", "registry")
    return {"places": place_ids, "units": units, "principals": principals}


def _planned_world(cluster: Cluster, world: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """`count` visits at random units of every place, planned by the place's office or the
    city's, assigned to the place's inspectors and sometimes the city's; a quarter then
    conducted, a quarter cancelled."""
    rng = random.Random(20260603)
    client, who = cluster["inspection"], world["principals"]
    visits = []
    for n in range(count):
        place = rng.choice(PLACES)
        city_level = place != "大庆市" and rng.random() < 0.3
        inspectors = [f"{place}检查组{rng.choice((1, 2))}"]
        if place != "大庆市" and rng.random() < 0.3:
            inspectors.append("漯河市检查组1")
        office = "漯河市纠风办" if city_level else f"{place}纠风办"
        body = {
            "unit_id": rng.choice(world["units"][place]),
            "kind": rng.choice(KINDS),
            "planned_on": f"2026-0{rng.randint(6, 9)}-{rng.randint(10, 28)}",
            "inspectors": [str(who[i]["principal"].principal_id) for i in inspectors],
            "checklist": ["工作纪律"],
        }
        visit = _post(client, "/visits", body, who[office]["key"])
        fate = n % 4
        if fate == 1:
            conduct = {"conducted_at": f"{body['planned_on']}T09:40:00+08:00"}
            _post(
                client, f"/visits/{visit['visit_id']}/conduct", conduct, who[inspectors[0]]["key"]
            )
        elif fate == 2:
            _post(client, f"/visits/{visit['visit_id']}/cancellation", {"reason": "改期"}, ADMIN)
        visits.append(visit)
    return visits


@pytest.fixture
def crowded(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster, _registered(cluster)


def _pages(client: TestClient, key: dict[str, str], limit: int, **params: Any) -> Iterator[Any]:
    cursor = None
    while True:
        query = params | {"limit": limit} | ({} if cursor is None else {"cursor": cursor})
        response = client.get("/planned-visits", params=query, headers=key)
        assert response.status_code == 200, response.text
        yield response, cursor
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            return


def test_every_answer_is_the_one_the_full_fold_gave(
    crowded: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, world = crowded
    _planned_world(cluster, world, 80)
    client = cluster["inspection"]
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    app, auth = runtime.application, runtime.authenticator
    callers = [(ADMIN, Principal(UUID(int=0), "admin", "admin", None))]
    callers += [(p["key"], p["principal"]) for p in world["principals"].values()]
    listed_somewhere = 0
    for key, principal in callers:
        place = next(
            (p["place"] for p in world["principals"].values() if p["principal"] == principal),
            None,
        )
        filters: list[dict[str, Any]] = [{}, {"kind": "暗访"}]
        if place is not None:
            filters.append({"unit_id": world["units"].get(place, world["units"]["源汇区"])[0]})
        for params in filters:
            unit_id = params.get("unit_id")
            sight = Sight(
                principal,
                auth.visible_jurisdictions(principal),
                None if unit_id is None else UUID(unit_id),
                params.get("kind"),
            )
            whole = reference(app, sight)
            listed_somewhere += len(whole)
            for limit in (7, 100):
                for response, cursor in _pages(client, key, limit, **params):
                    expected, following = reference_page(app, sight, limit, cursor)
                    assert response.json() == expected, (principal.name, params, cursor)
                    assert response.headers.get("X-Next-Cursor") == following
    assert listed_somewhere > 80  # the world lists plenty, to many callers
    assert 0 < len(open_plans(app)) < 80  # it holds the open plans only


def test_a_call_reads_only_the_visit_events_committed_since_the_last(
    crowded: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, world = crowded
    client, who = cluster["inspection"], world["principals"]
    visits = _planned_world(cluster, world, 12)
    app = client.app.state.runtime.application  # type: ignore[attr-defined]
    inspector = who["源汇区检查组1"]["key"]
    first = client.get("/planned-visits", headers=inspector)
    index = open_plans(app)
    read = index.folded
    assert read == 12 + 6  # every plan, and the conducts and cancellations of half of them
    assert client.get("/planned-visits", headers=inspector).json() == first.json()
    assert index.folded == read  # nothing new: nothing read

    open_ids = [v["visit_id"] for n, v in enumerate(visits) if n % 4 in (0, 3)]
    _post(client, f"/visits/{open_ids[0]}/cancellation", {"reason": "改期"}, ADMIN)
    body = {
        "unit_id": world["units"]["源汇区"][0],
        "kind": "暗访",
        "planned_on": "2026-06-01",
        "inspectors": [str(who["源汇区检查组1"]["principal"].principal_id)],
        "checklist": [],
    }
    added = _post(client, "/visits", body, who["源汇区纠风办"]["key"])
    now = client.get("/planned-visits", headers=inspector).json()
    assert index.folded == read + 2  # the cancellation and the new plan only
    assert now[0]["visit_id"] == added["visit_id"]
    assert open_ids[0] not in [v["visit_id"] for v in now]
    assert len(index) == len(open_ids)  # one cancelled, one added
