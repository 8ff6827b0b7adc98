"""A record outside the caller's scope answers exactly as a record that does not exist, on
every inspection route that names one, in its path or in its body: another city's office,
inspector or unit key cannot learn that a finding, order, task, complaint, score, veto,
visit, evidence file or key exists there (memory mode).

The tables are read from the app's routes where they can be: every route whose path names
a record is called by every role of the other city that its policy admits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.inspection.counties import (
    County,
    complaint,
    created,
    finding,
    finding_body,
    order,
    order_body,
    score_body,
    task,
    task_body,
    today,
    two_counties,
    upload,
    veto_body,
    visit,
)

PARAMETER = re.compile(r"\{([a-z0-9_]+)\}")
ROLES = ("office", "inspector", "unit")


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    """漯河市 (the caller's) and 大庆市 (whose records are sought), a record of every kind
    in 大庆市, and the routes of inspection with their policies."""
    with Cluster(in_memory(), ["registry", "inspection"]) as cluster:
        client = cluster["inspection"]
        mine, theirs = two_counties(cluster)
        file = upload(client, theirs)
        named = finding(client, theirs, evidence=[file])
        records = {
            "finding_id": named,
            "order_id": order(client, theirs),
            "complaint_id": complaint(client, theirs),
            "score_id": created(
                client, "/assessment-scores", score_body(theirs), theirs.keys["office"]
            )["score_id"],
            "veto_id": created(client, "/vetoes", veto_body(theirs), theirs.keys["office"])[
                "veto_id"
            ],
            "task_id": task(client, theirs),
            "visit_id": visit(client, theirs),
            "sha256": file,
        }
        yield {"cluster": cluster, "mine": mine, "theirs": theirs, "records": records}


def _answer(response: Any) -> tuple[int, Any]:
    return response.status_code, response.json()


def _url(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return {"month": today()[:7], "index": "0"}.get(name) or ids[name]

    return PARAMETER.sub(value, path)


def _record_routes(client: TestClient) -> list[tuple[str, str, frozenset[str]]]:
    """(method, path, roles admitted) of every inspection route whose path names a record."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if not PARAMETER.search(path) or path.startswith("/operations/"):
            continue
        for method, operation in operations.items():
            roles = frozenset(operation["x-pingyi-policy"]["roles"])
            found.append((method.upper(), path, roles))
    return found


def test_a_record_in_another_city_answers_as_none_on_every_route_naming_it(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["cluster"]["inspection"]
    mine: County = world["mine"]
    records: dict[str, str] = world["records"]
    missing = {name: str(uuid4()) for name in records} | {"sha256": "0" * 64}
    routes = _record_routes(client)
    kinds = {name for _, path, _ in routes for name in PARAMETER.findall(path)}
    assert kinds - {"month", "index"} == set(records), "a record kind this test does not make"
    asked = 0
    for method, path, roles in routes:
        for role in ROLES:
            if role not in roles:
                continue
            headers = mine.keys[role]
            theirs = client.request(method, _url(path, records), headers=headers, json={})
            none = client.request(method, _url(path, missing), headers=headers, json={})
            assert none.status_code == 404, (method, path, role, none.text)
            assert _answer(theirs) == _answer(none), (method, path, role)
            asked += 1
    assert asked > 50


def test_the_records_exist_for_their_own_city(world: dict[str, Any]) -> None:
    """The comparison above is with records that are there: their own city reads each."""
    client: TestClient = world["cluster"]["inspection"]
    theirs: County = world["theirs"]
    records: dict[str, str] = world["records"]
    for path in [
        "/findings/{finding_id}",
        "/rectifications/{order_id}",
        "/complaints/{complaint_id}",
        "/assessment-scores/{score_id}",
        "/vetoes/{veto_id}",
        "/tasks/{task_id}",
        "/visits/{visit_id}",
        "/evidence/{sha256}",
    ]:
        response = client.get(_url(path, records), headers=theirs.keys["office"])
        assert response.status_code == 200, (path, response.text)


BodyCase = Callable[[dict[str, Any], str], tuple[str, str, dict[str, str], dict[str, Any]]]
"""(world, the id to name) -> (method, path, headers, body)."""


def _mine(world: dict[str, Any]) -> County:
    county: County = world["mine"]
    return county


def _client(world: dict[str, Any]) -> TestClient:
    client: TestClient = world["cluster"]["inspection"]
    return client


def _order_naming_finding(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    return "POST", "/rectifications", mine.keys["office"], order_body(mine, named)


def _order_naming_key(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    body = order_body(mine, finding(_client(world), mine), unit_principal_id=named)
    return "POST", "/rectifications", mine.keys["office"], body


def _task_naming_key(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    return "POST", "/tasks", mine.keys["office"], task_body(mine, reporter_id=named)


def _finding_naming_visit(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    return "POST", "/findings", mine.keys["inspector"], finding_body(mine, visit_id=named)


def _finding_naming_file(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    return "POST", "/findings", mine.keys["inspector"], finding_body(mine, evidence=[named])


def _evidence_naming_file(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    path = f"/findings/{finding(_client(world), mine)}/evidence"
    return "POST", path, mine.keys["inspector"], {"evidence": [named]}


def _visit_naming_inspector(world: dict[str, Any], named: str) -> Any:
    mine = _mine(world)
    body = {"unit_id": mine.unit, "kind": "暗访", "planned_on": today(), "inspectors": [named]}
    return "POST", "/visits", mine.keys["office"], body


BODY_CASES: list[tuple[str, BodyCase, Callable[[dict[str, Any]], tuple[str, str]]]] = [
    # (what is named, the request, (their record, a missing one))
    (
        "rectification finding_ids",
        _order_naming_finding,
        lambda w: (w["records"]["finding_id"], str(uuid4())),
    ),
    (
        "rectification unit_principal_id",
        _order_naming_key,
        lambda w: (w["theirs"].ids["unit"], str(uuid4())),
    ),
    (
        "rectification unit_principal_id (an office's key)",
        _order_naming_key,
        lambda w: (w["theirs"].ids["office"], str(uuid4())),
    ),
    ("task reporter_id", _task_naming_key, lambda w: (w["theirs"].ids["unit"], str(uuid4()))),
    (
        "task reporter_id (an office's key)",
        _task_naming_key,
        lambda w: (w["theirs"].ids["office"], str(uuid4())),
    ),
    (
        "finding visit_id",
        _finding_naming_visit,
        lambda w: (w["records"]["visit_id"], str(uuid4())),
    ),
    (
        "finding evidence",
        _finding_naming_file,
        lambda w: (w["records"]["sha256"], "1" * 64),
    ),
    (
        "finding's further evidence",
        _evidence_naming_file,
        lambda w: (w["records"]["sha256"], "1" * 64),
    ),
    (
        "visit inspectors",
        _visit_naming_inspector,
        lambda w: (w["theirs"].ids["inspector"], str(uuid4())),
    ),
]


@pytest.mark.parametrize(
    ("case", "named"), [(c[1], c[2]) for c in BODY_CASES], ids=[c[0] for c in BODY_CASES]
)
def test_a_body_naming_another_citys_record_answers_as_naming_none(
    world: dict[str, Any],
    case: BodyCase,
    named: Callable[[dict[str, Any]], tuple[str, str]],
) -> None:
    client = _client(world)
    theirs, missing = named(world)
    answers = []
    for value in (theirs, missing):
        method, path, headers, body = case(world, value)
        response = client.request(method, path, headers=headers, json=body)
        # The answer may echo what was named (the files refused): compared without it.
        answers.append((response.status_code, response.text.replace(value, "<named>")))
    assert answers[0] == answers[1]
    assert answers[0][0] in (404, 422), answers[0]


def test_an_order_naming_a_finding_of_another_unit_in_scope_still_says_so(
    world: dict[str, Any],
) -> None:
    """Within the caller's scope the finding is no secret: naming one of another unit is
    the 422 it always was (the refusal above is for findings outside the scope only)."""
    cluster: Cluster = world["cluster"]
    client, mine = _client(world), _mine(world)
    other = created(
        cluster["registry"],
        "/units",
        {
            "jurisdiction_id": mine.jurisdiction,
            "name": "漯河市民政局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
    )["unit_id"]
    cluster.wait_caught_up("inspection", "registry")
    theirs = finding(client, mine, unit_id=other)
    response = client.post("/rectifications", json=order_body(mine, theirs), headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["reason"] == (
        "该问题记录属于另一单位 (the finding is of another unit)"
    )
    response = client.post(
        "/rectifications", json=order_body(mine, theirs), headers=mine.keys["office"]
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == "finding_ids.0"


def test_a_complaint_not_yet_dispatched_is_none_to_every_unit_key(world: dict[str, Any]) -> None:
    """Before dispatch a complaint is no unit's: every route a unit key may call on a
    complaint (reading, replying) answers it as for no complaint, not with a refusal that
    says a complaint was taken in (a 409 "cannot reply to a complaint that is received")."""
    client, mine = _client(world), _mine(world)
    waiting = complaint(client, mine, dispatched=False)
    asked = 0
    for method, path, roles in _record_routes(client):
        if "{complaint_id}" not in path or "unit" not in roles:
            continue
        headers = mine.keys["unit"]
        body = {"reply": "已当日办结"}
        held = client.request(
            method, _url(path, {"complaint_id": waiting}), headers=headers, json=body
        )
        none = client.request(
            method, _url(path, {"complaint_id": str(uuid4())}), headers=headers, json=body
        )
        assert _answer(held) == _answer(none), (method, path)
        assert none.status_code == 404
        asked += 1
    assert asked >= 2
    # Once dispatched to the unit, the unit's key answers it.
    created(client, f"/complaints/{waiting}/dispatch", {"unit_id": mine.unit}, mine.keys["office"])
    reply = {"reply": "已当日办结"}
    created(client, f"/complaints/{waiting}/reply", reply, mine.keys["unit"])
