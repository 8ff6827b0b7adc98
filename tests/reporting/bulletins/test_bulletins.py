"""每周一报 and 每月双报 from inspection's supervised-task facts, behind the real registry and
inspection services (memory mode), read over HTTP from reporting.

The county's three tasks, all assigned today (the day inspection recorded the first, in China:
the story's dates follow it, so a run that crosses midnight in Beijing still tells one story):
  T1 住建局: milestone 选址 due 2026-01-31, confirmed reached 2026-01-30 (on time); this
     month's reports submitted, then corrected; 实地督办 today.
  T2 民政局: milestone 方案 due 2026-02-28, never reached: overdue; no report this month.
  T3 交通局: milestone 验收 due 2099-06-30: nothing due, so not ranked.
A task of the neighbouring district never shows. Standings: 住建局 100.00 % on time (进度最好),
民政局 0.00 % with one overdue task (末位)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster

CHINA = ZoneInfo("Asia/Shanghai")


def china_today() -> date:
    return datetime.now(CHINA).date()


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _post(client: TestClient, path: str, body: dict[str, Any], headers: Any = None) -> Any:
    response = client.post(path, json=body, headers=headers or ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(in_memory(), ["registry", "inspection", "reporting"]) as cluster:
        yield cluster, task_story(cluster)


def task_story(cluster: Cluster) -> dict[str, Any]:
    registry, inspection = cluster["registry"], cluster["inspection"]
    city = _post(registry, "/jurisdictions", {"name": "大庆市", "level": "city"})["jurisdiction_id"]
    county, sibling = (
        _post(registry, "/jurisdictions", {"name": n, "level": "district", "parent_id": city})[
            "jurisdiction_id"
        ]
        for n in ("萨尔图区", "让胡路区")
    )
    units = {}
    for name, where in [
        ("萨尔图区住建局", county),
        ("萨尔图区民政局", county),
        ("萨尔图区交通局", county),
        ("让胡路区住建局", sibling),
    ]:
        body = {
            "jurisdiction_id": where,
            "name": name,
            "kind": "government_department",
            "category": "政府部门及其它机构",
        }
        units[name] = _post(registry, "/units", body)["unit_id"]
    keys, ids = {}, {}
    for name, role, where in [
        ("萨尔图区纠风办", "office", county),
        ("大庆市督察办", "office", city),
        ("让胡路区纠风办", "office", sibling),
        ("萨尔图区住建局", "unit", county),
    ]:
        body = {"name": name, "role": role, "jurisdiction_id": where}
        if role == "unit":  # a unit key names its unit
            body["unit_id"] = units[name]
        issued = _post(registry, "/principals", body)
        keys[name], ids[name] = {"X-API-Key": issued["api_key"]}, issued["principal_id"]
    cluster.wait_caught_up("inspection", "registry")
    office = keys["萨尔图区纠风办"]

    def task(unit: str, title: str, milestone: str, due: str, **more: Any) -> dict[str, Any]:
        body = {
            "title": title,
            "kind": "key_project",
            "unit_id": units[unit],
            "due_on": "2099-12-31",
            "milestones": [{"name": milestone, "due_on": due}],
            "methods": ["跟踪", "实地督办"],
        } | more
        headers = keys["让胡路区纠风办"] if unit.startswith("让胡路区") else office
        task: dict[str, Any] = _post(inspection, "/tasks", body, headers)
        return task

    first = task(
        "萨尔图区住建局",
        "四级便民服务网络建设",
        "选址",
        "2026-01-31",
        reporter_id=ids["萨尔图区住建局"],
    )
    t1, today = first["task_id"], _china_day(first["created_at"])
    month = today.strftime("%Y-%m")
    task("萨尔图区民政局", "养老服务中心改造", "方案", "2026-02-28")
    task("萨尔图区交通局", "城乡公交一体化", "验收", "2099-06-30")
    task("让胡路区住建局", "老旧小区改造", "开工", "2026-01-15")
    base = f"/tasks/{t1}"
    _post(inspection, f"{base}/milestones/0/reached", {"reached_on": "2026-01-30"}, office)
    report = {"month": month, "progress": "已完成三个社区选址", "difficulties": "用房未落实"}
    _post(inspection, f"{base}/reports", report, keys["萨尔图区住建局"])
    _post(
        inspection,
        f"{base}/reports/{month}/corrections",
        {"progress": "已完成四个社区选址", "difficulties": "用房未落实", "reason": "数字有误"},
        keys["萨尔图区住建局"],
    )
    supervision = {"method": "实地督办", "supervised_on": today.isoformat(), "note": "到现场查看"}
    _post(inspection, f"{base}/supervision", supervision, office)
    cluster.wait_caught_up("reporting", "registry")
    cluster.wait_caught_up("reporting", "inspection")
    return {
        "county": county,
        "city": city,
        "keys": keys,
        "today": today,
        "week": week_of(today),
        "month": month,
    }


def _china_day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp).astimezone(CHINA).date()


def _get(cluster: Cluster, path: str, headers: dict[str, str], **params: Any) -> Any:
    return cluster["reporting"].get(path, params=params, headers=headers)


def test_the_weekly_bulletin(world: Any) -> None:
    cluster, ctx = world
    response = _get(
        cluster,
        "/bulletins/weekly",
        ctx["keys"]["萨尔图区纠风办"],
        jurisdiction_id=ctx["county"],
        week=ctx["week"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bulletin"] == "每周一报"
    year, week, _ = ctx["today"].isocalendar()
    assert body["title"] == f"萨尔图区督办工作每周一报（{year}年第{week}周）"
    # As of the day it is read: the story's, or the next if midnight passed since.
    assert body["period"]["as_of"] in {ctx["today"].isoformat(), china_today().isoformat()}
    counts = body["counts"]
    assert (counts["tasks"], counts["assigned"], counts["reports"]) == (3, 3, 2)
    assert counts["supervised"] == {"实地督办": 1}
    assert (counts["milestones_confirmed"], counts["overdue"]) == (0, 1)
    texts = [f["text"] for f in body["facts"]]
    assert "实地督办督办：到现场查看" not in texts and "实地督办：到现场查看" in texts
    assert all(f["title"] != "老旧小区改造" for f in body["facts"])
    [overdue] = body["overdue"]
    assert (overdue["unit_name"], overdue["overdue_milestones"]) == (
        "萨尔图区民政局",
        [{"name": "方案", "due_on": "2026-02-28"}],
    )
    standings = [(r["unit_name"], r["on_time_rate"], r["overdue_tasks"]) for r in body["standings"]]
    assert standings == [("萨尔图区住建局", "100.00", 0), ("萨尔图区民政局", "0.00", 1)]
    assert [r["unit_name"] for r in body["best"]] == ["萨尔图区住建局"]
    assert [r["unit_name"] for r in body["last_place"]] == ["萨尔图区民政局"]


def test_a_past_week_shows_facts_dated_in_it(world: Any) -> None:
    cluster, ctx = world
    body = _get(
        cluster,
        "/bulletins/weekly",
        ctx["keys"]["萨尔图区纠风办"],
        jurisdiction_id=ctx["county"],
        week="2026-W05",
    ).json()
    assert body["period"] == {"from": "2026-01-26", "to": "2026-02-01", "as_of": "2026-02-01"}
    assert [f["text"] for f in body["facts"]] == ["确认节点“选址”完成"]
    # The tasks were assigned later (today), so that week knew none of them.
    assert (body["counts"]["tasks"], body["standings"]) == (0, [])


def test_the_monthly_dual_report(world: Any) -> None:
    cluster, ctx = world
    response = _get(
        cluster,
        "/bulletins/monthly",
        ctx["keys"]["大庆市督察办"],
        jurisdiction_id=ctx["county"],
        month=ctx["month"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bulletin"] == "每月双报"
    today = ctx["today"]
    assert body["title"] == f"萨尔图区督办工作每月双报（{today.year}年{today.month}月）"
    rows = {r["unit_name"]: r for r in body["reports"]}
    assert set(rows) == {"萨尔图区住建局", "萨尔图区民政局", "萨尔图区交通局"}
    housing = rows["萨尔图区住建局"]
    assert (housing["progress"], housing["difficulties"]) == ("已完成四个社区选址", "用房未落实")
    assert (housing["correction_reason"], housing["status"]) == ("数字有误", "推进中")
    assert rows["萨尔图区民政局"]["overdue"] is True
    assert rows["萨尔图区交通局"]["status"] == "已交办"
    assert sorted(r["unit_name"] for r in body["not_reported"]) == [
        "萨尔图区交通局",
        "萨尔图区民政局",
    ]
    assert [r["unit_name"] for r in body["difficulties"]] == ["萨尔图区住建局"]
    assert [r["unit_name"] for r in body["last_place"]] == ["萨尔图区民政局"]


def test_who_reads_bulletins_and_bad_periods(world: Any) -> None:
    cluster, ctx = world
    keys, county = ctx["keys"], ctx["county"]
    for name in ("让胡路区纠风办", "萨尔图区住建局"):
        refused = _get(
            cluster, "/bulletins/weekly", keys[name], jurisdiction_id=county, week=ctx["week"]
        )
        assert refused.status_code == 403, (name, refused.text)
    for path, params in [
        ("/bulletins/weekly", {"week": "2026-W60"}),
        ("/bulletins/weekly", {"week": "2026W09xx"}),
        ("/bulletins/monthly", {"month": "2026-13"}),
    ]:
        bad = _get(cluster, path, keys["萨尔图区纠风办"], jurisdiction_id=county, **params)
        assert bad.status_code == 422, bad.text
        assert bad.json()["detail"][0]["field"] == f"query.{next(iter(params))}"


def test_a_malformed_jurisdiction_is_a_bad_field_not_a_refusal(world: Any) -> None:
    """Not a UUID: the 422 naming the field, as any malformed id (it was 403 "outside your
    jurisdiction" for a county office); the office's own in capitals is its own."""
    cluster, ctx = world
    office, county, week = ctx["keys"]["萨尔图区纠风办"], ctx["county"], ctx["week"]
    for value in ("not-a-uuid", "", "1" * 40):
        bad = _get(cluster, "/bulletins/weekly", office, jurisdiction_id=value, week=week)
        assert bad.status_code == 422, (value, bad.text)
        assert bad.json()["detail"][0]["field"] == "query.jurisdiction_id"
    shouted = _get(cluster, "/bulletins/weekly", office, jurisdiction_id=county.upper(), week=week)
    assert shouted.status_code == 200, shouted.text


# The wrong length too (a month or week without its leading zero, one digit too many): the
# answer names the form, never only a count of characters.
BAD_WEEKS = (
    *("9999-W52", "9999-W53", "2025-W53", "2026-W00", "0000-W01", "２０２６-W09"),
    *("2026-W9", "2026-W021", "2026W21", "W21"),
)
BAD_MONTHS = ("2026-00", "2026-13", "0000-05", "２０２６-05", "2026-5", "2026-005", "202605")


@pytest.mark.parametrize("suffix", ["", ".html", ".pdf"])
def test_periods_at_the_edges_of_the_calendar(world: Any, suffix: str) -> None:
    # 9999-W52 ends in the year 10000; 2025 has no week 53 (2026 has); year 0 is no year;
    # full-width digits are no ISO week.
    cluster, ctx = world
    office, county = ctx["keys"]["萨尔图区纠风办"], ctx["county"]
    for kind, name, bad, good in [
        ("weekly", "week", BAD_WEEKS, ("0001-W01", "9999-W51", "2026-W53")),
        ("monthly", "month", BAD_MONTHS, ("0001-01", "9999-12")),
    ]:
        path = f"/bulletins/{kind}{suffix}"
        for value in bad:
            refused = _get(cluster, path, office, jurisdiction_id=county, **{name: value})
            assert refused.status_code == 422, (path, value, refused.text)
            assert refused.json()["error"] == "invalid_period"
            assert refused.json()["detail"][0]["field"] == f"query.{name}"
        for value in good:
            shown = _get(cluster, path, office, jurisdiction_id=county, **{name: value})
            assert shown.status_code == 200, (path, value, shown.text)
            if suffix == ".pdf":  # what curl -OJ saves it as
                named = f'filename="bulletin-{kind}-{value}.pdf"'
                assert named in shown.headers["content-disposition"]


@pytest.mark.parametrize("kind", ["weekly", "monthly", "weekly.html", "monthly.pdf"])
def test_an_unknown_jurisdiction_is_not_found_as_in_summaries(world: Any, kind: str) -> None:
    cluster, ctx = world
    period = {"week": ctx["week"]} if kind.startswith("weekly") else {"month": ctx["month"]}
    for headers in (ADMIN, cluster_auditor(cluster)):
        missing = _get(
            cluster,
            f"/bulletins/{kind}",
            headers,
            jurisdiction_id="00000000-0000-0000-0000-000000000000",
            **period,
        )
        assert missing.status_code == 404, (kind, missing.text)
        assert missing.json()["error"] == "jurisdiction_not_found"
        assert missing.json()["detail"][0]["field"] == "query.jurisdiction_id"


def cluster_auditor(cluster: Cluster) -> dict[str, str]:
    issued = _post(cluster["registry"], "/principals", {"name": "省审计", "role": "auditor"})
    cluster.wait_caught_up("reporting", "registry")
    return {"X-API-Key": issued["api_key"]}
