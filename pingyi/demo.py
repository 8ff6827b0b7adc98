"""The demo: Luohe's 80 units (seed 000) and one survey wave of generated questionnaires,
loaded through the public HTTP API exactly as an office and an agency would."""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import httpx

from services.registry.domain import UNIT_KIND_BY_LABEL

COUNTIES = (
    ("YH", "源汇区", "district"),
    ("YC", "郾城区", "district"),
    ("ZL", "召陵区", "district"),
    ("WY", "舞阳县", "county"),
    ("LY", "临颍县", "county"),
)
"""Luohe's counties and districts, each with one 固定测评点 (its code, then its name)."""
SURVEY_POINTS = tuple(f"{code}-01" for code, _, _ in COUNTIES)
GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"
CAMPAIGN = "漯河市2026年度民主评议政风行风"
DIMENSIONS = (
    ("duty", "履行职责、落实政策情况"),
    ("openness", "办事公开情况"),
    ("deeds", "为群众做实事做好事情况"),
    ("conduct", "治理各种不正之风情况"),
    ("efficiency", "办事效率、服务质量情况"),
    ("ethics", "遵守职业道德情况"),
)
"""Seed 000's six evaluation contents (评议内容), rated per unit."""
GROUPS = (("service_user", "服务对象", 50), ("supervisor", "监督员", 25), ("public", "群众", 25))
CHANNELS = ("survey_point", "paper")
OPINIONS = (
    "窗口服务态度需改进",
    "办事流程还可以再简化",
    "希望公开办事指南和收费标准",
    "工作人员热情周到，值得表扬",
    "电话经常无人接听",
)
CHINA = timezone(timedelta(hours=8))
COLLECTION_STARTS = datetime(2026, 5, 8, 9, 0, tzinfo=CHINA)
"""Inside the campaign's first half-year round (2026-01-01 to 2026-06-30)."""
DEMO_WAVE = "2026年度民主评议政风行风问卷测评(演示)"
PUBLIC_WAVE = "2026年度公共服务行业网上公开评议(演示)"
PUBLIC_UNITS = 8
VOTERS = 12
Progress = Callable[[str, int, int], None]


DEMO_SCHEME = "luohe-2yr-zhengfeng"
"""The shipped scheme of seed 000's program, which the demo campaign is scored by."""


def luohe_units() -> list[dict[str, str]]:
    text = resources.files("pingyi.samples").joinpath("luohe_000_units.csv").read_text("utf-8")
    return [
        {
            "name": row["单位名称"],
            "kind": UNIT_KIND_BY_LABEL[row["单位类型"]],
            "category": row["类别"],
        }
        for row in csv.DictReader(text.splitlines())
    ]


