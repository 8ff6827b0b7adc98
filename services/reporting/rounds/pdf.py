"""A round's results as PDF (fpdf2): title and provenance, each category's ranking as a table
and as a chart (PNG, with interval whiskers), the grade distribution, the lists, and the
methodology in the scheme's words. The CJK font is embedded as a subset, so the file reads
the same on a machine with no Chinese font."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from services.reporting.documents import beijing
from services.reporting.rounds.files import Edition
from services.reporting.rounds.fonts import CjkFont
from services.reporting.rounds.method import flag_names
from services.reporting.rounds.png import grades_png, ranking_png
from services.reporting.rounds.shares import distribution, weighting_note

FAMILY = "cjk"
HEADINGS = FontFace(emphasis="", fill_color=(221, 235, 247))
CHART_ROWS = 20
"""Units per ranking chart image: a long category continues on the next image rather than
shrinking to an unreadable height."""
PX_MM = 0.3
COLUMNS = (
    "名次",
    "名次区间",
    "单位名称",
    "综合得分",
    "置信区间",
    "等级",
    "有效样本",
    "满意度分布",
    "标记",
)
WIDTHS = (12, 18, 62, 20, 30, 12, 16, 62, 35)


def results_pdf(
    document: dict[str, Any],
    method: dict[str, Any],
    font: CjkFont,
    published: dict[str, Any] | None,
    edition: Edition,
) -> bytes:
    """The PDF of a results document (`RoundResults.results`); `published` is the version
    shown (None for an office's unpublished run), `edition` what the title says it is
    (第n版, 第n版，已更正, 暂定/未发布) and a superseded version's notice."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_font(FAMILY, fname=str(font.path), collection_font_number=font.index)
    title = _title(document, edition)
    pdf.set_title(title)
    pdf.set_author("评议 Pingyi")
    if published is not None:
        pdf.set_creation_date(datetime.fromisoformat(published["published_at"]))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    _heading(pdf, title, 18)
    if edition.notice is not None:
        _notice(pdf, edition.notice)
    _front(pdf, document, published)
    for category in document["categories"]:
        _category(pdf, document, category, font)
    _grades(pdf, document, font)
    _lists(pdf, document)
    _method(pdf, method)
    return bytes(pdf.output())


def _title(document: dict[str, Any], edition: Edition) -> str:
    name = document["campaign_name"] or "评议活动"
    return f"{name} 第{document['round']}轮评议结果（{edition.title_state}）"


def _heading(pdf: FPDF, text: str, size: int = 14) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.cell(text=text, new_x="LMARGIN", new_y="NEXT", h=size * 0.6)
    pdf.set_font(FAMILY, size=9)


def _notice(pdf: FPDF, text: str) -> None:
    """Under the title, larger than the text and wrapped: the first thing a reader sees."""
    pdf.set_font(FAMILY, size=12)
    pdf.multi_cell(w=0, h=7, text=text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)


def _para(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(w=0, h=5, text=text, align="L", new_x="LMARGIN", new_y="NEXT")


def _front(pdf: FPDF, document: dict[str, Any], published: dict[str, Any] | None) -> None:
    scheme = document["scheme"]
    lines = [
        f"评分方案：{document['scheme_title']}（{scheme['scheme_id']} 第{scheme['version']}版，"
        f"{scheme['scheme_hash']}）",
        f"计分运行：{document['run_id']}（{'正式' if document['final'] else '暂定'}，"
        f"计算于{beijing(document['computed_at'])}）",
        f"结果摘要：{document['results_digest']}",
    ]
    if published is not None:
        reason = f"，{published['reason']}" if published.get("reason") else ""
        lines += [
            f"发布：第{published['version']}版，发布于{beijing(published['published_at'])}{reason}",
            f"发布快照摘要：{published['snapshot_digest']}",
        ]
    for line in lines:
        _para(pdf, line)
    pdf.ln(2)


def _category(pdf: FPDF, document: dict[str, Any], category: dict[str, Any], font: CjkFont) -> None:
    pdf.add_page()
    _heading(pdf, f"{category['category']} 排名")
    with pdf.table(col_widths=WIDTHS, headings_style=HEADINGS, line_height=5) as table:
        table.row(COLUMNS)
        for line in category["entries"]:
            table.row(_cells(line))
    note = weighting_note(category["entries"])
    if note:
        _para(pdf, f"注：{note}")
    pdf.ln(4)
    entries = category["entries"]
    for start in range(0, len(entries), CHART_ROWS):
        more = "（续）" if start else ""
        title = f"{_round_name(document)} {category['category']}{more}"
        _image(pdf, ranking_png(title, entries[start : start + CHART_ROWS], font))


def _round_name(document: dict[str, Any]) -> str:
    return f"{document['campaign_name'] or ''} 第{document['round']}轮".strip()


def _cells(line: dict[str, Any]) -> tuple[str, ...]:
    rank_range = "" if line["rank_range"] is None else "–".join(map(str, line["rank_range"]))
    interval = "" if line["interval"] is None else "–".join(line["interval"])
    score = line["score"] or ""
    if line["insufficient_sample"]:
        # As on the page: below the minimum sample a rate would mislead, so none is shown.
        score, interval = "样本不足", ""
    return (
        "" if line["rank"] is None else str(line["rank"]),
        rank_range,
        ("　" if line["sub_unit"] else "") + line["unit_name"],
        score,
        interval,
        line["grade"] or "",
        "" if line["valid_sample"] is None else str(line["valid_sample"]),
        distribution(line["shares"]),
        "、".join(
            f for f in flag_names(line["flags"], line.get("component_names")) if f != "样本不足"
        ),
    )


def _image(pdf: FPDF, png: bytes) -> None:
    width, height = Image.open(io.BytesIO(png)).size
    w, h = width * PX_MM, height * PX_MM
    if pdf.get_y() + h > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png), w=w, h=h)
    pdf.ln(2)


def _grades(pdf: FPDF, document: dict[str, Any], font: CjkFont) -> None:
    pdf.add_page()
    _heading(pdf, "等级分布")
    counts = document["grade_counts"]
    _para(pdf, "；".join(f"{grade}：{count}个单位" for grade, count in counts.items()))
    _image(pdf, grades_png(f"{_round_name(document)} 等级分布", counts, font))


def _lists(pdf: FPDF, document: dict[str, Any]) -> None:
    _heading(pdf, "名单")
    for item in document["lists"]:
        names = "、".join(u["unit_name"] for u in item["units"]) or "无"
        _para(pdf, f"{item['name']}：{names}")
    pdf.ln(2)


def _method(pdf: FPDF, method: dict[str, Any]) -> None:
    pdf.add_page()
    _heading(pdf, "评议方法（评分方案原文）")
    scheme = method["scheme"]
    _para(
        pdf,
        f"{method['scheme_title']}：方案 {scheme['scheme_id']} 第{scheme['version']}版，"
        f"方案摘要 {scheme['scheme_hash']}；输入摘要 {method['inputs_digest']}。",
    )
    for part in method["components"]:
        _para(pdf, f"【{part['name']}】权重 {part['weight']}：{part['formula']}")
    for part in method["deductions"]:
        # The formula is the scheme's own sentence and states its cap where there is one.
        _para(pdf, f"【{part['name']}】{part['formula']}")
    for name in method["overrides"]:
        _para(pdf, f"【{name}】")
    for grade in method["grades"]:
        _para(pdf, f"等级“{grade['grade']}”：{'；'.join(grade['bases']) or '本轮无单位'}")
    _para(pdf, "名单：" + "、".join(item["name"] for item in method["lists"]))
