"""Every registry write honours an Idempotency-Key: a retry with the same key and request
answers what the first request was answered (and changes nothing more); the same key with
another request is a 409 naming `Idempotency-Key`.

The table below has one request per write route; `test_every_write_route_is_in_the_table`
enumerates the routes the running registry serves, so a new write route without a key, or
without a row here, fails."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import LUOHE_CATEGORIES, LUOHE_PHASES, luohe_spec
from tests.registry.helpers import city_with_counties, post
from tests.registry.import_helpers import csv_bytes
from tests.registry.people_helpers import COMMITMENT, SEED, office_body

GOV = LUOHE_CATEGORIES[0]
WRITES = ("post", "put", "patch", "delete")
KERNEL_TAGS = {"operations"}
"""Routes every service gets from the kernel (shared/operations_api.py), not the registry's."""


@dataclass
class Call:
    """One request: a JSON body, or a file (`content`) with its query."""

    path: str
    json: Any = None
    content: bytes | None = None
    params: dict[str, str] = field(default_factory=dict)

    def send(self, cluster: Cluster, key: str | None) -> httpx.Response:
        headers = dict(ADMIN)
        if key is not None:
            headers["Idempotency-Key"] = key
        client = cluster["registry"]
        response: httpx.Response
        if self.content is not None:
            headers["Content-Type"] = "text/csv"
            response = client.post(
                self.path, content=self.content, params=self.params, headers=headers
            )
        else:
            response = client.post(self.path, json=self.json, params=self.params, headers=headers)
        return response


class World:
    """Fresh targets for each case, in one registry (names never repeat)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.base = city_with_counties(cluster)
        self.city = self.base["city"]["jurisdiction_id"]
        self._numbers = itertools.count(1)

    def n(self) -> int:
        return next(self._numbers)

    def county(self) -> str:
        body = {"name": f"幂等区{self.n()}", "level": "district", "parent_id": self.city}
        found: str = post(self.cluster, "/jurisdictions", body)["jurisdiction_id"]
        return found

    def unit(self, county: str, name: str | None = None) -> str:
        body = {
            "jurisdiction_id": county,
            "name": name or f"幂等局{self.n()}",
            "kind": "government_department",
            "category": GOV,
        }
        found: str = post(self.cluster, "/units", body)["unit_id"]
        return found

    def campaign(self, county: str) -> str:
        found: str = post(self.cluster, "/campaigns", luohe_spec(county))["campaign_id"]
        return found

    def enrolled(self) -> tuple[str, str]:
        county = self.county()
        campaign, unit = self.campaign(county), self.unit(county)
        body = {"enrolments": [{"unit_id": unit, "category": GOV}]}
        post(self.cluster, f"/campaigns/{campaign}/enrolments", body)
        return campaign, unit

    def key_target(self) -> tuple[str, str]:
        campaign, unit = self.enrolled()
        body = {"unit_id": unit, "reason_code": "other", "reason": "群众意见集中"}
        post(self.cluster, f"/campaigns/{campaign}/key-targets", body)
        return campaign, unit

    def person(self, county: str | None = None) -> str:
        body = {"jurisdiction_id": county or self.county(), "name": "代表", "sector": "其他"}
        found: str = post(self.cluster, "/people", body)["person_id"]
        return found

    def principal(self) -> str:
        body = {"name": f"调查公司{self.n()}", "role": "agency"}
        found: str = post(self.cluster, "/principals", body)["principal_id"]
        return found

    def draw(self) -> str:
        county = self.county()
        for _ in range(2):
            person = self.person(county)
            body = {"body": office_body(county), "cycle": "2026", "purpose": "general"}
            post(self.cluster, f"/people/{person}/appointments", body, status=200)
        draw = {"jurisdiction_id": county, "cycle": "2026", "size": 1, "commitment": COMMITMENT}
        found: str = post(self.cluster, "/draws", draw)["draw_id"]
        return found

    def frozen_draw(self) -> str:
        draw = self.draw()
        post(self.cluster, f"/draws/{draw}/pool/freeze", {}, status=200)
        return draw


Case = Callable[[World], tuple[Call, Call]]
"""A route's request, and another request to the same route (the same key is then a 409)."""


def _jurisdiction(w: World) -> tuple[Call, Call]:
    def call(name: str) -> Call:
        return Call("/jurisdictions", {"name": name, "level": "district", "parent_id": w.city})

    return call(f"新区{w.n()}"), call(f"新区{w.n()}")


