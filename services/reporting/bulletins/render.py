"""每周一报 and 每月双报 as documents: the same bulletin the JSON routes return, as an HTML
page and a PDF (CJK font embedded), in the order the seed's offices write them — 基本情况,
进度最好 and 末位, the overdue tasks, the period's facts, and for the month each task's
推进专报 and 困难专报 and who has not reported."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from services.reporting.documents import BEIJING, PdfWriter
from services.reporting.rounds.fonts import CjkFont

FACT_KINDS = {
    "assigned": "交办",
    "supervised": "督办",
    "report": "专报",
    "report_corrected": "专报更正",
    "milestone_reported": "节点报告",
    "milestone_confirmed": "节点确认",
    "completed": "办结",
    "accountability": "问责",
}


def period_line(doc: dict[str, Any]) -> str:
    period = doc["period"]
    return f"统计期间：{period['from']} 至 {period['to']}（截至 {period['as_of']}）"


def summary_line(doc: dict[str, Any]) -> str:
    """基本情况 in one sentence, from the bulletin's counts."""
    counts = doc["counts"]
    methods = "、".join(f"{name}{n}次" for name, n in counts["supervised"].items())
    supervised = sum(counts["supervised"].values())
    return (
        f"督办任务{counts['tasks']}项，本期交办{counts['assigned']}项；"
        f"开展督办{supervised}次{f'（{methods}）' if methods else ''}；"
        f"报送专报{counts['reports']}份；确认完成节点{counts['milestones_confirmed']}个；"
        f"办结{counts['completed']}项；问责{counts['accountability']}起；"
        f"逾期任务{counts['overdue']}项。"
    )


def standing_names(rows: list[dict[str, Any]]) -> str:
    return "、".join(f"{r['unit_name']}（按期完成率{r['on_time_rate']}%）" for r in rows) or "无"


def _overdue(milestones: list[dict[str, Any]]) -> str:
    return "、".join(f"{m['name']}（{m['due_on']}）" for m in milestones) or "任务逾期未办结"


def bulletin_pdf(doc: dict[str, Any], font: CjkFont) -> bytes:
    as_of = datetime.fromisoformat(doc["period"]["as_of"])
    writer = PdfWriter(font, doc["title"], created=datetime.combine(as_of, time(), BEIJING))
    writer.para(period_line(doc))
    writer.heading("一、基本情况")
    writer.para(summary_line(doc))
    writer.heading("二、进度最好和末位单位")
    writer.para(f"进度最好：{standing_names(doc['best'])}")
    writer.para(f"末位：{standing_names(doc['last_place'])}")
    if doc["standings"]:
        writer.table(
            ("单位", "到期节点", "按期完成", "按期完成率（%）", "逾期任务"),
            (
                (
                    r["unit_name"],
                    r["milestones_due"],
                    r["on_time"],
                    r["on_time_rate"],
                    r["overdue_tasks"],
                )
                for r in doc["standings"]
            ),
            (70, 25, 25, 35, 25),
        )
    writer.heading("三、逾期事项")
    if doc["overdue"]:
        writer.table(
            ("任务", "责任单位", "完成时限", "逾期节点"),
            (
                (o["title"], o["unit_name"], o["due_on"], _overdue(o["overdue_milestones"]))
                for o in doc["overdue"]
            ),
            (60, 45, 25, 60),
        )
    else:
        writer.para("无")
    if doc["bulletin"] == "每月双报":
        _monthly(writer, doc)
    writer.heading("四、本周动态" if doc["bulletin"] == "每周一报" else "六、本月动态")
    if doc["facts"]:
        writer.table(
            ("日期", "责任单位", "任务", "类别", "事项"),
            (
                (
                    f["on"],
                    f["unit_name"],
                    f["title"],
                    FACT_KINDS.get(f["kind"], f["kind"]),
                    f["text"],
                )
                for f in doc["facts"]
            ),
            (22, 38, 45, 18, 67),
        )
    else:
        writer.para("无")
    return writer.output()


def _monthly(writer: PdfWriter, doc: dict[str, Any]) -> None:
    writer.heading("四、推进专报")
    if doc["reports"]:
        writer.table(
            ("责任单位", "任务", "类别", "状态", "推进情况", "更正说明"),
            (
                (
                    r["unit_name"],
                    r["title"],
                    r["kind"],
                    r["status"] + ("（逾期）" if r["overdue"] else ""),
                    r["progress"] if r["reported"] else "未报送",
                    r["correction_reason"] or "",
                )
                for r in doc["reports"]
            ),
            (32, 38, 18, 22, 55, 25),
        )
    else:
        writer.para("无")
    writer.para(
        "未报送："
        + ("、".join(f"{r['unit_name']}（{r['title']}）" for r in doc["not_reported"]) or "无")
    )
    writer.heading("五、疑难问题及困难专报")
    if doc["difficulties"]:
        writer.table(
            ("责任单位", "任务", "困难和问题"),
            ((r["unit_name"], r["title"], r["difficulties"]) for r in doc["difficulties"]),
            (40, 50, 100),
        )
    else:
        writer.para("无")
