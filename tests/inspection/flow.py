"""One course through every inspection area, spoken over HTTP so the same steps run against
services in this process (a `Cluster`) and against services started as processes: a
finding and its rectification order (issued overdue, urged, reported, verified, re-rated;
a second one issued in error and withdrawn),
a complaint (taken in, dispatched, answered, concluded, called back), an assessment score
and a veto, and a supervised task (assigned, reported on, completed). Every fact names the
campaign and round it counts toward, so the messages it publishes can be checked for them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import nats

from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import stream_name
from tests.conftest import ADMIN_KEY, NATS_URL

Send = Callable[[str, str, str, str, Any], tuple[int, Any]]
"""(service, method, path, api key, json body or None) -> (status, parsed body)."""

COMPLAINANT = {"name": "王秀英", "contact": "139 1234 8765"}

EXPECTED = [
    "inspection.finding.recorded",
    "inspection.rectification.ordered",
    "inspection.rectification.escalated",
    "inspection.rectification.reported",
    "inspection.rectification.verified",
    "inspection.rectification.rerated",
    "inspection.rectification.ordered",
    "inspection.rectification.withdrawn",
    "inspection.complaints.received",
    "inspection.complaints.dispatched",
    "inspection.complaints.replied",
    "inspection.complaints.concluded",
    "inspection.complaints.callback_recorded",
    "inspection.assessments.score_recorded",
    "inspection.assessments.veto_decided",
    "inspection.tasks.assigned",
    "inspection.tasks.report_submitted",
    "inspection.tasks.completed",
]
"""What the course publishes, in this order (and nothing for anything sealed)."""


@dataclass
class Course:
    send: Send
    ids: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    made: dict[str, dict[str, Any]] = field(default_factory=dict)

    def ok(self, service: str, method: str, path: str, key: str, body: Any = None) -> Any:
        status, answer = self.send(service, method, path, key, body)
        assert status in (200, 201), f"{method} {service}{path}: {status} {answer}"
        return answer

    def admin(self, service: str, path: str, body: Any) -> Any:
        return self.ok(service, "POST", path, ADMIN_KEY, body)


def register(course: Course) -> None:
    """漯河市 / 郾城区 with one unit, its office, a city inspector, the unit's own key, an
    auditor, and a one-round campaign of 郾城区."""
    city = course.admin("registry", "/jurisdictions", {"name": "漯河市", "level": "city"})
    county = course.admin(
        "registry",
        "/jurisdictions",
        {"name": "郾城区", "level": "district", "parent_id": city["jurisdiction_id"]},
    )
    course.ids |= {"city": city["jurisdiction_id"], "county": county["jurisdiction_id"]}
    unit = course.admin(
        "registry",
        "/units",
        {
            "jurisdiction_id": course.ids["county"],
            "name": "郾城区人社局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
    )
    course.ids["unit"] = unit["unit_id"]
    for name, role, where in [
        ("office", "office", "county"),
        ("inspector", "inspector", "city"),
        ("unit_key", "unit", "county"),
        ("auditor", "auditor", None),
    ]:
        body = {"name": f"郾城区{name}", "role": role}
        if where is not None:
            body["jurisdiction_id"] = course.ids[where]
        if role == "unit":
            body["unit_id"] = course.ids["unit"]
        issued = course.admin("registry", "/principals", body)
        course.keys[name], course.ids[name] = issued["api_key"], issued["principal_id"]
    campaign = course.admin(
        "registry",
        "/campaigns",
        {
            "jurisdiction_id": course.ids["county"],
            "name": "2026年度郾城区民主评议政风行风",
            "pattern": "民主评议政风行风",
            "cycle": {
                "length": "one_year",
                "rounds": "whole_cycle",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
            "phases": [{"name": "组织实施", "starts_on": "2026-03-01", "ends_on": "2026-10-31"}],
            "categories": ["政府部门及其它机构"],
        },
    )
    course.ids["campaign"] = campaign["campaign_id"]
    enrolment = {"unit_id": course.ids["unit"], "category": "政府部门及其它机构"}
    course.admin(
        "registry", f"/campaigns/{course.ids['campaign']}/enrolments", {"enrolments": [enrolment]}
    )


def counted(course: Course) -> dict[str, Any]:
    return {"campaign_id": course.ids["campaign"], "round": 1}


def rectify(course: Course) -> None:
    keys, unit = course.keys, course.ids["unit"]
    finding = course.ok(
        "inspection",
        "POST",
        "/findings",
        keys["inspector"],
        {
            "unit_id": unit,
            "method": "暗访",
            "summary": "窗口工作人员上班时间玩手机，群众等候二十分钟无人办理",
            "found_at": "2026-01-05T10:30:00+08:00",
        },
    )
    order = course.ok(
        "inspection",
        "POST",
        "/rectifications",
        keys["inspector"],
        {
            "unit_id": unit,
            "finding_ids": [finding["finding_id"]],
            "working_days": 5,
            "requirements": "限期整改并书面报告整改情况",
            "issued_on": "2026-01-06",
            "unit_principal_id": course.ids["unit_key"],
        }
        | counted(course),
    )
    assert order["overdue"] is True
    path = f"/rectifications/{order['order_id']}"
    course.ok(
        "inspection",
        "POST",
        f"{path}/escalation",
        keys["office"],
        {"step": "催办", "reason": "逾期未报送整改情况"},
    )
    course.ok(
        "inspection",
        "POST",
        f"{path}/report",
        keys["unit_key"],
        {"text": "已对相关人员批评教育，制定窗口纪律管理办法"},
    )
    course.ok(
        "inspection",
        "POST",
        f"{path}/verification",
        keys["inspector"],
        {"outcome": "accepted", "reason": "整改到位"},
    )
    course.made["order"] = course.ok(
        "inspection",
        "POST",
        f"{path}/rerating",
        keys["office"],
        {"rating": "基本满意", "raters": "投诉人", "reason": "电话回访"},
    )
    course.made["finding"] = finding
    mistaken = course.ok(
        "inspection",
        "POST",
        "/rectifications",
        keys["inspector"],
        {
            "unit_id": unit,
            "finding_ids": [finding["finding_id"]],
            "working_days": 5,
            "requirements": "限期整改",
        }
        | counted(course),
    )
    course.made["withdrawn"] = course.ok(
        "inspection",
        "POST",
        f"/rectifications/{mistaken['order_id']}/withdrawal",
        keys["inspector"],
        {"reason": "重复下发，通知书误发"},
    )


def complain(course: Course) -> None:
    keys = course.keys
    complaint = course.ok(
        "inspection",
        "POST",
        "/complaints",
        keys["office"],
        {
            "jurisdiction_id": course.ids["county"],
            "channel": "政风行风热线",
            "kind": "complaint",
            "summary": "办理社保转移窗口推诿，三次往返未办结",
            # A day of the round it is counted toward (the campaign's year), whatever today is.
            "received_on": "2026-05-12",
            "complainant": COMPLAINANT,
        }
        | counted(course),
    )
    path = f"/complaints/{complaint['complaint_id']}"
    course.ok(
        "inspection", "POST", f"{path}/dispatch", keys["office"], {"unit_id": course.ids["unit"]}
    )
    course.ok("inspection", "POST", f"{path}/reply", keys["unit_key"], {"reply": "已当日办结"})
    course.ok(
        "inspection",
        "POST",
        f"{path}/outcome",
        keys["inspector"],
        {"outcome": "verified", "reason": "经调取监控核实属实"},
    )
    course.made["complaint"] = course.ok(
        "inspection", "POST", f"{path}/callback", keys["office"], {"satisfaction": "不满意"}
    )


def assess(course: Course) -> None:
    office = course.keys["office"]
    unit = course.ids["unit"]
    course.made["score"] = course.ok(
        "inspection",
        "POST",
        "/assessment-scores",
        office,
        {
            "unit_id": unit,
            "component_code": "daily_work",
            "component_name": "日常工作",
            "score": "17.5",
            "maximum": "20",
            "assessor": "区评议考核组",
            "basis": "查阅日常工作台账，按考核细则逐项评分",
            "evidence": [],
            "reason": "年终集中评议考核",
        }
        | counted(course),
    )
    course.made["veto"] = course.ok(
        "inspection",
        "POST",
        "/vetoes",
        office,
        {
            "unit_id": unit,
            "basis": "发生重大安全责任事故，依照评议办法一票否决",
            "authority": "区纪委监委",
            "decided_on": "2026-11-20",
        }
        | counted(course),
    )


def supervise(course: Course, today: str) -> None:
    office, unit_key = course.keys["office"], course.keys["unit_key"]
    task = course.ok(
        "inspection",
        "POST",
        "/tasks",
        office,
        {
            "title": "四级便民服务网络建设",
            "kind": "key_project",
            "unit_id": course.ids["unit"],
            "due_on": "2099-12-31",
            "milestones": [],
            "methods": ["跟踪"],
            "reporter_id": course.ids["unit_key"],
        }
        | counted(course),
    )
    path = f"/tasks/{task['task_id']}"
    course.ok(
        "inspection",
        "POST",
        f"{path}/reports",
        unit_key,
        {"month": today[:7], "progress": "已完成三个社区选址", "difficulties": "用房未落实"},
    )
    course.made["task"] = course.ok(
        "inspection",
        "POST",
        f"{path}/completion",
        office,
        {"completed_on": today, "reason": "经实地核验，任务已全部完成"},
    )


def run(course: Course, today: str) -> None:
    rectify(course)
    complain(course)
    assess(course)
    supervise(course, today)


def check_views(course: Course) -> None:
    """What the areas' lists show once inspection has applied its own stream."""
    office, unit = course.keys["office"], course.ids["unit"]

    def listed(path: str, key: str = office) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = course.ok("inspection", "GET", path, key)
        return answer

    [order] = listed("/rectifications?status=accepted")
    assert (order["rating"], order["escalation"]) == ("基本满意", "催办")
    [withdrawn] = listed("/rectifications?status=withdrawn")
    assert withdrawn["order_id"] == course.made["withdrawn"]["order_id"]
    assert withdrawn["withdrawn_reason"] == "重复下发，通知书误发"
    [complaint] = listed(f"/complaints?unit_id={unit}", course.keys["unit_key"])
    assert complaint["status"] == "closed" and "complainant" not in complaint
    [score] = listed(f"/assessment-scores?campaign_id={course.ids['campaign']}")
    assert score["score"] == "17.5"
    assert [v["veto_id"] for v in listed("/vetoes")] == [course.made["veto"]["veto_id"]]
    [task] = listed("/tasks?status=completed", course.keys["auditor"])
    assert task["task_id"] == course.made["task"]["task_id"]


