"""Every inspection write retried with its Idempotency-Key (memory mode): the same key with
the same body answers the first result (the same status and body, byte for byte) and
stores nothing new; the same key with another body is 409 naming `Idempotency-Key`
(`shared.idempotency`), and stores nothing either.

The routes are read from the app itself: a write route added without a case here fails
`test_every_write_route_has_a_case`, unless it is listed in `WITHOUT_KEY` with the reason
it takes no Idempotency-Key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.inspection.workdays import china_today
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.inspection.counties import (
    PNG,
    County,
    complaint,
    complaint_body,
    counted,
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

WITHOUT_KEY = {
    "POST /evidence": "an upload is its own key: the file is stored under its SHA-256, so "
    "the same bytes sent again are stored once and answered alike (the same uploader "
    "recorded once), and other bytes are another file, never a conflict",
    "POST /operations/consumers/{consumer}/{upstream}/skips": "the kernel's (shared/"
    "operations_api.py), not inspection's: an admin's decision, refused as 409 when one for "
    "that message is already recorded",
}


@dataclass(frozen=True)
class World:
    cluster: Cluster
    mine: County
    second_unit: str
    """Another unit of 漯河市, enrolled in its campaign (a dispatch elsewhere, a veto of
    its own, so that no case takes another's one place)."""
    person: str
    """A representative the registry registered in 漯河市 (a violation names one)."""

    @property
    def client(self) -> TestClient:
        return self.cluster["inspection"]

    def head(self) -> int | None:
        """The last position of inspection's event store: what a write would move."""
        application = self.client.app.state.runtime.application  # type: ignore[attr-defined]
        head: int | None = application.recorder.max_notification_id()
        return head


@dataclass(frozen=True)
class Call:
    path: str
    role: str
    body: dict[str, Any]
    other: dict[str, Any]
    """Another valid body for the same route and target."""


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with Cluster(in_memory(), ["registry", "inspection"]) as cluster:
        mine, _ = two_counties(cluster)
        registry = cluster["registry"]
        second = created(
            registry,
            "/units",
            {
                "jurisdiction_id": mine.jurisdiction,
                "name": "漯河市民政局",
                "kind": "government_department",
                "category": "政府部门及其它机构",
            },
        )["unit_id"]
        enrolment = {"unit_id": second, "category": "政府部门及其它机构"}
        created(registry, f"/campaigns/{mine.campaign}/enrolments", {"enrolments": [enrolment]})
        person = {"jurisdiction_id": mine.jurisdiction, "name": "张伟", "sector": "其他"}
        person_id = created(registry, "/people", person)["person_id"]
        cluster.wait_caught_up("inspection", "registry")
        yield World(cluster, mine, second, person_id)


def _days_ago(days: int) -> str:
    return (china_today() - timedelta(days=days)).isoformat()


def _reported_order(w: World) -> str:
    order_id = order(w.client, w.mine)
    created(w.client, f"/rectifications/{order_id}/report", {"text": "已整改"}, w.mine.keys["unit"])
    return order_id


def _accepted_order(w: World) -> str:
    order_id = _reported_order(w)
    verdict = {"outcome": "accepted", "reason": "整改到位"}
    created(w.client, f"/rectifications/{order_id}/verification", verdict, w.mine.keys["office"])
    return order_id


def _overdue_order(w: World) -> str:
    found = finding(w.client, w.mine, found_at=f"{_days_ago(40)}T10:00:00+08:00")
    body = order_body(w.mine, found, issued_on=_days_ago(30), working_days=1)
    order_id: str = created(w.client, "/rectifications", body, w.mine.keys["office"])["order_id"]
    return order_id


def _concluded_complaint(w: World) -> str:
    """Concluded, and named (an anonymous complainant cannot be called back)."""
    complaint_id = complaint(
        w.client, w.mine, complainant={"name": "李娜", "contact": "13800005678"}
    )
    path = f"/complaints/{complaint_id}"
    created(w.client, f"{path}/reply", {"reply": "已当日办结"}, w.mine.keys["unit"])
    outcome = {"outcome": "verified", "reason": "经调取监控核实属实"}
    created(w.client, f"{path}/outcome", outcome, w.mine.keys["inspector"])
    return complaint_id


def _score(w: World) -> str:
    body = score_body(w.mine, code=f"c{uuid4().hex[:8]}")
    score_id: str = created(w.client, "/assessment-scores", body, w.mine.keys["office"])["score_id"]
    return score_id


def _reported_task(w: World) -> str:
    task_id = task(w.client, w.mine)
    report = {"month": today()[:7], "progress": "已完成三个社区选址", "difficulties": "用房未落实"}
    created(w.client, f"/tasks/{task_id}/reports", report, w.mine.keys["unit"])
    return task_id


def _reasons(path: str, role: str, **body: Any) -> Call:
    """A call whose other body gives another reason."""
    return Call(path, role, body | {"reason": "第一次的理由"}, body | {"reason": "另一个理由"})


CASES: dict[str, Callable[[World], Call]] = {
    "POST /findings": lambda w: Call(
        "/findings",
        "inspector",
        finding_body(w.mine, summary="窗口无人值守 🙅 二十分钟"),
        finding_body(w.mine, summary="窗口无人值守三十分钟"),
    ),
    "POST /findings/{finding_id}/corrections": lambda w: _reasons(
        f"/findings/{finding(w.client, w.mine)}/corrections", "inspector", summary="更正后的描述"
    ),
    "POST /findings/{finding_id}/withdrawal": lambda w: _reasons(
        f"/findings/{finding(w.client, w.mine)}/withdrawal", "inspector"
    ),
    "POST /findings/{finding_id}/evidence": lambda w: Call(
        f"/findings/{finding(w.client, w.mine)}/evidence",
        "inspector",
        {"evidence": [upload(w.client, w.mine, PNG + uuid4().bytes)]},
        {"evidence": [upload(w.client, w.mine, PNG + uuid4().bytes)]},
    ),
    "POST /visits": lambda w: Call(
        "/visits",
        "office",
        {
            "unit_id": w.mine.unit,
            "kind": "暗访",
            "planned_on": today(),
            "inspectors": [w.mine.ids["inspector"]],
            "checklist": ["工作纪律"],
        },
        {
            "unit_id": w.mine.unit,
            "kind": "暗访",
            "planned_on": today(),
            "inspectors": [w.mine.ids["inspector"]],
            "checklist": ["服务态度"],
        },
    ),
    "POST /visits/{visit_id}/conduct": lambda w: Call(
        f"/visits/{visit(w.client, w.mine, conducted=False)}/conduct",
        "inspector",
        {"conducted_at": f"{today()}T00:01:00+08:00"},
        {"conducted_at": f"{today()}T00:02:00+08:00"},
    ),
    "POST /visits/{visit_id}/cancellation": lambda w: _reasons(
        f"/visits/{visit(w.client, w.mine, conducted=False)}/cancellation", "office"
    ),
    "POST /rectifications": lambda w: (
        lambda found: Call(
            "/rectifications",
            "office",
            order_body(w.mine, found),
            order_body(w.mine, found, requirements="另一份整改要求"),
        )
    )(finding(w.client, w.mine)),
    "POST /rectifications/{order_id}/report": lambda w: Call(
        f"/rectifications/{order(w.client, w.mine)}/report",
        "unit",
        {"text": "已对相关人员批评教育"},
        {"text": "已制定窗口纪律管理办法"},
    ),
    "POST /rectifications/{order_id}/verification": lambda w: _reasons(
        f"/rectifications/{_reported_order(w)}/verification", "inspector", outcome="accepted"
    ),
    "POST /rectifications/{order_id}/escalation": lambda w: _reasons(
        f"/rectifications/{_overdue_order(w)}/escalation", "office", step="催办"
    ),
    "POST /rectifications/{order_id}/rerating": lambda w: _reasons(
        f"/rectifications/{_accepted_order(w)}/rerating", "office", rating="满意", raters="投诉人"
    ),
    "POST /rectifications/{order_id}/withdrawal": lambda w: _reasons(
        f"/rectifications/{order(w.client, w.mine)}/withdrawal", "inspector"
    ),
    "POST /complaints": lambda w: Call(
        "/complaints",
        "office",
        complaint_body(w.mine, complainant={"name": "王秀英", "contact": "139 1234 8765"}),
        complaint_body(w.mine, complainant={"name": "王秀英", "contact": "139 1234 8766"}),
    ),
    "POST /complaints/{complaint_id}/dispatch": lambda w: Call(
        f"/complaints/{complaint(w.client, w.mine, dispatched=False)}/dispatch",
        "office",
        {"unit_id": w.mine.unit},
        {"unit_id": w.second_unit},
    ),
    "POST /complaints/{complaint_id}/reply": lambda w: Call(
        f"/complaints/{complaint(w.client, w.mine)}/reply",
        "unit",
        {"reply": "已约谈窗口负责人"},
        {"reply": "已当日为群众办结"},
    ),
    "POST /complaints/{complaint_id}/outcome": lambda w: (
        lambda complaint_id: _reasons(
            f"/complaints/{complaint_id}/outcome", "inspector", outcome="verified"
        )
    )(complaint(w.client, w.mine)),
    "POST /complaints/{complaint_id}/outcome/corrections": lambda w: _reasons(
        f"/complaints/{_concluded_complaint(w)}/outcome/corrections",
        "inspector",
        outcome="partly_verified",
    ),
    "POST /complaints/{complaint_id}/callback": lambda w: Call(
        f"/complaints/{_concluded_complaint(w)}/callback",
        "office",
        {"satisfaction": "满意"},
        {"satisfaction": "不满意"},
    ),
    "POST /hotline-appearances": lambda w: Call(
        "/hotline-appearances",
        "office",
        {"unit_id": w.mine.unit, "appeared_on": today(), "topic": "社保服务专场"},
        {"unit_id": w.mine.unit, "appeared_on": today(), "topic": "医保服务专场"},
    ),
    "POST /assessment-scores": lambda w: (
        lambda code: Call(
            "/assessment-scores",
            "office",
            score_body(w.mine, code=code),
            score_body(w.mine, code=code, score="16"),
        )
    )(f"c{uuid4().hex[:8]}"),
    "POST /assessment-scores/{score_id}/corrections": lambda w: Call(
        f"/assessment-scores/{_score(w)}/corrections",
        "office",
        {"score": "16", "reason": "复核发现台账缺少整改记录"},
        {"score": "15", "reason": "复核发现台账缺少整改记录"},
    ),
    "POST /assessment-scores/{score_id}/withdrawal": lambda w: _reasons(
        f"/assessment-scores/{_score(w)}/withdrawal", "office"
    ),
    "POST /vetoes": lambda w: Call(
        "/vetoes",
        "office",
        veto_body(w.mine, unit_id=w.second_unit),
        veto_body(w.mine, unit_id=w.second_unit, authority="市纪委监委"),
    ),
    "POST /vetoes/{veto_id}/revocation": lambda w: _reasons(
        "/vetoes/{}/revocation".format(
            created(w.client, "/vetoes", veto_body(w.mine), w.mine.keys["office"])["veto_id"]
        ),
        "office",
    ),
    "POST /cancellations": lambda w: Call(
        "/cancellations",
        "office",
        counted(w.mine) | {"reason": "组织人员代填问卷", "decided_by": "市纠风办"},
        counted(w.mine) | {"reason": "组织人员代填问卷", "decided_by": "市评议办"},
    ),
    "POST /representative-violations": lambda w: (
        lambda person: Call(
            "/representative-violations",
            "office",
            {
                "person_id": person,
                "jurisdiction_id": w.mine.jurisdiction,
                "campaign_id": w.mine.campaign,
                "description": "评议代表收受被评单位礼品",
            },
            {
                "person_id": person,
                "jurisdiction_id": w.mine.jurisdiction,
                "campaign_id": w.mine.campaign,
                "description": "评议代表泄露评议情况",
            },
        )
    )(w.person),
    "POST /tasks": lambda w: Call(
        "/tasks", "office", task_body(w.mine), task_body(w.mine, title="三城联创")
    ),
    "POST /tasks/{task_id}/supervision": lambda w: Call(
        f"/tasks/{task(w.client, w.mine)}/supervision",
        "office",
        {"method": "跟踪", "supervised_on": today(), "note": "电话了解选址进度"},
        {"method": "跟踪", "supervised_on": today(), "note": "到现场查看选址进度"},
    ),
    "POST /tasks/{task_id}/reports": lambda w: Call(
        f"/tasks/{task(w.client, w.mine)}/reports",
        "unit",
        {"month": today()[:7], "progress": "已完成三个社区选址", "difficulties": "无"},
        {"month": today()[:7], "progress": "已完成四个社区选址", "difficulties": "无"},
    ),
    "POST /tasks/{task_id}/reports/{month}/corrections": lambda w: _reasons(
        f"/tasks/{_reported_task(w)}/reports/{today()[:7]}/corrections",
        "unit",
        progress="已完成五个社区选址",
        difficulties="无",
    ),
    "POST /tasks/{task_id}/milestones/{index}/reached": lambda w: Call(
        f"/tasks/{task(w.client, w.mine)}/milestones/0/reached",
        "unit",
        {"reached_on": today(), "note": "选址已全部完成"},
        {"reached_on": today(), "note": "选址已完成，待验收"},
    ),
    "POST /tasks/{task_id}/completion": lambda w: _reasons(
        f"/tasks/{task(w.client, w.mine)}/completion", "office", completed_on=today()
    ),
    "POST /tasks/{task_id}/accountability": lambda w: _reasons(
        f"/tasks/{task(w.client, w.mine)}/accountability",
        "office",
        person="某局分管副局长",
        measure="诫勉谈话",
    ),
}


def test_every_write_route_has_a_case(world: World) -> None:
    writes = {
        f"{method.upper()} {path}"
        for path, operations in world.client.get("/openapi.json").json()["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    assert set(WITHOUT_KEY) <= writes, set(WITHOUT_KEY) - writes
    assert set(CASES) == writes - set(WITHOUT_KEY)


@pytest.mark.parametrize("route", sorted(CASES))
def test_a_retry_with_the_key_answers_the_first_result(world: World, route: str) -> None:
    call = CASES[route](world)
    method = route.split(" ", 1)[0]
    keyed = world.mine.keys[call.role] | {"Idempotency-Key": f"retry-{uuid4()}"}

    first = world.client.request(method, call.path, json=call.body, headers=keyed)
    assert first.status_code == 201, first.text
    head = world.head()

    again = world.client.request(method, call.path, json=call.body, headers=keyed)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert world.head() == head, "a retry stored something"

    other = world.client.request(method, call.path, json=call.other, headers=keyed)
    assert other.status_code == 409, other.text
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    assert world.head() == head, "a refused retry stored something"


def test_an_upload_sent_twice_is_one_file(world: World) -> None:
    """`POST /evidence` takes no key (see WITHOUT_KEY): the same bytes again answer alike
    and store nothing new."""
    content = PNG + uuid4().bytes
    headers = world.mine.keys["inspector"] | {"Content-Type": "image/png"}
    first = world.client.post("/evidence", content=content, headers=headers)
    assert first.status_code == 201, first.text
    head = world.head()
    again = world.client.post("/evidence", content=content, headers=headers)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert world.head() == head
