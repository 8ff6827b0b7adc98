"""进度最好 and 末位 worked out from tasks alone (`bulletins.compose`): when every unit is
level there is neither, and units level on both counts are listed by name in pinyin order,
as the page and the PDF show them."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.reporting.bulletins.compose import Period, best_and_last, standings, weekly
from services.reporting.bulletins.render import standing_names
from services.reporting.documents import PAGES

DAY = date(2026, 5, 20)
NAMES = {"u-edu": "县教育局", "u-civil": "县民政局", "u-finance": "县财政局", "u-tax": "县税务局"}


def _task(unit: str, due: str, confirmed: str | None = None) -> dict[str, Any]:
    return {
        "task_id": f"t-{unit}",
        "title": f"{NAMES[unit]}重点任务",
        "unit_id": unit,
        "assigned_on": "2026-05-01",
        "due_on": "2099-12-31",
        "completed_on": None,
        "reports": {},
        "milestones": [
            {"name": "方案", "due_on": due, "reported_on": None, "confirmed_on": confirmed}
        ],
    }


def test_when_every_unit_is_level_none_is_best_and_none_last() -> None:
    # Three tasks, none confirmed a milestone due today: every unit at 0.00 %, none overdue.
    tasks = [_task(unit, DAY.isoformat()) for unit in ("u-edu", "u-civil", "u-finance")]
    rows = standings(tasks, DAY, NAMES.__getitem__)
    assert [(r["on_time_rate"], r["overdue_tasks"]) for r in rows] == [("0.00", 0)] * 3
    assert best_and_last(rows) == ([], [])
    doc = weekly(
        "每周一报", Period(date(2026, 5, 18), date(2026, 5, 24), DAY), tasks, [], NAMES.get
    )
    assert (doc["best"], doc["last_place"]) == ([], [])
    assert standing_names(doc["best"]) == "无"
    html = PAGES.get_template("bulletin.html").render(
        title="t", kicker="k", doc=doc, summary="", kinds={}, pdf_href="", json_href=""
    )
    assert '进度最好：<span class="best">无</span>' in html
    assert '末位：<span class="last-place">无</span>' in html


def test_units_level_on_both_counts_are_listed_in_pinyin_order() -> None:
    # 财 (cái) before 教 (jiào) before 民 (mín), though by code point 教 < 民 < 财.
    tasks = [
        _task("u-edu", "2026-05-10", "2026-05-09"),
        _task("u-civil", "2026-05-10", "2026-05-10"),
        _task("u-finance", "2026-05-10", "2026-05-08"),
        _task("u-tax", "2026-05-10"),
    ]
    rows = standings(tasks, DAY, NAMES.__getitem__)
    assert [r["unit_name"] for r in rows] == ["县财政局", "县教育局", "县民政局", "县税务局"]
    best, last = best_and_last(rows)
    assert [r["unit_name"] for r in best] == ["县财政局", "县教育局", "县民政局"]
    assert [r["unit_name"] for r in last] == ["县税务局"]