def check_messages(course: Course, messages: list[IntegrationMessage]) -> None:
    assert [m.event_type for m in messages] == EXPECTED
    assert messages[0].previous_position is None
    for before, after in pairwise(messages):
        assert after.previous_position == before.position
        assert after.origin == "inspection"
    unit = course.ids["unit"]
    for message in messages[1:]:  # the areas' facts say what they count toward
        payload = message.payload
        # A complaint taken in without naming a unit names it when dispatched.
        named = None if message.event_type == "inspection.complaints.received" else unit
        assert (payload["unit_id"], payload["campaign_id"], payload["round"]) == (
            named,
            course.ids["campaign"],
            1,
        ), message.event_type
    for message in messages:  # a complainant never leaves inspection
        encoded = message.encode().decode("utf-8")
        # The whole number, spaced or not: a fragment of it can turn up in a
        # random id or digest, which once failed this test by chance.
        digits = COMPLAINANT["contact"].replace(" ", "")
        assert COMPLAINANT["name"] not in encoded
        assert COMPLAINANT["contact"] not in encoded and digits not in encoded
    by_type = {m.event_type: m.payload for m in messages}
    verified = by_type["inspection.rectification.verified"]
    assert (verified["outcome"], verified["status"]) == ("accepted", "accepted")
    assert by_type["inspection.rectification.escalated"]["step"] == "催办"
    assert by_type["inspection.rectification.rerated"]["rating"] == "基本满意"
    versions = {m.event_type: m.schema_version for m in messages}
    assert versions["inspection.rectification.withdrawn"] == 1
    withdrawn = by_type["inspection.rectification.withdrawn"]
    assert (withdrawn["order_id"], withdrawn["withdrawn_from"], withdrawn["reason"]) == (
        course.made["withdrawn"]["order_id"],
        "issued",
        "重复下发，通知书误发",
    )
    assert by_type["inspection.complaints.concluded"]["outcome"] == "verified"
    assert by_type["inspection.complaints.callback_recorded"]["satisfaction"] == "不满意"
    score = by_type["inspection.assessments.score_recorded"]
    assert (score["score"], score["maximum"], score["component_code"]) == (
        "17.5",
        "20",
        "daily_work",
    )
    assert by_type["inspection.assessments.veto_decided"]["authority"] == "区纪委监委"
    assert by_type["inspection.tasks.completed"]["version"] == course.made["task"]["version"]


async def _stream(namespace: str) -> list[IntegrationMessage]:
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        name = stream_name(namespace, "inspection")
        info = await js.stream_info(name)
        if not info.state.messages:
            return []
        found = []
        for seq in range(int(info.state.first_seq), int(info.state.last_seq) + 1):
            raw = await js.get_msg(name, seq)
            message = IntegrationMessage.decode(raw.data or b"")
            assert raw.subject == message.subject(namespace)  # <namespace>.<event type>
            found.append(message)
        return found
    finally:
        await nc.close()


def published(namespace: str, head: int, timeout: float = 60.0) -> list[IntegrationMessage]:
    """Inspection's stream once the relay has published up to `head` (its log's last
    position), in stream order."""
    deadline = time.monotonic() + timeout
    while True:
        messages = asyncio.run(_stream(namespace))
        if messages and messages[-1].position >= head:
            return messages
        if time.monotonic() > deadline:
            last = messages[-1].position if messages else None
            raise TimeoutError(f"inspection relay: published {last}, waiting for {head}")
        time.sleep(0.1)