class DemoLoader:
    def __init__(self, urls: dict[str, str], admin_key: str, progress: Progress | None = None):
        self._urls = urls
        self._admin = {"X-API-Key": admin_key}
        self._http = httpx.Client(timeout=60)
        self._progress = progress or (lambda step, done, total: None)
        self.public_wave: dict[str, Any] | None = None
        self.inspection: dict[str, Any] | None = None
        self.round_run: dict[str, Any] | None = None
        self.publication: dict[str, Any] | None = None

    def _call(
        self,
        service: str,
        method: str,
        path: str,
        key: dict[str, str] | None = None,
        idempotency: str | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = dict(key or self._admin)
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        response = self._http.request(method, self._urls[service] + path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {service}{path}: {response.status_code} {response.text}")
        return response.json()

    def wait_caught_up(self, downstream: str, upstream: str, timeout: float = 120) -> None:
        head = self._call(upstream, "GET", "/positions")["head"]
        deadline = time.monotonic() + timeout
        while head is not None:
            applied = self._call(downstream, "GET", "/positions")["consumers"].get(upstream)
            if applied is not None and applied >= head:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{downstream} did not catch up with {upstream}")
            time.sleep(0.1)

    def load(self, questionnaires: int = 3000, seed: int = 0) -> dict[str, Any]:
        existing = [w for w in self._call("survey", "GET", "/waves") if w["name"] == DEMO_WAVE]
        if existing:
            found: dict[str, Any] = existing[0]
            return found
        self._progress("登记辖区和参评单位", 0, 4)
        city, counties = self._jurisdictions()
        units = self._call(
            "registry",
            "POST",
            "/units:batch",
            idempotency="demo-luohe-units",
            json={
                "units": [u | {"jurisdiction_id": city["jurisdiction_id"]} for u in luohe_units()]
            },
        )["units"]
        agency = self._call(
            "registry",
            "POST",
            "/principals",
            json={"name": "漯河市社情民意调查中心", "role": "agency"},
        )
        self._progress("登记辖区和参评单位", 2, 4)
        campaign = self._campaign(city, units)
        self._progress("登记辖区和参评单位", 4, 4)
        self.wait_caught_up("survey", "registry")
        template = self._call(
            "survey",
            "POST",
            "/templates",
            idempotency="demo-template",
            json={
                "jurisdiction_id": city["jurisdiction_id"],
                "name": "2026年政风行风满意度测评问卷",
                "scale": "four_level",
                "dimensions": [{"code": code, "name": name} for code, name in DIMENSIONS],
                "opinions": True,
            },
        )
        per_point = -(-questionnaires // len(SURVEY_POINTS))
        wave = self._call(
            "survey",
            "POST",
            "/waves",
            json={
                "name": DEMO_WAVE,
                "jurisdiction_id": city["jurisdiction_id"],
                "campaign_id": campaign["campaign_id"],
                "round": 1,
                "kind": "satisfaction_survey",
                "template_id": template["template_id"],
                "agencies": [{"agency_id": agency["principal_id"]}],
                "channels": list(CHANNELS),
                "points": [
                    {
                        "code": code,
                        "name": f"{county['name']}固定测评点",
                        "jurisdiction_id": county["jurisdiction_id"],
                        "target": per_point,
                    }
                    for code, county in zip(SURVEY_POINTS, counties, strict=True)
                ],
                "groups": [
                    {"code": code, "name": name, "target_percent": share}
                    for code, name, share in GROUPS
                ],
            },
        )
        agency_key = {"X-API-Key": agency["api_key"]}
        self._push(wave["wave_id"], units, agency_key, questionnaires, seed)
        self.public_wave = self._public_voting(city, campaign, units, agency, seed)
        self.inspection = self._inspection(city, campaign, units)
        self._call("survey", "POST", f"/waves/{wave['wave_id']}/close", json={"reason": "回收结束"})
        for downstream, upstream in (
            ("scoring", "registry"),
            ("scoring", "survey"),
            ("scoring", "inspection"),
            ("reporting", "scoring"),
        ):
            self.wait_caught_up(downstream, upstream)
        self.round_run = self._score_round(campaign)
        self.wait_caught_up("reporting", "scoring")
        self.publication = self._publish(campaign, self.round_run)
        opened: dict[str, Any] = wave
        return opened

    def _score_round(self, campaign: dict[str, Any]) -> dict[str, Any]:
        """The campaign scored by the shipped 漯河 scheme, and round 1's final result: every
        input kind the demo made (questionnaires, findings, the complaint, the order)."""
        campaign_id = campaign["campaign_id"]
        self._call(
            "scoring",
            "PUT",
            f"/campaigns/{campaign_id}/scheme",
            json={"scheme_id": DEMO_SCHEME, "version": 1, "reason": "演示：漯河市评分方案"},
        )
        run: dict[str, Any] = self._call(
            "scoring",
            "POST",
            f"/campaigns/{campaign_id}/rounds/1/score-runs",
            json={"final": True, "reason": "演示：上半年评议结果"},
        )
        return run

    def _publish(self, campaign: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
        """发布: round 1's final result released to the units and the public (the results
        page, `/public/pages`)."""
        published: dict[str, Any] = self._call(
            "reporting",
            "POST",
            f"/campaigns/{campaign['campaign_id']}/rounds/1/publications",
            json={
                "run_id": run["run_id"],
                "results_digest": run["results_digest"],
                "reason": "演示：上半年评议结果发布",
            },
        )
        return published

    def _jurisdictions(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        province = self._call(
            "registry",
            "POST",
            "/jurisdictions",
            idempotency="demo-province",
            json={"name": "河南省", "level": "province"},
        )
        city = self._call(
            "registry",
            "POST",
            "/jurisdictions",
            idempotency="demo-luohe",
            json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
        )
        counties = [
            self._call(
                "registry",
                "POST",
                "/jurisdictions",
                idempotency=f"demo-luohe-{code}",
                json={"name": name, "level": level, "parent_id": city["jurisdiction_id"]},
            )
            for code, name, level in COUNTIES
        ]
        return city, counties

    def _campaign(self, city: dict[str, Any], units: list[dict[str, Any]]) -> dict[str, Any]:
        """开展评议活动: the year in half-year rounds, the two categories of seed 000, and the
        80 units enrolled each in its category."""
        campaign: dict[str, Any] = self._call(
            "registry",
            "POST",
            "/campaigns",
            idempotency="demo-campaign",
            json={
                "jurisdiction_id": city["jurisdiction_id"],
                "name": CAMPAIGN,
                "pattern": "民主评议政风行风",
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": "2026-01-01",
                    "ends_on": "2026-12-31",
                },
                "phases": [
                    {"name": "动员准备", "starts_on": "2026-01-01", "ends_on": "2026-03-31"},
                    {"name": "组织实施", "starts_on": "2026-04-01", "ends_on": "2026-10-31"},
                    {"name": "考核总结", "starts_on": "2026-11-01", "ends_on": "2026-12-31"},
                ],
                "categories": [GOV, PUBLIC],
            },
        )
        self._call(
            "registry",
            "POST",
            f"/campaigns/{campaign['campaign_id']}/enrolments",
            idempotency="demo-enrolments",
            json={
                "enrolments": [{"unit_id": u["unit_id"], "category": u["category"]} for u in units]
            },
        )
        return campaign

    def _push(
        self,
        wave_id: str,
        units: list[dict[str, Any]],
        agency: dict[str, str],
        total: int,
        seed: int,
        batch: int = 500,
    ) -> None:
        rng = random.Random(seed)
        # Each unit gets its own leaning so the rankings have a shape worth reading.
        leaning = {u["unit_id"]: rng.uniform(0.45, 0.9) for u in units}
        codes = [code for code, _ in DIMENSIONS]
        groups = [code for code, _, _ in GROUPS]
        shares = [share for _, _, share in GROUPS]
        for first in range(0, total, batch):
            chunk = []
            for number in range(first, min(total, first + batch)):
                rated = rng.sample(units, 12)
                item: dict[str, Any] = {
                    "questionnaire_id": f"LH-2026-{number + 1:05d}",
                    "survey_point": rng.choice(SURVEY_POINTS),
                    "channel": rng.choice(CHANNELS),
                    "group": rng.choices(groups, weights=shares)[0],
                    "collected_at": (COLLECTION_STARTS + timedelta(minutes=number)).isoformat(),
                    "ratings": {u["unit_id"]: _rate(rng, leaning[u["unit_id"]]) for u in rated},
                }
                # A few units rated on the six evaluation contents too, and some opinions.
                item["dimension_ratings"] = {
                    u["unit_id"]: {code: _rate(rng, leaning[u["unit_id"]]) for code in codes}
                    for u in rated[:2]
                }
                if number % 10 == 0:
                    item["opinions"] = [
                        {"unit_id": rated[0]["unit_id"], "text": rng.choice(OPINIONS)}
                    ]
                chunk.append(item)
            self._call(
                "survey",
                "POST",
                f"/waves/{wave_id}/questionnaires:batch",
                key=agency,
                idempotency=f"demo-{wave_id}-{first}",
                json={"questionnaires": chunk},
            )
            self._progress("上传问卷", min(total, first + batch), total)

    def _public_voting(
        self,
        city: dict[str, Any],
        campaign: dict[str, Any],
        units: list[dict[str, Any]],
        agency: dict[str, Any],
        seed: int,
    ) -> dict[str, Any]:
        """网上公开评议: a small wave of round 2 (the half year under way) open to the public
        now, a few votes without any key,
        and one voter trying twice (refused: one vote per person per unit per round)."""
        now = datetime.now(UTC)
        public_units = [u for u in units if u["category"] == PUBLIC][:PUBLIC_UNITS]
        wave: dict[str, Any] = self._call(
            "survey",
            "POST",
            "/waves",
            json={
                "name": PUBLIC_WAVE,
                "jurisdiction_id": city["jurisdiction_id"],
                "campaign_id": campaign["campaign_id"],
                "round": 2,
                "kind": "online_public_voting",
                "unit_ids": [u["unit_id"] for u in public_units],
                "agency_id": agency["principal_id"],
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(days=30)).isoformat(),
            },
        )
        rng = random.Random(seed + 1)
        path = f"/public/waves/{wave['wave_id']}"
        answers = self._public(path, "GET")["answers"]
        voters = [f"139{rng.randrange(10**8):08d}" for _ in range(VOTERS)]
        for done, voter in enumerate(voters, 1):
            ratings = {u["unit_id"]: rng.choice(answers[:3]) for u in public_units}
            self._public(f"{path}/votes", "POST", json={"voter": voter, "ratings": ratings})
            self._progress("网上公开评议：投票", done, len(voters))
        again = self._http.post(
            self._urls["survey"] + f"{path}/votes",
            json={"voter": voters[0], "ratings": {public_units[0]["unit_id"]: "满意"}},
        )
        if again.status_code != 409 or again.json().get("error") != "already_voted":
            raise RuntimeError(f"a second vote was not refused: {again.status_code} {again.text}")
        self._progress("网上公开评议：同一手机号再次投票被拒绝 (already_voted)", 1, 1)
        return wave

    def _inspection(
        self, city: dict[str, Any], campaign: dict[str, Any], units: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """What inspection adds to the round: findings of an unannounced visit and a phone
        mystery call, a rectification order for one of them, and a verified complaint."""
        self._progress("明察暗访、整改和投诉", 0, 3)
        self.wait_caught_up("inspection", "registry")
        round_of = {"campaign_id": campaign["campaign_id"], "round": 1}
        findings = [
            self._call(
                "inspection",
                "POST",
                "/findings",
                idempotency=f"demo-finding-{index}",
                json={
                    "unit_id": units[index]["unit_id"],
                    "method": method,
                    "summary": summary,
                    "found_at": f"2026-05-{12 + index:02d}T10:30:00+08:00",
                    "item": item,
                    "severity": severity,
                    "deduction": deduction,
                },
            )
            for index, (method, summary, item, severity, deduction) in enumerate(FINDINGS)
        ]
        self._progress("明察暗访、整改和投诉", 1, 3)
        order = self._call(
            "inspection",
            "POST",
            "/rectifications",
            idempotency="demo-rectification",
            json={
                "unit_id": units[0]["unit_id"],
                "finding_ids": [findings[0]["finding_id"]],
                "working_days": 10,
                "requirements": "限期整改窗口脱岗问题，建立考勤和巡查制度",
                "issued_on": "2026-05-15",
            }
            | round_of,
        )
        complaint = self._call(
            "inspection",
            "POST",
            "/complaints",
            idempotency="demo-complaint",
            json={
                "jurisdiction_id": city["jurisdiction_id"],
                "unit_id": units[1]["unit_id"],
                "channel": "政风行风热线",
                "kind": "complaint",
                "summary": "群众反映办理营业执照多次往返",
                "received_on": "2026-05-20",
            }
            | round_of,
        )
        path = f"/complaints/{complaint['complaint_id']}"
        self._call("inspection", "POST", f"{path}/dispatch", json={"unit_id": units[1]["unit_id"]})
        self._call(
            "inspection",
            "POST",
            f"{path}/outcome",
            json={"outcome": "verified", "reason": "经核实属实，已责令整改"},
        )
        self._progress("明察暗访、整改和投诉", 3, 3)
        return {"findings": len(findings), "rectification": order, "complaint": complaint}

    def _public(self, path: str, method: str, **kwargs: Any) -> Any:
        """A call without a key, as a member of the public makes it."""
        response = self._http.request(method, self._urls["survey"] + path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} survey{path}: {response.status_code} {response.text}")
        return response.json()

    def rankings(self) -> dict[str, list[dict[str, Any]]]:
        """Round 1's final result per category, as scoring ordered it (the campaign's
        categories in turn, best first, unranked units last): ranks are scoring's, part of
        what replay verifies."""
        if self.round_run is None:
            raise RuntimeError("the demo has not scored its round yet (load first)")
        categories: dict[str, list[dict[str, Any]]] = {}
        for unit in self.round_run["results"]["units"]:
            categories.setdefault(unit["category"], []).append(unit)
        return categories


FINDINGS = (
    ("暗访", "工作时间窗口人员脱岗", "工作纪律", "较重", "2"),
    ("电话暗访", "咨询电话无人接听", "服务态度", "一般", "1"),
    ("随机检查", "办事指南未公开", "办事公开", "一般", "0.5"),
)
"""Seed 000's 明察暗访: what inspectors found, with the evaluation content and deduction."""


def _rate(rng: random.Random, leaning: float) -> str:
    draw = rng.random()
    if draw < 0.06:
        return "不了解"
    if draw < 0.06 + leaning * 0.94:
        return "满意"
    return "基本满意" if rng.random() < 0.7 else "不满意"