def _unit(w: World) -> tuple[Call, Call]:
    county = w.county()

    def call(name: str) -> Call:
        body = {"jurisdiction_id": county, "name": name, "kind": "other_body", "category": GOV}
        return Call("/units", body)

    return call("甲机构"), call("乙机构")


def _units(w: World) -> tuple[Call, Call]:
    county = w.county()

    def call(name: str) -> Call:
        unit = {"jurisdiction_id": county, "name": name, "kind": "other_body", "category": GOV}
        return Call("/units:batch", {"units": [unit]})

    return call("甲机构"), call("乙机构")


def _rename(w: World) -> tuple[Call, Call]:
    path = f"/units/{w.unit(w.county())}/rename"
    return Call(path, {"name": "新名局", "reason": "更名"}), Call(
        path, {"name": "又名局", "reason": "更名"}
    )


def _move(w: World) -> tuple[Call, Call]:
    unit = w.unit(w.county())
    path = f"/units/{unit}/move"
    first, other = w.county(), w.county()
    return (
        Call(path, {"jurisdiction_id": first, "reason": "划转"}),
        Call(path, {"jurisdiction_id": other, "reason": "划转"}),
    )


def _effective_date(w: World) -> tuple[Call, Call]:
    path = f"/units/{w.unit(w.county())}/effective-date"
    return Call(path, {"effective_on": "2009-01-01", "reason": "核实"}), Call(
        path, {"effective_on": "2008-01-01", "reason": "核实"}
    )


def _dissolve(w: World) -> tuple[Call, Call]:
    path = f"/units/{w.unit(w.county())}/dissolve"
    return Call(path, {"reason": "撤销"}), Call(path, {"reason": "机构改革"})


def _merge(w: World) -> tuple[Call, Call]:
    county = w.county()
    sources = [w.unit(county), w.unit(county)]

    def call(name: str) -> Call:
        return Call("/units:merge", {"source_unit_ids": sources, "name": name, "reason": "合并"})

    return call("合并局"), call("另一合并局")


def _split(w: World) -> tuple[Call, Call]:
    path = f"/units/{w.unit(w.county())}/split"

    def call(second: str) -> Call:
        return Call(path, {"units": [{"name": "拆一局"}, {"name": second}], "reason": "拆分"})

    return call("拆二局"), call("拆三局")


def _principal(w: World) -> tuple[Call, Call]:
    return (
        Call("/principals", {"name": "新调查公司", "role": "agency"}),
        Call("/principals", {"name": "另一调查公司", "role": "agency"}),
    )


def _revoke(w: World) -> tuple[Call, Call]:
    path = f"/principals/{w.principal()}/revoke"
    return Call(path, {"reason": "合同到期"}), Call(path, {"reason": "密钥泄露"})


def _campaign(w: World) -> tuple[Call, Call]:
    county = w.county()
    other = luohe_spec(county) | {"name": "另一评议"}
    return Call("/campaigns", luohe_spec(county)), Call("/campaigns", other)


def _phases(w: World) -> tuple[Call, Call]:
    path = f"/campaigns/{w.campaign(w.county())}/phases"
    return (
        Call(path, {"phases": LUOHE_PHASES[:2], "reason": "合并阶段"}),
        Call(path, {"phases": LUOHE_PHASES[:1], "reason": "合并阶段"}),
    )


def _categories(w: World) -> tuple[Call, Call]:
    path = f"/campaigns/{w.campaign(w.county())}/categories"
    return (
        Call(path, {"categories": [*LUOHE_CATEGORIES, "基层站所"], "reason": "增加"}),
        Call(path, {"categories": [*LUOHE_CATEGORIES, "窗口单位"], "reason": "增加"}),
    )


def _enrol(w: World) -> tuple[Call, Call]:
    county = w.county()
    campaign, first, other = w.campaign(county), w.unit(county), w.unit(county)
    path = f"/campaigns/{campaign}/enrolments"
    return (
        Call(path, {"enrolments": [{"unit_id": first, "category": GOV}]}),
        Call(path, {"enrolments": [{"unit_id": other, "category": GOV}]}),
    )


