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
from pathlib import Path
from typing import Any

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.scoring.helpers import caught_up, close_wave, ok, open_wave, pattern, push, seed_world

ROOT = Path(__file__).resolve().parents[2]


def embedded(data_dir: Path) -> CommonSettings:
    return CommonSettings(
        mode="embedded",
        data_dir=data_dir,
        bootstrap_admin_key=ADMIN["X-API-Key"],  # type: ignore[arg-type]
        log_json=False,
    )


def scored_history(data_dir: Path, *, runs: bool = True) -> dict[str, Any]:
    """A wave with 5 questionnaires over three units and, with `runs`, a provisional and a
    final score run. Returns the world's ids and the runs as the scoring API shows them."""
    common = embedded(data_dir)
    with Cluster(common, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        push(cluster, world, wave_id, pattern(world, ("满意", "基本满意", "不满意")) * 3, "A")
        push(cluster, world, wave_id, pattern(world, ("不满意", "满意", "不了解")) * 2, "B")
        caught_up(cluster)
        stored: list[dict[str, Any]] = []
        if runs:
            path = f"/waves/{wave_id}/score-runs"
            ok(cluster["scoring"].post(path, headers=world.county_office))
            close_wave(cluster, world, wave_id)
            caught_up(cluster)
            listed = ok(cluster["scoring"].get(path, headers=ADMIN))
            stored = [
                ok(cluster["scoring"].get(f"/score-runs/{r['run_id']}", headers=ADMIN))
                for r in listed
            ]
    return {"wave_id": wave_id, "unit_names": world.unit_names, "runs": stored}


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
    if isinstance(node, dict):
        if node.get("questionnaire_id") == questionnaire_id:
            return _replace_value(node, old, new)
        return any(_replace_answer(v, questionnaire_id, old, new) for v in node.values())
    if isinstance(node, list):
        return any(_replace_answer(v, questionnaire_id, old, new) for v in node)
    return False


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
