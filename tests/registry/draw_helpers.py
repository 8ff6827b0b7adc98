"""What the verify-draw tests share: a draw frozen over a new zone's pool with one member
disqualified after the freeze, the settings that read its data dir, and a copy of that data
dir with one stored event rewritten."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

from services.registry.application import RegistryApplication
from shared.settings import CommonSettings, Mode
from tests.registry.people_helpers import ADMIN_CALLER, COMMITMENT, zone_with_pool


class FrozenDraw(NamedTuple):
    spec: dict[str, Any]  # as created: another draw made with it is alike
    draw_id: UUID
    frozen: dict[str, Any]  # the freeze's answer
    disqualified: UUID


def frozen_draw(app: RegistryApplication, pool: int, size: int, **spec: Any) -> FrozenDraw:
    """`size` to draw from `pool` people of 武汉经济技术开发区 for 2026-2027, committed to
    COMMITMENT (`spec` adds to it, e.g. quotas), the pool frozen, and then one member
    disqualified: in the frozen pool, on no panel. Not revealed: the caller reveals."""
    zone_id, people = zone_with_pool(app, pool)
    spec = {"jurisdiction_id": zone_id, "cycle": "2026-2027", "size": size} | spec
    spec["commitment"] = COMMITMENT
    draw_id = UUID(app.create_draw(ADMIN_CALLER, spec, None)["draw_id"])
    frozen = app.freeze_pool(ADMIN_CALLER, draw_id)
    app.disqualify(ADMIN_CALLER, people[7], "违反评议代表工作纪律")
    return FrozenDraw(spec, draw_id, frozen, people[7])


def settings(data_dir: Path, mode: Mode = "embedded") -> CommonSettings:
    return CommonSettings(mode=mode, data_dir=data_dir, log_json=False)


def tampered(
    drawn: dict[str, Any], target: Path, event: str, change: Callable[[dict[str, Any]], None]
) -> Path:
    """A copy of the data dir `drawn["dir"]` with one stored event of the draw
    `drawn["draw_id"]` rewritten by `change`."""
    shutil.copytree(drawn["dir"], target)
    with sqlite3.connect(target / "registry.sqlite") as db:
        ((rowid, state),) = db.execute(
            "SELECT rowid, state FROM stored_events WHERE originator_id=? AND topic LIKE ?",
            (drawn["draw_id"].hex, f"%:Draw.{event}"),
        ).fetchall()
        decoded = json.loads(state)
        change(decoded)
        db.execute(
            "UPDATE stored_events SET state=? WHERE rowid=?",
            (json.dumps(decoded, ensure_ascii=False).encode("utf-8"), rowid),
        )
    return target
