"""One county's world for tests that call every route: jurisdictions around 源汇区 (its city
and province above, a zone below, a sibling county), principals of every role (two unit keys:
源汇区民政局's and its neighbour 源汇区人社局's), and one resource of every scope kind inside
源汇区 (unit, campaign, person, draw, wave, finding, round run, round results…), with where each
lives and which unit it belongs to — so a test can aim any route at a real target and know,
by itself, who should be allowed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pingyi.catalog import NAMES
from services.survey.views.waves import WAVES_VIEW
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import key_for, post, unit
from tests.registry.people_helpers import COMMITMENT, appoint, office_body


@dataclass
class Caller:
    name: str
    role: str | None
    headers: dict[str, str]
    jurisdiction: str | None = None
    principal_id: str | None = None
    unit: str | None = None
    """The unit a unit key names."""


@dataclass
class Target:
    """Where a resource lives, as this test set it up."""

    value: str
    jurisdiction: str | None
    parties: dict[str, set[str]] = field(default_factory=dict)
    unit: str | None = None
    """The one unit the resource belongs to (or the unit itself)."""
    below_too: bool = False
    """Offices below its jurisdiction have it in scope as well (a template they may use)."""


@dataclass
class World:
    lineage: dict[str, list[str]]
    callers: list[Caller]
    targets: dict[str, Target]
    defaults: dict[str, str]

    def in_scope(self, caller: Caller, target: Target) -> bool:
        if caller.role in ("admin", "auditor"):
            return True
        if caller.unit is not None and target.unit is not None:
            return caller.unit == target.unit  # a unit key speaks for its unit only
        if caller.role in target.parties:
            return caller.principal_id in target.parties[caller.role]
        if target.jurisdiction is None or caller.jurisdiction is None:
            return False
        if caller.jurisdiction in self.lineage[target.jurisdiction]:
            return True
        return target.below_too and target.jurisdiction in self.lineage.get(caller.jurisdiction, [])


def _jurisdiction(cluster: Cluster, name: str, level: str, parent: str | None) -> str:
    body = {"name": name, "level": level} | ({"parent_id": parent} if parent else {})
    return str(post(cluster, "/jurisdictions", body)["jurisdiction_id"])


def _principal(
    cluster: Cluster, name: str, role: str, jurisdiction: str | None, unit_id: str | None = None
) -> Caller:
    body = (
        {"name": name, "role": role}
        | ({"jurisdiction_id": jurisdiction} if jurisdiction else {})
        | ({"unit_id": unit_id} if unit_id else {})
    )
    issued = post(cluster, "/principals", body)
    return Caller(name, role, key_for(issued), jurisdiction, issued["principal_id"], unit_id)


def _wait_all(cluster: Cluster) -> None:
    for downstream in NAMES:
        cluster.wait_caught_up(downstream, "registry")
    for downstream, upstream in (
        ("scoring", "survey"),
        ("reporting", "scoring"),
        ("reporting", "survey"),
    ):
        cluster.wait_caught_up(downstream, upstream)


def build_world(cluster: Cluster) -> World:
    province = _jurisdiction(cluster, "河南省", "province", None)
    city = _jurisdiction(cluster, "漯河市", "city", province)
    county = _jurisdiction(cluster, "源汇区", "district", city)
    child = _jurisdiction(cluster, "源汇区开发区", "zone", county)
    sibling = _jurisdiction(cluster, "郾城区", "district", city)
    lineage = {
        county: [county, city, province],
        child: [child, county, city, province],
        sibling: [sibling, city, province],
    }
    target_unit = unit(cluster, county, "源汇区民政局")["unit_id"]
    neighbour = unit(cluster, county, "源汇区人社局")["unit_id"]
    callers = [
        Caller("admin", "admin", ADMIN),
        _principal(cluster, "审计", "auditor", None),
        _principal(cluster, "源汇区纠风办", "office", county),
        _principal(cluster, "漯河市纠风办", "office", city),
        _principal(cluster, "开发区纠风办", "office", child),
        _principal(cluster, "郾城区纠风办", "office", sibling),
        _principal(cluster, "合同调查公司", "agency", county),
        _principal(cluster, "另一调查公司", "agency", county),
        _principal(cluster, "督查员", "inspector", county),
        _principal(cluster, "源汇区民政局", "unit", county, target_unit),
        _principal(cluster, "源汇区人社局", "unit", county, neighbour),
    ]
    revoked = _principal(cluster, "已吊销", "office", county)
    post(cluster, f"/principals/{revoked.principal_id}/revoke", {"reason": "离职"}, status=200)
    callers += [
        Caller("no key", None, {}),
        Caller("revoked key", None, revoked.headers),
    ]
    contracted = callers[6]
    campaign = post(
        cluster,
        "/campaigns",
        {
            "jurisdiction_id": county,
            "name": "2026年度源汇区民主评议政风行风",
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
    )["campaign_id"]
    # Inspection takes a campaign's facts only about a unit enrolled in it.
    enrolment = {"unit_id": target_unit, "category": "政府部门及其它机构"}
    post(cluster, f"/campaigns/{campaign}/enrolments", {"enrolments": [enrolment]})
    person = post(cluster, "/people", {"jurisdiction_id": county, "name": "代表", "sector": "其他"})
    appoint(cluster, person["person_id"], office_body(county))
    draw = post(
        cluster,
        "/draws",
        {"jurisdiction_id": county, "cycle": "2026-2027", "size": 1, "commitment": COMMITMENT},
    )["draw_id"]
    keyholder = _principal(cluster, "被吊销对象", "unit", county, neighbour)
    for downstream in NAMES:
        cluster.wait_caught_up(downstream, "registry")
    wave = cluster["survey"].post(
        "/waves",
        json={
            "name": "测评",
            "jurisdiction_id": county,
            "agency_id": contracted.principal_id,
            "unit_ids": [target_unit],
        },
        headers=ADMIN,
    )
    assert wave.status_code == 201, wave.text
    wave_id = wave.json()["wave_id"]
    template = cluster["survey"].post(
        "/templates",
        json={"jurisdiction_id": county, "name": "问卷模板", "scale": "four_level"},
        headers=ADMIN,
    )
    assert template.status_code == 201, template.text
    finding = cluster["inspection"].post(
        "/findings",
        json={
            "unit_id": target_unit,
            "method": "暗访",
            "summary": "窗口无人",
            "found_at": "2026-05-12T10:30:00+08:00",
        },
        headers=ADMIN,
    )
    assert finding.status_code == 201, finding.text
    # rectification: an order for the finding; the unit's keys reach it (none is named on it)
    rectification = cluster["inspection"].post(
        "/rectifications",
        json={
            "unit_id": target_unit,
            "finding_ids": [finding.json()["finding_id"]],
            "working_days": 10,
            "requirements": "限期整改",
        },
        headers=ADMIN,
    )
    assert rectification.status_code == 201, rectification.text
    # Inspection area: supervised tasks (督办), the unit's to report on.
    task = cluster["inspection"].post(
        "/tasks",
        json={
            "title": "四级便民服务网络建设",
            "kind": "key_project",
            "unit_id": target_unit,
            "due_on": "2099-12-31",
            "milestones": [{"name": "选址", "due_on": "2026-06-30"}],
            "methods": ["跟踪"],
        },
        headers=ADMIN,
    )
    assert task.status_code == 201, task.text
    # Inspection, complaints: a complaint taken in within the county and dispatched to the
    # unit (so the unit's key reads it too).
    complaint = cluster["inspection"].post(
        "/complaints",
        json={
            "jurisdiction_id": county,
            "channel": "政风行风热线",
            "kind": "complaint",
            "summary": "窗口推诿",
            "received_on": "2026-05-12",
        },
        headers=ADMIN,
    )
    assert complaint.status_code == 201, complaint.text
    complaint_id = complaint.json()["complaint_id"]
    dispatched = cluster["inspection"].post(
        f"/complaints/{complaint_id}/dispatch", json={"unit_id": target_unit}, headers=ADMIN
    )
    assert dispatched.status_code == 201, dispatched.text
    # Inspection area: assessments (an assessment-team score and a one-vote veto).
    assessment_score = cluster["inspection"].post(
        "/assessment-scores",
        json={
            "unit_id": target_unit,
            "campaign_id": campaign,
            "round": 1,
            "component_code": "organisation",
            "component_name": "组织领导与资料",
            "score": "8",
            "maximum": "10",
            "assessor": "评议考核组",
            "basis": "台账齐全",
            "reason": "集中评议",
        },
        headers=ADMIN,
    )
    assert assessment_score.status_code == 201, assessment_score.text
    veto = cluster["inspection"].post(
        "/vetoes",
        json={
            "unit_id": target_unit,
            "campaign_id": campaign,
            "round": 1,
            "basis": "重大责任事故",
            "authority": "县纪委监委",
            "decided_on": "2026-11-20",
        },
        headers=ADMIN,
    )
    assert veto.status_code == 201, veto.text
    # inspection visits: a planned (sealed) visit, its inspector the county's 督查员
    visit = cluster["inspection"].post(
        "/visits",
        json={
            "unit_id": target_unit,
            "kind": "暗访",
            "planned_on": "2026-06-03",
            "inspectors": [callers[8].principal_id],
        },
        headers=ADMIN,
    )
    assert visit.status_code == 201, visit.text
    cluster.wait_caught_up("scoring", "survey")
    round_run = _round_run(cluster, campaign)
    _wait_all(cluster)
    in_county = {
        "jurisdiction": county,
        "known_jurisdiction": county,
        "campaign": campaign,
        "person": person["person_id"],
        "draw": draw,
        "principal": keyholder.principal_id or "",
        "visit": visit.json()["visit_id"],  # planned: its unit's only once conducted
        "round_run": round_run,
        "appointing_body": f"office:{county}",
        "template": template.json()["template_id"],
    }
    # The unit's own records, and the unit itself: of unit keys, only its own reach them.
    units = {
        "unit": target_unit,
        "unit_ever": target_unit,
        "finding": finding.json()["finding_id"],
        "complaint": complaint_id,  # dispatched to the unit
        "rectification": rectification.json()["order_id"],
        "task": task.json()["task_id"],
        "assessment_score": assessment_score.json()["score_id"],
        "veto": veto.json()["veto_id"],
    }
    targets = {kind: Target(value, county) for kind, value in in_county.items()}
    targets |= {kind: Target(value, county, unit=target_unit) for kind, value in units.items()}
    targets["wave"] = Target(wave_id, county, {"agency": {contracted.principal_id or ""}})
    # The same wave as reporting's progress knows it (its copy of survey's facts), and as
    # survey's progress reaches it (its points' counties: here its own county).
    targets["progress_wave"] = targets["wave"]
    targets["wave_points"] = targets["wave"]
    # A template as the offices below it reach it: here the county's own.
    targets["template_users"] = replace(targets["template"], below_too=True)
    defaults = {
        "unit_id": target_unit,
        "category": "政府部门及其它机构",
        "consumer": f"survey-waves-v{WAVES_VIEW.version}",
        "upstream": "survey",
        "response_id": "00000000-0000-4000-8000-000000000001",
        "wave_id": wave_id,
        "batch_id": "00000000-0000-4000-8000-000000000002",
        "index": "0",  # inspection tasks: a milestone
        "month": "2026-05",  # inspection tasks: a monthly report
        "sha256": "0" * 64,
        "campaign_id": campaign,  # reporting's public routes, which have no scope
        "jurisdiction_id": county,  # reporting's public jurisdiction summaries
        "round_number": "1",  # scoring's and reporting's campaign rounds
        "scheme_id": "luohe-2yr-zhengfeng",
        "version": "1",
    }
    return World(lineage, callers, targets, defaults)


def _round_run(cluster: Cluster, campaign: str) -> str:
    """The campaign's round 1 scored as its final result under a shipped scheme, so that
    scoring has a round run and reporting round results."""
    scoring = cluster["scoring"]
    assigned = scoring.put(
        f"/campaigns/{campaign}/scheme",
        json={"scheme_id": "luohe-2yr-zhengfeng", "version": 1, "reason": "本年度方案"},
        headers=ADMIN,
    )
    assert assigned.status_code == 200, assigned.text
    final = scoring.post(
        f"/campaigns/{campaign}/rounds/1/score-runs",
        json={"final": True, "reason": "年度结果"},
        headers=ADMIN,
    )
    assert final.status_code in (200, 201), final.text
    return str(final.json()["run_id"])
