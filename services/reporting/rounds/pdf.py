"""A round's results as PDF (fpdf2), laid out as an office prints it: A4 landscape, the title
and the provenance with the first ranking below them, each category's ranking as a compact
table (some twenty units a page, the heading row repeated, text left-aligned) followed by its
chart (PNG, with interval whiskers), then the grade distribution, the lists and the
methodology in the scheme's words, each starting on the page where the previous one ends.
The CJK font is embedded as a subset, with a fallback font's glyphs for a character of the
CJK extensions (`documents.CjkPdf`), so the file reads the same on a machine with no Chinese
font; a character no font has is shown as its code point, and the first page says so."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from services.reporting.documents import CjkPdf, beijing
from services.reporting.rounds.files import Edition
from services.reporting.rounds.fonts import CjkFont, unprintable_note
from services.reporting.rounds.method import other_flags
from services.reporting.rounds.png import grades_png, ranking_png
from services.reporting.rounds.shares import distribution, weighting_note

FAMILY = "cjk"
HEADINGS = FontFace(emphasis="", fill_color=(221, 235, 247))
CHART_ROWS = 20
"""Units per ranking chart image: a long category continues on the next image rather than
shrinking to an unreadable height."""
PX_MM = 0.2
"""A chart's pixel in millimetres: its 14-pixel labels print at 2.8 mm, the table's size."""
TABLE_SIZE = 7.5
LINE = 3.4
"""The table's font size (pt) and line height (mm): two lines of 满意度分布 a unit."""
KEEP = 30
"""Millimetres a section needs below its heading to start on the page it follows."""
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
WIDTHS = (10, 14, 48, 15, 24, 10, 13, 106, 37)
ALIGN = ("CENTER", "CENTER", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "LEFT", "LEFT")


def results_pdf(
    document: dict[str, Any],
    method: dict[str, Any],
    font: CjkFont,
    published: dict[str, Any] | None,
    edition: Edition,
) -> bytes:
    """The PDF of a results document (`RoundResults.results`); `published` is the version
    shown (None for an office's unpublished run), `edition` what the title says it is
    (第n版, 第n版，已更正, 暂定/未发布) and a superseded version's notice. Laid out again,
    with the note under the title, when a character turned out to have no glyph."""
    pdf = _layout(document, method, font, published, edition, frozenset())
    if pdf.unprintable:
        pdf = _layout(document, method, font, published, edition, frozenset(pdf.unprintable))
    return bytes(pdf.output())


def _layout(
    document: dict[str, Any],
    method: dict[str, Any],
    font: CjkFont,
    published: dict[str, Any] | None,
    edition: Edition,
    unprintable: frozenset[str],
) -> CjkPdf:
    # A published version is dated by its publication, an office's run by its computation.
    created = published["published_at"] if published is not None else document["computed_at"]
    pdf = CjkPdf(font, created=datetime.fromisoformat(created), landscape=True)
    title = _title(document, edition)
    pdf.set_title(title)
    pdf.set_author("评议 Pingyi")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    _heading(pdf, title, 16)
    if edition.notice is not None:
        _notice(pdf, edition.notice)
    if unprintable:
        _notice(pdf, unprintable_note(unprintable))
    if document.get("replaces"):
        _notice(pdf, replaced_line(document))
    _front(pdf, document, published)
    for category in document["categories"]:
        _category(pdf, document, category, font)
    _grades(pdf, document, font)
    _lists(pdf, document)
    _method(pdf, method)
    return pdf


def _title(document: dict[str, Any], edition: Edition) -> str:
    name = document["campaign_name"] or "评议活动"
    return f"{name} 第{document['round']}轮评议结果（{edition.title_state}）"


def replaced_line(document: dict[str, Any]) -> str:
    """What the round's page says under the title of a run that replaced an earlier final
    (`round.html`): a printed copy must not read as the round's first result."""
    return f"本次结果取代了前一次正式结果（原因：{document.get('reason') or '未说明'}）"


def _heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(w=0, h=size * 0.55, text=text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FAMILY, size=9)


def _section(pdf: FPDF, text: str, need: float = KEEP) -> None:
    """A section's heading, on a new page only when too little of this one is left for the
    heading and the start of what follows it (`need`, mm)."""
    if pdf.get_y() + need > pdf.h - pdf.b_margin:
        pdf.add_page()
    else:
        pdf.ln(3)
    _heading(pdf, text)


def _notice(pdf: FPDF, text: str) -> None:
    """Under the title, larger than the text and wrapped: the first thing a reader sees."""
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(w=0, h=6, text=text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)


def _para(pdf: FPDF, text: str, size: float = 9) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(w=0, h=size * 0.5, text=text, align="L", new_x="LMARGIN", new_y="NEXT")


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
        _para(pdf, line, 8)
    pdf.ln(1)


def _category(pdf: FPDF, document: dict[str, Any], category: dict[str, Any], font: CjkFont) -> None:
    _section(pdf, f"{category['category']} 排名")
    pdf.set_font(FAMILY, size=TABLE_SIZE)
    with pdf.table(
        col_widths=WIDTHS,
        headings_style=HEADINGS,
        line_height=LINE,
        text_align=ALIGN,
        padding=(0.7, 1),
    ) as table:
        table.row(COLUMNS)
        for line in category["entries"]:
            table.row(_cells(line))
    note = weighting_note(category["entries"])
    if note:
        _para(pdf, f"注：{note}", 8)
    pdf.ln(2)
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
        other_flags(line),
    )


def _image(pdf: FPDF, png: bytes) -> None:
    """A chart at its size, on the next page when it does not fit below."""
    w, h = _size(png)
    if pdf.get_y() + h > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png), w=w, h=h)
    pdf.ln(2)


def _size(png: bytes) -> tuple[float, float]:
    width, height = Image.open(io.BytesIO(png)).size
    return width * PX_MM, height * PX_MM


def _grades(pdf: FPDF, document: dict[str, Any], font: CjkFont) -> None:
    counts = document["grade_counts"]
    chart = grades_png(f"{_round_name(document)} 等级分布", counts, font)
    # The heading, its sentence and the chart stay together.
    _section(pdf, "等级分布", need=20 + _size(chart)[1])
    _para(pdf, "；".join(f"{grade}：{count}个单位" for grade, count in counts.items()))
    _image(pdf, chart)


def _lists(pdf: FPDF, document: dict[str, Any]) -> None:
    _section(pdf, "名单")
    for item in document["lists"]:
        names = "、".join(u["unit_name"] for u in item["units"]) or "无"
        _para(pdf, f"{item['name']}：{names}")
    pdf.ln(2)


def _method(pdf: FPDF, method: dict[str, Any]) -> None:
    _section(pdf, "评议方法（评分方案原文）")
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
