"""Data directories written by the real registry, survey and scoring services (embedded
mode), for the auditors' commands, and running those commands as an auditor would: a
process of its own, from a folder of its choosing, with no PINGYI_* settings but its own."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.domain import RoundRun
from services.scoring.rounds.replay import Spread, replay_round
from shared.contracts.scoring import RoundScored
from shared.contracts.survey_batch import row_chars
from shared.contracts.wire import encode_body
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.scoring.helpers import caught_up, close_wave, ok, seed_world
from tests.scoring.rounds.helpers import SCHEME as ROUND_SCHEME
from tests.scoring.rounds.helpers import assign, campaign_round, request_run
from tests.scoring.rounds.helpers import caught_up as round_caught_up
from tests.scoring.rounds.helpers import push as round_push

ROOT = Path(__file__).resolve().parents[2]


def embedded(data_dir: Path) -> CommonSettings:
    return CommonSettings(
        mode="embedded",
        data_dir=data_dir,
        bootstrap_admin_key=ADMIN["X-API-Key"],  # type: ignore[arg-type]
        log_json=False,
    )


def scored_history(data_dir: Path, *, runs: bool = True) -> dict[str, Any]:
    """A campaign round with 5 questionnaires over three units (B-00001 rates the first unit
    不满意) and, with `runs`, a provisional and a final round run of round 1. Returns the ids
    and the runs as the scoring API shows them."""
    common = embedded(data_dir)
    with Cluster(common, ["registry", "survey", "inspection", "scoring"]) as cluster:
        rnd = campaign_round(cluster)
        survey = cluster["survey"]
        round_push(survey, rnd, [("满意", "基本满意", "不满意")] * 3, "A")
        round_push(survey, rnd, [("不满意", "满意", "不了解")] * 2, "B")
        round_caught_up(cluster)
        stored: list[dict[str, Any]] = []
        if runs:
            assign(cluster, rnd)
            stored = [
                request_run(cluster, rnd, final=False, reason="中期"),
                request_run(cluster, rnd, final=True, reason="上半年结果"),
            ]
    names = {u["unit_id"]: u["unit_name"] for u in stored[0]["results"]["units"]} if stored else {}
    return {
        "campaign_id": rnd.campaign_id,
        "wave_id": rnd.wave_id,
        "unit_ids": rnd.world.unit_ids,
        "unit_names": names,
        "runs": stored,
    }


def copy_of(data_dir: Path, target: Path) -> Path:
    shutil.copytree(data_dir, target)
    return target


def edit_survey_answer(data_dir: Path, questionnaire_id: str, old: str, new: str) -> int:
    """Change one stored answer in the survey log's message bodies (what every reader of the
    log reads), in place: the forged input an audit must catch. Returns its position."""
    with sqlite3.connect(data_dir / "survey.sqlite") as db:
        for position, body in db.execute(
            "SELECT rowid, message FROM stored_events WHERE length(message) > 0"
        ).fetchall():
            if questionnaire_id.encode() not in body:
                continue
            document = json.loads(body)
            if not _replace_answer(document["payload"], questionnaire_id, old, new):
                continue
            forged = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            db.execute(
                "UPDATE stored_events SET message = ? WHERE rowid = ?",
                (forged.encode(), position),
            )
            return int(position)
    raise AssertionError(f"no stored answer {old} of {questionnaire_id}")


def _replace_answer(node: Any, questionnaire_id: str, old: str, new: str) -> bool:
    """In the questionnaire with that id, the first answer `old` becomes `new`."""
    if isinstance(node, dict) and questionnaire_id in node.get("questionnaire_ids", ()):
        return replace_in_row(node, questionnaire_id, old, new)
    if isinstance(node, dict):
        if node.get("questionnaire_id") == questionnaire_id:
            return _replace_value(node, old, new)
        return any(_replace_answer(v, questionnaire_id, old, new) for v in node.values())
    if isinstance(node, list):
        return any(_replace_answer(v, questionnaire_id, old, new) for v in node)
    return False


def replace_in_row(part: dict[str, Any], questionnaire_id: str, old: str, new: str) -> bool:
    """In a `survey.batch.recorded` v2 part's payload, the first answer `old` of that
    questionnaire's row text becomes `new` (added to the part's levels if it lacks it)."""
    j = part["questionnaire_ids"].index(questionnaire_id)
    if old not in part["levels"]:
        return False
    if new not in part["levels"]:
        part["levels"] = [*part["levels"], new]
    chars = row_chars(part["levels"])
    row = part["rows"][j]
    at = row.find(chars[old])
    if at < 0:
        return False
    part["rows"][j] = row[:at] + chars[new] + row[at + 1 :]
    return True


def set_in_part(part: dict[str, Any], questionnaire_id: str, unit: int, answer: str) -> bool:
    """In a `survey.batch.recorded` payload (v1 or v2), that questionnaire's answer about the
    wave's unit at index `unit` becomes `answer`; False if the part does not hold it."""
    for q in part.get("questionnaires") or []:
        if q["questionnaire_id"] == questionnaire_id:
            q["row"][unit] = answer
            return True
    if questionnaire_id not in part.get("questionnaire_ids", ()):
        return False
    if answer not in part["levels"]:
        part["levels"] = [*part["levels"], answer]
    j = part["questionnaire_ids"].index(questionnaire_id)
    row = part["rows"][j]
    part["rows"][j] = row[:unit] + row_chars(part["levels"])[answer] + row[unit + 1 :]
    return True


