"""A unit's dossier (单位评议档案) as PDF: its results across the program's cycles as a table
and a chart (PNG, interval whiskers), then, per round of the campaign, every component with
weight, value and the scheme's formula, the deductions and overrides, and scoring's
explanation. The CJK font is embedded as a subset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.reporting.documents import PdfWriter
from services.reporting.rounds.fonts import CjkFont
from services.reporting.rounds.png import ranking_png
from services.reporting.trends.read import chart_lines


def _dash(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return "–".join(str(v) for v in value)
    return str(value)


def dossier_pdf(
    dossier: dict[str, Any],
    trend: dict[str, Any],
    list_names: dict[str, str],
    font: CjkFont,
    audience: str,
    created: datetime,
) -> bytes:
    """`audience` says in the title whose figures these are: 已发布 for the public file,
    内部 for an office's (current runs, published or not); `created`, when the latest of
    those runs was computed."""
    title = f"{dossier['unit_name']} 评议档案（{audience}）"
    writer = PdfWriter(font, title, created=created, landscape=True)
    writer.para(f"评议活动：{dossier['campaign_name'] or '—'}；类别：{dossier['category']}")
    writer.heading("一、历次评议结果")
    rows = []
    for point in trend["points"]:
        score = "样本不足" if point["insufficient_sample"] else _dash(point["score"])
        rows.append(
            (
                point["label"],
                point["campaign_name"],
                score,
                "" if point["insufficient_sample"] else _dash(point["interval"]),
                _dash(point["rank"]),
                _dash(point["rank_range"]),
                _dash(point["grade"]),
                "、".join(list_names.get(code, code) for code in point["lists"]) or "—",
            )
        )
    writer.table(
        ("轮次", "评议活动", "综合得分", "置信区间", "名次", "名次区间", "等级", "名单"),
        rows,
        (28, 80, 22, 32, 14, 20, 14, 60),
    )
    if trend["points"]:
        writer.image(ranking_png(f"{dossier['unit_name']} 历次综合得分", chart_lines(trend), font))
    writer.heading("二、本次评议各轮得分构成")
    for item in dossier["rounds"]:
        result = item["result"]
        writer.heading(f"第{item['round']}轮", 11)
        writer.para(result.get("explanation") or "")
        writer.table(
            ("项目", "权重", "得分", "计入", "样本", "计分方法"),
            (
                (
                    part["name"],
                    part["weight"],
                    _dash(part.get("value")),
                    _dash(part.get("weighted")),
                    _dash(part.get("sample")),
                    part["formula"],
                )
                for part in result["components"]
            ),
            (50, 16, 20, 20, 16, 148),
        )
        if result["deductions"]:
            writer.table(
                ("扣分项目", "扣分", "事项数", "扣分办法"),
                (
                    (part["name"], part["points"], len(part["items"]), part["formula"])
                    for part in result["deductions"]
                ),
                (60, 20, 20, 170),
            )
        for part in result["overrides"]:
            writer.para(f"{part['name']}：{part['reason']}")
    return writer.output()
