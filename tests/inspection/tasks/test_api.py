"""Supervised tasks (督办) over HTTP, in memory mode: who may do what, the unit key seeing
only the tasks it reports for, monthly reports once a month, milestones, overdue in the
detail and the list, completion and accountability."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.inspection.workdays import china_today
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.test_unit_keys import _legacy_unit_key


def today_text() -> str:
    """Asked for when a test runs, not when the module is collected (a run may cross midnight
    in Beijing)."""
    return china_today().isoformat()


def this_month() -> str:
    return today_text()[:7]


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _setup(cluster: Cluster) -> dict[str, Any]:
    registry = cluster["registry"]
    city = _post(registry, "/jurisdictions", {"name": "大庆市", "level": "city"})
    city_id = city["jurisdiction_id"]
    county = _post(
        registry, "/jurisdictions", {"name": "萨尔图区", "level": "district", "parent_id": city_id}
    )["jurisdiction_id"]
    sibling = _post(
        registry, "/jurisdictions", {"name": "让胡路区", "level": "district", "parent_id": city_id}
    )["jurisdiction_id"]
    units = {
        name: _post(
            registry,
            "/units",
            {
                "jurisdiction_id": county,
                "name": name,
                "kind": "government_department",
                "category": "政府部门及其它机构",
            },
        )["unit_id"]
        for name in ("萨尔图区住建局", "萨尔图区民政局")
    }
    unit = units["萨尔图区住建局"]
    keys: dict[str, dict[str, str]] = {}
    ids: dict[str, str] = {}
    for name, role, jurisdiction in [
        ("萨尔图区纠风办", "office", county),
        ("大庆市督察办", "office", city_id),
        ("让胡路区纠风办", "office", sibling),
        ("审计组", "auditor", None),
        ("督查员", "inspector", county),
        ("萨尔图区住建局", "unit", county),
        ("萨尔图区民政局", "unit", county),
    ]:
        body = {"name": name, "role": role, "jurisdiction_id": jurisdiction}
        if role == "unit":
            body["unit_id"] = units[name]
        issued = _post(registry, "/principals", body)
        keys[name] = {"X-API-Key": issued["api_key"]}
        ids[name] = issued["principal_id"]
    cluster.wait_caught_up("inspection", "registry")
    return {"unit": unit, "keys": keys, "ids": ids, "sibling": sibling}


@pytest.fixture
def world(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster, _setup(cluster)


def _task(ctx: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "title": "四级便民服务网络建设",
        "kind": "key_project",
        "unit_id": ctx["unit"],
        "due_on": "2099-12-31",
        "milestones": [{"name": "选址", "due_on": "2099-06-30"}],
        "methods": ["跟踪", "实地督办"],
        "reporter_id": ctx["ids"]["萨尔图区住建局"],
    } | overrides


def _error(response: Any) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"][0]["field"]


def test_a_task_from_assignment_to_accountability(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office, unit_key = keys["萨尔图区纠风办"], keys["萨尔图区住建局"]

    response = client.post(
        "/tasks", json=_task(ctx), headers=office | {"Idempotency-Key": "task-1"}
    )
    assert response.status_code == 201, response.text
    task = response.json()
    assert (task["status"], task["overdue"], task["next_due_on"]) == (
        "started",
        False,
        "2099-06-30",
    )
    assert task["created_by"].startswith("office:")
    again = client.post("/tasks", json=_task(ctx), headers=office | {"Idempotency-Key": "task-1"})
    assert again.json() == task
    base = f"/tasks/{task['task_id']}"

    report = {"month": this_month(), "progress": "已完成三个社区选址", "difficulties": "用房未落实"}
    assert client.post(f"{base}/reports", json=report, headers=office).status_code == 403
    reported = client.post(f"{base}/reports", json=report, headers=unit_key)
    assert reported.status_code == 201, reported.text
    assert reported.json()["status"] == "in_progress"
    twice = client.post(f"{base}/reports", json=report | {"progress": "再报"}, headers=unit_key)
    assert _error(twice) == (409, "month")
    bad_month = client.post(f"{base}/reports", json=report | {"month": "2026-13"}, headers=unit_key)
    assert bad_month.status_code == 422
    corrected = client.post(
        f"{base}/reports/{this_month()}/corrections",
        json={"progress": "已完成四个社区选址", "difficulties": "用房未落实", "reason": "数字有误"},
        headers=unit_key,
    )
    assert corrected.status_code == 201, corrected.text
    [month] = corrected.json()["reports"]
    assert month["progress"] == "已完成四个社区选址"
    assert month["corrections"][0]["progress"] == "已完成三个社区选址"

    supervision = {"method": "实地督办", "supervised_on": today_text(), "note": "到现场查看"}
    assert client.post(f"{base}/supervision", json=supervision, headers=unit_key).status_code == 403
    supervised = client.post(f"{base}/supervision", json=supervision, headers=office)
    assert supervised.json()["supervision"][0]["method"] == "实地督办"

    reached = {"reached_on": "2026-06-28", "note": "选址完成"}
    by_unit = client.post(f"{base}/milestones/0/reached", json=reached, headers=unit_key)
    assert by_unit.json()["milestones"][0]["reported_on"] == "2026-06-28"
    assert by_unit.json()["milestones"][0]["confirmed_on"] is None
    # Said once: a second report is refused, the first stays as it was, note and actor shown.
    again = client.post(
        f"{base}/milestones/0/reached",
        json={"reached_on": "2026-06-29", "note": "改为29日"},
        headers=unit_key,
    )
    assert _error(again) == (409, "index") and again.json()["error"] == "milestone_reported"
    shown = client.get(base, headers=office).json()["milestones"][0]
    assert (shown["reported_on"], shown["reported_note"]) == ("2026-06-28", "选址完成")
    assert shown["reported_by"].startswith("unit:")
    by_office = client.post(f"{base}/milestones/0/reached", json=reached, headers=office)
    assert by_office.json()["milestones"][0]["confirmed_on"] == "2026-06-28"
    assert by_office.json()["milestones"][0]["confirmed_by"].startswith("office:")
    assert by_office.json()["next_due_on"] == "2099-12-31"
    missing = client.post(f"{base}/milestones/3/reached", json=reached, headers=office)
    assert _error(missing) == (404, "index")

    completion = {"completed_on": today_text(), "reason": "经实地核验，任务已全部完成"}
    assert client.post(f"{base}/completion", json=completion, headers=unit_key).status_code == 403
    done = client.post(f"{base}/completion", json=completion, headers=office)
    assert (done.json()["status"], done.json()["next_due_on"]) == ("completed", None)
    late = client.post(f"{base}/reports", json=report | {"month": "2026-12"}, headers=unit_key)
    assert _error(late) == (409, "task_id")

    account = {"person": "某局分管副局长", "measure": "诫勉谈话", "reason": "节点任务逾期"}
    assert (
        client.post(f"{base}/accountability", json=account, headers=keys["审计组"]).status_code
        == 403
    )
    held = client.post(f"{base}/accountability", json=account, headers=office)
    assert held.json()["accountability"][0]["measure"] == "诫勉谈话"
    assert held.json()["version"] == 8


def test_a_tasks_days_lie_between_its_assignment_and_today(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office, unit_key = keys["萨尔图区纠风办"], keys["萨尔图区住建局"]
    base = f"/tasks/{_post(client, '/tasks', _task(ctx))['task_id']}"
    supervision = {"method": "实地督办", "note": "x"}
    report = {"progress": "p", "difficulties": "d"}
    cases = [
        ("supervision", supervision | {"supervised_on": "2099-11-30"}, office, "supervised_on"),
        ("reports", report | {"month": "2099-05"}, unit_key, "month"),
        ("reports", report | {"month": "2019-05"}, unit_key, "month"),
        ("milestones/0/reached", {"reached_on": "2099-06-28"}, unit_key, "reached_on"),
        ("completion", {"completed_on": "2099-11-30", "reason": "完成"}, office, "completed_on"),
        ("completion", {"completed_on": "2019-11-30", "reason": "完成"}, office, "completed_on"),
    ]
    for route, body, key, field in cases:
        response = client.post(f"{base}/{route}", json=body, headers=key)
        assert response.status_code == 422, (route, body, response.text)
        found = response.json()
        assert (found["error"], found["detail"][0]["field"]) == ("invalid_task", field), body
        assert found["detail"][0]["reason"].startswith(
            (
                "不能晚于今天 (lies in the future)",
                "不能是将来的月份 (lies in the future)",
                "不能早于",
            )
        )
    task = client.get(base, headers=office).json()
    assert (task["status"], task["version"], task["reports"]) == ("started", 1, [])


def test_who_sees_a_task(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    task = client.post("/tasks", json=_task(ctx), headers=keys["萨尔图区纠风办"]).json()
    for name in ("萨尔图区住建局", "萨尔图区民政局", "督查员", "审计组"):
        assert client.post("/tasks", json=_task(ctx), headers=keys[name]).status_code == 403
    assert client.post("/tasks", json=_task(ctx), headers=keys["让胡路区纠风办"]).status_code == 403
    cluster.wait_caught_up("inspection", "inspection")
    for name in ("萨尔图区纠风办", "大庆市督察办", "审计组", "萨尔图区住建局"):
        assert client.get(f"/tasks/{task['task_id']}", headers=keys[name]).status_code == 200
        listed = client.get("/tasks", headers=keys[name]).json()
        assert [t["task_id"] for t in listed] == [task["task_id"]], name
    for name in ("让胡路区纠风办", "萨尔图区民政局"):  # answered as no task: never a 403
        assert client.get(f"/tasks/{task['task_id']}", headers=keys[name]).status_code == 404
        assert client.get("/tasks", headers=keys[name]).json() == []
    report = {"month": this_month(), "progress": "进度", "difficulties": "困难"}
    other_unit = client.post(
        f"/tasks/{task['task_id']}/reports", json=report, headers=keys["萨尔图区民政局"]
    )
    assert other_unit.status_code == 404


def test_reporter_must_be_a_unit_key(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["萨尔图区纠风办"]
    wrong = _task(ctx, reporter_id=ctx["ids"]["督查员"])
    assert _error(client.post("/tasks", json=wrong, headers=office)) == (422, "reporter_id")
    late = _task(ctx, milestones=[{"name": "选址", "due_on": "2100-01-01"}])
    assert _error(client.post("/tasks", json=late, headers=office)) == (
        422,
        "milestones.0.due_on",
    )


def test_a_legacy_reporter_is_bound_where_the_unit_is(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """A legacy unit key (naming no unit) of the sibling district is within the city
    office's jurisdiction but not where the unit is: as its reporter it would read another
    district's task, so it is refused, as on a rectification order. A key outside the
    office's jurisdiction is answered exactly as no key."""
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    _, legacy_id = _legacy_unit_key(cluster, ctx["sibling"])
    cluster.wait_caught_up("inspection", "registry")
    named = _task(ctx, reporter_id=legacy_id)
    refused = client.post("/tasks", json=named, headers=keys["大庆市督察办"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0] == {
        "field": "reporter_id",
        "reason": "该密钥未绑定在该单位所在辖区 (the key is not bound where the unit is)",
        "code": "invalid_task",
    }
    # The county's office does not see the sibling's key: answered as a key that is not there.
    outside = client.post("/tasks", json=named, headers=keys["萨尔图区纠风办"])
    nowhere = client.post(
        "/tasks", json=_task(ctx, reporter_id=str(uuid4())), headers=keys["萨尔图区纠风办"]
    )
    assert (outside.status_code, outside.json()) == (nowhere.status_code, nowhere.json())
    assert nowhere.json()["detail"][0]["reason"] == "没有这个密钥 (no such key)"


def test_overdue_in_the_detail_and_the_list(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["萨尔图区纠风办"]
    late = client.post(
        "/tasks",
        json=_task(ctx, title="三城联创", milestones=[{"name": "方案", "due_on": "2020-03-01"}]),
        headers=office,
    ).json()
    on_time = client.post("/tasks", json=_task(ctx), headers=office).json()
    # A task's own due date cannot lie in the past when assigned; a milestone's can.
    behind = _task(ctx, kind="task", milestones=[{"name": "方案", "due_on": "2020-12-31"}])
    past_due = client.post("/tasks", json=behind, headers=office).json()
    assert (late["overdue"], on_time["overdue"], past_due["overdue"]) == (True, False, True)
    cluster.wait_caught_up("inspection", "inspection")

    def listed(**params: Any) -> list[str]:
        response = client.get("/tasks", params=params, headers=office)
        assert response.status_code == 200, response.text
        return [t["task_id"] for t in response.json()]

    assert listed() == [late["task_id"], past_due["task_id"], on_time["task_id"]]
    assert listed(overdue=True) == [late["task_id"], past_due["task_id"]]
    assert listed(overdue=True, limit=1) == [late["task_id"]]
    assert listed(overdue=False) == [on_time["task_id"]]
    assert listed(kind="task") == [past_due["task_id"]]
    overdue_items = client.get("/tasks", params={"overdue": True}, headers=office).json()
    assert all(t["overdue"] for t in overdue_items)

    base = f"/tasks/{late['task_id']}"
    confirmed = client.post(
        f"{base}/milestones/0/reached", json={"reached_on": "2020-03-05"}, headers=office
    )
    assert confirmed.json()["overdue"] is False
    client.post(
        f"{base}/completion",
        json={"completed_on": today_text(), "reason": "已完成"},
        headers=office,
    )
    cluster.wait_caught_up("inspection", "inspection")
    assert listed(overdue=True) == [past_due["task_id"]]
    assert listed(status="completed") == [late["task_id"]]
    assert listed()[-1] == late["task_id"]  # completed last


def test_a_task_due_before_its_assignment_is_refused(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["萨尔图区纠风办"]
    late = client.post(
        "/tasks", json=_task(ctx, due_on="2020-12-31", milestones=[]), headers=office
    )
    assert late.status_code == 422, late.text
    assert (late.json()["error"], late.json()["detail"][0]) == (
        "invalid_task",
        {
            "field": "due_on",
            "reason": f"不能早于任务交办当天 {today_text()} "
            f"(lies before the day the task is assigned ({today_text()}))",
            "code": "invalid_task",
        },
    )
    today = client.post(
        "/tasks", json=_task(ctx, due_on=today_text(), milestones=[]), headers=office
    )
    assert (today.status_code, today.json()["overdue"]) == (201, False)


def test_a_milestone_listed_twice_is_refused(world: tuple[Cluster, dict[str, Any]]) -> None:
    """Two milestones of one name could not be told apart when one is reported reached:
    422 naming the second, and no task; one name each is taken."""
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["萨尔图区纠风办"]
    twice = [
        {"name": "选址", "due_on": "2099-06-30"},
        {"name": "建成", "due_on": "2099-09-30"},
        {"name": "选址 ", "due_on": "2099-10-31"},
    ]
    refused = client.post("/tasks", json=_task(ctx, milestones=twice), headers=office)
    assert refused.status_code == 422, refused.text
    assert (refused.json()["error"], refused.json()["detail"][0]) == (
        "invalid_task",
        {
            "field": "milestones.2.name",
            "reason": "节点重复列出, 与 milestones.0 同名 "
            "(a milestone is listed twice: the same name as milestones.0)",
            "code": "invalid_task",
        },
    )
    once = [*twice[:2], {"name": "验收", "due_on": "2099-10-31"}]
    taken = client.post("/tasks", json=_task(ctx, milestones=once), headers=office)
    assert taken.status_code == 201, taken.text
    assert [m["name"] for m in taken.json()["milestones"]] == ["选址", "建成", "验收"]


def test_supervision_by_an_unplanned_method_is_refused(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["萨尔图区纠风办"]
    base = f"/tasks/{_post(client, '/tasks', _task(ctx, methods=['跟踪']))['task_id']}"
    by_phone = {"method": "电话", "supervised_on": today_text(), "note": "电话询问"}
    refused = client.post(f"{base}/supervision", json=by_phone, headers=office)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0] == {
        "field": "method",
        "reason": "不是本任务计划的督办方式 (is not planned for this task: its methods are 跟踪)",
        "code": "invalid_task",
        "context": {"planned": ["跟踪"]},
    }
    planned = client.post(f"{base}/supervision", json=by_phone | {"method": "跟踪"}, headers=office)
    assert [s["method"] for s in planned.json()["supervision"]] == ["跟踪"]


def test_a_milestone_reached_puts_the_task_in_progress_in_the_detail_and_the_list(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office, unit_key = keys["萨尔图区纠风办"], keys["萨尔图区住建局"]
    reported = _post(client, "/tasks", _task(ctx))["task_id"]
    confirmed = _post(client, "/tasks", _task(ctx, title="三城联创"))["task_id"]
    untouched = _post(client, "/tasks", _task(ctx, title="十百千万"))["task_id"]
    reached = {"reached_on": today_text(), "note": "选址完成"}
    by_unit = client.post(f"/tasks/{reported}/milestones/0/reached", json=reached, headers=unit_key)
    assert (by_unit.status_code, by_unit.json()["status"]) == (201, "in_progress")
    by_office = client.post(
        f"/tasks/{confirmed}/milestones/0/reached", json=reached, headers=office
    )
    assert (by_office.status_code, by_office.json()["status"]) == (201, "in_progress")
    cluster.wait_caught_up("inspection", "inspection")

    def listed(status: str) -> set[str]:
        response = client.get("/tasks", params={"status": status}, headers=office)
        return {t["task_id"] for t in response.json()}

    assert listed("in_progress") == {reported, confirmed}
    assert listed("started") == {untouched}


def test_only_offices_supervise_a_task(world: tuple[Cluster, dict[str, Any]]) -> None:
    """督办 is the office's (docs/inspection.md, *Supervised tasks*): an inspector of the
    task's own county is refused with 403, the shared error body naming `X-API-Key`, and
    nothing is recorded; the office's supervision is."""
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office = keys["萨尔图区纠风办"]
    task = _post(client, "/tasks", _task(ctx))
    path = f"/tasks/{task['task_id']}/supervision"
    supervision = {"method": "实地督办", "supervised_on": today_text(), "note": "到现场查看"}
    refused = client.post(path, json=supervision, headers=keys["督查员"])
    assert _error(refused) == (403, "X-API-Key"), refused.text
    assert refused.json()["error"] == "forbidden"
    assert refused.json()["detail"][0]["reason"] == (
        "此操作需要以下角色之一: 纠风办 (this needs one of the roles office)"
    )
    assert client.get(f"/tasks/{task['task_id']}", headers=office).json()["supervision"] == []
    supervised = client.post(path, json=supervision, headers=office)
    assert supervised.status_code == 201, supervised.text


def test_a_unit_that_has_ended_is_assigned_no_task(world: tuple[Cluster, dict[str, Any]]) -> None:
    """A dissolved unit can carry out no task: refused naming `unit_id`, its successors in
    `context`; a keyed retry of a task assigned before the unit ended answers as it did."""
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["萨尔图区纠风办"]
    key = {"Idempotency-Key": "task-before-dissolution"}
    first = client.post("/tasks", json=_task(ctx), headers=office | key)
    assert first.status_code == 201, first.text
    dissolved = cluster["registry"].post(
        f"/units/{ctx['unit']}/dissolve",
        json={"reason": "机构改革撤销", "effective_on": today_text()},
        headers=ADMIN,
    )
    assert dissolved.status_code == 200, dissolved.text
    cluster.wait_caught_up("inspection", "registry")
    refused = client.post("/tasks", json=_task(ctx, title="另一项任务"), headers=office)
    assert _error(refused) == (422, "unit_id"), refused.text
    body = refused.json()
    assert body["error"] == "invalid_task"
    assert body["detail"][0]["reason"].startswith("该单位已合并、分立或撤销")
    assert body["detail"][0]["context"]["successors"] == []
    again = client.post("/tasks", json=_task(ctx), headers=office | key)
    assert (again.status_code, again.json()) == (201, first.json())