def _withdraw(w: World) -> tuple[Call, Call]:
    campaign, unit = w.enrolled()
    path = f"/campaigns/{campaign}/enrolments/{unit}/withdrawal"
    return Call(path, {"reason": "机构改革"}), Call(path, {"reason": "另有原因"})


def _key_target(w: World) -> tuple[Call, Call]:
    campaign, unit = w.enrolled()
    path = f"/campaigns/{campaign}/key-targets"
    body = {"unit_id": unit, "reason_code": "other", "reason": "群众意见集中"}
    return Call(path, body), Call(path, body | {"reason": "上年度一般"})


def _key_target_revocation(w: World) -> tuple[Call, Call]:
    campaign, unit = w.key_target()
    path = f"/campaigns/{campaign}/key-targets/{unit}/revocation"
    return Call(path, {"reason": "已整改"}), Call(path, {"reason": "误定"})


def _person(w: World) -> tuple[Call, Call]:
    county = w.county()

    def call(name: str) -> Call:
        return Call("/people", {"jurisdiction_id": county, "name": name, "sector": "其他"})

    return call("张三"), call("李四")


def _people(w: World) -> tuple[Call, Call]:
    county = w.county()

    def call(name: str) -> Call:
        person = {"jurisdiction_id": county, "name": name, "sector": "其他"}
        return Call("/people:batch", {"people": [person]})

    return call("张三"), call("李四")


def _training(w: World) -> tuple[Call, Call]:
    path = f"/people/{w.person()}/trainings"
    body = {"held_on": "2026-01-05", "topic": "评议纪律", "hours": "2"}
    return Call(path, body), Call(path, body | {"topic": "测评方法"})


def _appointment(w: World) -> tuple[Call, Call]:
    county = w.county()
    path = f"/people/{w.person(county)}/appointments"
    body = {"body": office_body(county), "cycle": "2026", "purpose": "general"}
    return Call(path, body), Call(path, body | {"cycle": "2027"})


def _disqualification(w: World) -> tuple[Call, Call]:
    path = f"/people/{w.person()}/disqualification"
    return Call(path, {"reason": "违反纪律"}), Call(path, {"reason": "接受宴请"})


def _draw(w: World) -> tuple[Call, Call]:
    county = w.county()
    body = {"jurisdiction_id": county, "cycle": "2026", "size": 1, "commitment": COMMITMENT}
    return Call("/draws", body), Call("/draws", body | {"size": 2})


def _freeze(w: World) -> tuple[Call, Call]:
    return Call(f"/draws/{w.draw()}/pool/freeze"), Call(f"/draws/{w.draw()}/pool/freeze")


def _reveal(w: World) -> tuple[Call, Call]:
    path = f"/draws/{w.frozen_draw()}/reveal"
    return Call(path, {"seed": SEED}), Call(path, {"seed": "another-seed-not-committed"})


def _import_units(w: World) -> tuple[Call, Call]:
    county = w.county()

    def call(name: str) -> Call:
        rows = [["单位名称", "单位类型", "类别"], [name, "政府部门", GOV]]
        return Call("/imports/units", content=csv_bytes(rows), params={"jurisdiction_id": county})

    return call("导入局"), call("另一导入局")


def _import_enrolments(w: World) -> tuple[Call, Call]:
    county = w.county()
    campaign = w.campaign(county)
    w.unit(county, "参评甲局")
    w.unit(county, "参评乙局")
    w.cluster.wait_caught_up("registry", "registry")

    def call(name: str) -> Call:
        rows = [["单位名称", "类别"], [name, GOV]]
        return Call(
            "/imports/enrolments", content=csv_bytes(rows), params={"campaign_id": campaign}
        )

    return call("参评甲局"), call("参评乙局")


def _import_representatives(w: World) -> tuple[Call, Call]:
    county = w.county()

    def call(name: str) -> Call:
        rows = [["姓名", "界别"], [name, "人大代表"]]
        params = {"jurisdiction_id": county}
        return Call("/imports/representatives", content=csv_bytes(rows), params=params)

    return call("王五"), call("赵六")


