"""The demo: Luohe's 80 units (seed 000), a campaign, one survey wave of generated
questionnaires, a public voting wave, inspection's findings, a complaint and an order, the
round scored by the shipped 漯河 scheme and published — loaded through the public HTTP APIs
exactly as an office, an agency and the public would."""

from __future__ import annotations

from typing import Any

from .client import DemoClient, Progress
from .collection import public_voting, push_questionnaires
from .inspection import record_inspection
from .registration import jurisdictions, open_campaign
from .world import (
    CHANNELS,
    DEMO_SCHEME,
    DEMO_WAVE,
    DIMENSIONS,
    FINDINGS,
    GROUPS,
    PUBLIC_UNITS,
    PUBLIC_WAVE,
    SURVEY_POINTS,
    VOTERS,
    luohe_units,
)

__all__ = [
    "DEMO_SCHEME",
    "DEMO_WAVE",
    "FINDINGS",
    "PUBLIC_UNITS",
    "PUBLIC_WAVE",
    "VOTERS",
    "DemoLoader",
    "Progress",
    "luohe_units",
]


class DemoLoader(DemoClient):
    def __init__(self, urls: dict[str, str], admin_key: str, progress: Progress | None = None):
        super().__init__(urls, admin_key, progress)
        self.public_wave: dict[str, Any] | None = None
        self.inspection: dict[str, Any] | None = None
        self.round_run: dict[str, Any] | None = None
        self.publication: dict[str, Any] | None = None
        self.loaded_before = False
        """The data directory held the demo already (a second `pingyi up --demo`)."""

    def load(self, questionnaires: int = 3000, seed: int = 0) -> dict[str, Any]:
        waves = self.call("survey", "GET", "/waves")
        existing = [w for w in waves if w["name"] == DEMO_WAVE]
        if existing:
            found: dict[str, Any] = existing[0]
            self.loaded_before = True
            # Said again on every start: the public votes on it, and only a key lists it.
            self.public_wave = next((w for w in waves if w["name"] == PUBLIC_WAVE), None)
            wave = self.call("survey", "GET", f"/waves/{found['wave_id']}")  # the list is brief
            self.round_run = self._final_run(wave.get("campaign_id"))
            return found
        self.progress("登记辖区和参评单位", 0, 4)
        city, counties = jurisdictions(self)
        units = self.call(
            "registry",
            "POST",
            "/units:batch",
            idempotency="demo-luohe-units",
            json={
                "units": [u | {"jurisdiction_id": city["jurisdiction_id"]} for u in luohe_units()]
            },
        )["units"]
        agency = self.call(
            "registry",
            "POST",
            "/principals",
            json={"name": "漯河市社情民意调查中心", "role": "agency"},
        )
        self.progress("登记辖区和参评单位", 2, 4)
        campaign = open_campaign(self, city, units)
        self.progress("登记辖区和参评单位", 4, 4)
        self.wait_caught_up("survey", "registry")
        template = self.call(
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
        wave = self.call(
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
        push_questionnaires(self, wave["wave_id"], units, agency_key, questionnaires, seed)
        self.public_wave = public_voting(self, city, campaign, units, agency, seed)
        self.inspection = record_inspection(self, city, campaign, units)
        self.call("survey", "POST", f"/waves/{wave['wave_id']}/close", json={"reason": "回收结束"})
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

    def _final_run(self, campaign_id: str | None) -> dict[str, Any] | None:
        """Round 1's latest final run of a demo loaded before, with its results; None where
        the earlier load stopped before scoring."""
        if campaign_id is None:
            return None
        runs = self.call("scoring", "GET", f"/campaigns/{campaign_id}/rounds/1/score-runs")
        finals = [run for run in runs if run.get("final")]
        if not finals:
            return None
        found: dict[str, Any] = self.call("scoring", "GET", f"/round-runs/{finals[-1]['run_id']}")
        return found

    def _score_round(self, campaign: dict[str, Any]) -> dict[str, Any]:
        """The campaign scored by the shipped 漯河 scheme, and round 1's final result: every
        input kind the demo made (questionnaires, findings, the complaint, the order)."""
        campaign_id = campaign["campaign_id"]
        self.call(
            "scoring",
            "PUT",
            f"/campaigns/{campaign_id}/scheme",
            json={"scheme_id": DEMO_SCHEME, "version": 1, "reason": "演示：漯河市评分方案"},
        )
        run: dict[str, Any] = self.call(
            "scoring",
            "POST",
            f"/campaigns/{campaign_id}/rounds/1/score-runs",
            json={"final": True, "reason": "演示：上半年评议结果"},
        )
        return run

    def _publish(self, campaign: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
        """发布: round 1's final result released to the units and the public (the results
        page, `/public/pages`)."""
        published: dict[str, Any] = self.call(
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