def _replace_value(node: Any, old: str, new: str) -> bool:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if value == old:
            node[key] = new
            return True
        if isinstance(value, dict | list) and _replace_value(value, old, new):
            return True
    return False


def run_pingyi(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m pingyi ARGS` from `cwd`, with every PINGYI_* setting of this process
    removed (plus `env`) and a wide terminal so report lines are not wrapped."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    clean |= {"COLUMNS": "400", "PYTHONPATH": str(ROOT)} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "pingyi", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def campaign_history(data_dir: Path) -> dict[str, Any]:
    """A half-year 民主评议 campaign (2024) with the three units enrolled, and round 1's
    satisfaction wave on the three-level scale: questionnaires Q-0000 … Q-0009 rate the
    units in their sorted order; Q-0007 alone rates the first unit 基本满意. Closed."""
    common = embedded(data_dir)
    with Cluster(common, ["registry", "survey", "inspection", "scoring"]) as cluster:
        world = seed_world(cluster)
        registry, survey = cluster["registry"], cluster["survey"]
        office = world.county_office
        campaign = ok(registry.post("/campaigns", headers=office, json=_campaign(world)))
        categories = {
            u: c for u, c in zip(world.unit_ids, _categories(cluster, world), strict=True)
        }
        enrol = [{"unit_id": u, "category": c} for u, c in categories.items()]
        ok(
            registry.post(
                f"/campaigns/{campaign['campaign_id']}/enrolments",
                headers=office,
                json={"enrolments": enrol},
            )
        )
        cluster.wait_caught_up("survey", "registry")
        template = ok(
            survey.post(
                "/templates",
                headers=office,
                json={
                    "jurisdiction_id": world.county_id,
                    "name": "满意度问卷",
                    "scale": "three_level",
                },
            )
        )
        wave = ok(
            survey.post(
                "/waves",
                headers=office,
                json={
                    "name": "2024年上半年问卷测评",
                    "jurisdiction_id": world.county_id,
                    "campaign_id": campaign["campaign_id"],
                    "round": 1,
                    "kind": "satisfaction_survey",
                    "template_id": template["template_id"],
                    "agencies": [{"agency_id": world.agency_id}],
                    "unit_ids": world.unit_ids,
                },
            )
        )
        rows = [("满意", "满意", "不满意")] * 7 + [("基本满意", "不满意", "满意")]
        rows += [("不满意", "满意", "满意")] * 2
        questionnaires = [
            {
                "questionnaire_id": f"Q-{i:04d}",
                "survey_point": "舞阳县政务服务中心",
                "collected_at": f"2024-03-05T09:{i:02d}:00+08:00",
                "ratings": dict(zip(world.unit_ids, row, strict=True)),
            }
            for i, row in enumerate(rows)
        ]
        ok(
            survey.post(
                f"/waves/{wave['wave_id']}/questionnaires:batch",
                headers=world.agency,
                json={"questionnaires": questionnaires},
            )
        )
        close_wave(cluster, world, wave["wave_id"])
        caught_up(cluster)
    return {
        "campaign_id": campaign["campaign_id"],
        "wave_id": wave["wave_id"],
        "unit_ids": world.unit_ids,
        "unit_names": world.unit_names,
    }


def _campaign(world: Any) -> dict[str, Any]:
    return {
        "jurisdiction_id": world.county_id,
        "name": "2024年度民主评议政风行风",
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "one_year",
            "rounds": "half_year",
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
        },
        "phases": [{"name": "组织实施", "starts_on": "2024-01-01", "ends_on": "2024-12-31"}],
        "categories": ["政府部门及其它机构", "公共服务行业"],
    }


def _categories(cluster: Cluster, world: Any) -> list[str]:
    return [
        ok(cluster["registry"].get(f"/units/{u}", headers=ADMIN))["category"]
        for u in world.unit_ids
    ]


def tied_history(data_dir: Path) -> dict[str, Any]:
    """A round whose words differ between engine revisions 3 and 4 (its figures do not): 3
    questionnaires rate the first two units 满意 (tied first) and the third 不了解 only (no
    valid answer, so no score). One final run, computed under the current revision."""
    common = embedded(data_dir)
    with Cluster(common, ["registry", "survey", "inspection", "scoring"]) as cluster:
        rnd = campaign_round(cluster)
        round_push(cluster["survey"], rnd, [("满意", "满意", "不了解")] * 3, "T")
        round_caught_up(cluster)
        assign(cluster, rnd)
        run = request_run(cluster, rnd, final=True, reason="上半年结果")
    return {"campaign_id": rnd.campaign_id, "unit_ids": rnd.world.unit_ids, "run": run}


def store_under_revision(data_dir: Path, run_id: str, revision: int) -> dict[str, Any]:
    """The stored run's results made what engine revision `revision` computes from the same
    logs (as a run stored before a later revision holds), in its state and in its published
    body as stored at write time (what every reader of the log reads); its scheme and
    positions unchanged. Returns those results."""
    common = embedded(data_dir)
    topic = get_topic(RoundRun.Computed)
    with sqlite3.connect(data_dir / "scoring.sqlite") as db:
        ((state, body),) = db.execute(
            "SELECT state, message FROM stored_events WHERE originator_id = ? AND topic = ?",
            (UUID(run_id).hex, topic),
        ).fetchall()
        stored = json.loads(state)
        older = replay_round(
            common,
            Scheme.from_document(ROUND_SCHEME),
            stored["results"]["campaign_id"],
            stored["results"]["round"],
            dict(stored["upstream_positions"]),
            Spread(workers=1),
            revision=revision,
        )
        older.pop("survey_ranges"), older.pop("upstream_positions")
        stored |= {"results": older, "results_digest": older["results_digest"]}
        published = json.loads(body)
        payload = RoundScored.model_validate(
            published["payload"]
            | {k: v for k, v in older.items() if k in RoundScored.model_fields}
            | {"engine_revision": revision}
        )
        db.execute(
            "UPDATE stored_events SET state = ?, message = ? WHERE originator_id = ? AND topic = ?",
            (
                json.dumps(stored).encode(),
                encode_body("scoring", payload, datetime.fromisoformat(published["occurred_at"])),
                UUID(run_id).hex,
                topic,
            ),
        )
    return older