CASES: dict[tuple[str, str], Case] = {
    ("post", "/jurisdictions"): _jurisdiction,
    ("post", "/units"): _unit,
    ("post", "/units:batch"): _units,
    ("post", "/units/{unit_id}/rename"): _rename,
    ("post", "/units/{unit_id}/move"): _move,
    ("post", "/units/{unit_id}/dissolve"): _dissolve,
    ("post", "/units/{unit_id}/effective-date"): _effective_date,
    ("post", "/units:merge"): _merge,
    ("post", "/units/{unit_id}/split"): _split,
    ("post", "/principals"): _principal,
    ("post", "/principals/{principal_id}/revoke"): _revoke,
    ("post", "/campaigns"): _campaign,
    ("post", "/campaigns/{campaign_id}/phases"): _phases,
    ("post", "/campaigns/{campaign_id}/categories"): _categories,
    ("post", "/campaigns/{campaign_id}/enrolments"): _enrol,
    ("post", "/campaigns/{campaign_id}/enrolments/{unit_id}/withdrawal"): _withdraw,
    ("post", "/campaigns/{campaign_id}/key-targets"): _key_target,
    ("post", "/campaigns/{campaign_id}/key-targets/{unit_id}/revocation"): _key_target_revocation,
    ("post", "/people"): _person,
    ("post", "/people:batch"): _people,
    ("post", "/people/{person_id}/trainings"): _training,
    ("post", "/people/{person_id}/appointments"): _appointment,
    ("post", "/people/{person_id}/disqualification"): _disqualification,
    ("post", "/draws"): _draw,
    ("post", "/draws/{draw_id}/pool/freeze"): _freeze,
    ("post", "/draws/{draw_id}/reveal"): _reveal,
    ("post", "/imports/units"): _import_units,
    ("post", "/imports/enrolments"): _import_enrolments,
    ("post", "/imports/representatives"): _import_representatives,
}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with Cluster(in_memory(), ["registry"]) as cluster:
        yield World(cluster)


def test_every_write_route_is_in_the_table_and_takes_the_key(world: World) -> None:
    spec = world.cluster["registry"].get("/openapi.json").json()
    writes: dict[tuple[str, str], dict[str, Any]] = {
        (method, path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in WRITES and not KERNEL_TAGS & set(operation.get("tags", []))
    }
    assert set(writes) == set(CASES), "add a row to CASES for each registry write route"
    unkeyed = [
        f"{method.upper()} {path}"
        for (method, path), operation in writes.items()
        if not any(
            p["in"] == "header" and p["name"].lower() == "idempotency-key"
            for p in operation.get("parameters", [])
        )
    ]
    assert unkeyed == [], "take `idempotency_key: IdempotencyKey = None` and pass it on"


def _answer(response: httpx.Response) -> Any:
    body = response.json()
    if isinstance(body, dict) and "api_key" in body:
        # A key is shown once: the retry names the same principal without it.
        return body | {"api_key": None, "api_key_shown": None, "note": None}
    return body


@pytest.mark.parametrize("route", list(CASES), ids=[f"{m} {p}" for m, p in CASES])
def test_a_keyed_retry_gets_the_first_answer(world: World, route: tuple[str, str]) -> None:
    call, other = CASES[route](world)
    key = f"retry-{world.n()}"
    first = call.send(world.cluster, key)
    assert first.status_code in (200, 201), first.text
    head = world.cluster.head("registry")
    again = call.send(world.cluster, key)
    assert (again.status_code, _answer(again)) == (first.status_code, _answer(first))
    assert world.cluster.head("registry") == head, "a retry changes nothing"
    refused = other.send(world.cluster, key)
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"][0]["field"] == "Idempotency-Key"
    assert world.cluster.head("registry") == head


def test_a_retried_training_is_recorded_once(world: World) -> None:
    person = world.person()
    body = {"held_on": "2026-01-05", "topic": "评议纪律", "hours": "2"}
    first, again = (
        Call(f"/people/{person}/trainings", body).send(world.cluster, "training-1")
        for _ in range(2)
    )
    assert again.json() == first.json()
    read = world.cluster["registry"].get(f"/people/{person}", headers=ADMIN).json()
    assert len(read["trainings"]) == 1


def test_a_retried_withdrawal_answers_as_the_first_time(world: World) -> None:
    campaign, unit = world.enrolled()
    call = Call(f"/campaigns/{campaign}/enrolments/{unit}/withdrawal", {"reason": "机构改革"})
    first = call.send(world.cluster, "withdrawal-1")
    again = call.send(world.cluster, "withdrawal-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    unkeyed = call.send(world.cluster, None)  # without a key it is a second withdrawal
    assert (unkeyed.status_code, unkeyed.json()["error"]) == (409, "enrolment_conflict")
