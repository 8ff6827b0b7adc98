"""Long names and titles are never cut off at a chart's edge. Chinese unit names run long
(漯河市城市管理行政执法局市政工程管理处), and a wave's or round's name makes a long title;
the charts widen their names' column and their canvas for them (`rounds/charts.py`,
`rounds/png.py`). The SVG is laid out by Debian's Chromium, which reports where each text
actually ends (`getBBox`); the PNG is read pixel by pixel: text cut off at an edge leaves ink
in the edge's columns."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from services.reporting.rounds import png
from services.reporting.rounds.charts import grades_svg, ranking_svg
from services.reporting.rounds.fonts import CjkFont, checked
from services.reporting.rounds.png import grades_png, ranking_png
from services.reporting.settings import DEFAULT_CJK_FALLBACK_FONTS, DEFAULT_CJK_FONT
from tests.reporting.rounds.browser import dom

LONG_NAME = "漯河市城市管理行政执法局市政工程管理处\U00020bb7家窗口"
TITLE = "漯河市2026年度民主评议政风行风和人民满意基层服务单位评议 第1轮评议结果 公共服务行业"
LINES = [
    {
        "unit_name": LONG_NAME,
        "score": "91.25",
        "interval": ["88.00", "94.50"],
        "rank": 1,
        "insufficient_sample": False,
    },
    {
        "unit_name": "舞阳县教育局",
        "score": "80.00",
        "interval": None,
        "rank": 2,
        "insufficient_sample": False,
    },
    {
        "unit_name": "临颍县供电公司（营业厅）",
        "score": None,
        "interval": None,
        "rank": None,
        "insufficient_sample": True,
    },
]
GRADES = {"优": 3, "良": 5, "中": 2, "差": 1}
HUGE_NAME = "漯河市" + "城市管理行政执法局" * 20 + "窗口"
HUGE = [dict(LINES[0], unit_name=HUGE_NAME), *LINES[1:]]
MEASURE = """<script>
const found = [];
for (const svg of document.querySelectorAll("svg")) {
  const width = svg.viewBox.baseVal.width;
  for (const text of svg.querySelectorAll("text")) {
    const box = text.getBBox();
    found.push({text: text.textContent, left: box.x, right: box.x + box.width, width});
  }
}
document.getElementById("out").textContent = JSON.stringify(found);
</script>"""


@pytest.fixture(scope="module")
def font() -> CjkFont:
    return checked(DEFAULT_CJK_FONT, 0, DEFAULT_CJK_FALLBACK_FONTS)


def test_every_text_of_the_svg_charts_is_inside_the_chart(tmp_path: Path) -> None:
    charts = [
        ranking_svg(TITLE, LINES).decode(),
        grades_svg(TITLE, GRADES).decode(),
        ranking_svg(TITLE * 5, HUGE).decode(),
    ]
    page = tmp_path / "charts.html"
    page.write_text(
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body>'
        + "".join(charts)
        + '<pre id="out"></pre>'
        + MEASURE
        + "</body></html>",
        encoding="utf-8",
    )
    rendered = dom(page.as_uri())
    found = json.loads(re.search(r'<pre id="out">(.*?)</pre>', rendered, re.S).group(1))  # type: ignore[union-attr]
    texts = {item["text"] for item in found}
    assert LONG_NAME in texts and TITLE in texts
    # The huge name is cut short, its full name its label's title.
    assert any(text.startswith(HUGE_NAME) and text.endswith("…") for text in texts), texts
    for item in found:
        assert item["left"] >= 0, item
        assert item["right"] <= item["width"], item


def _edge_ink(png: bytes) -> list[int]:
    """The edge columns (two pixels at the left and at the right) that hold anything but
    the white background."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    columns = [0, 1, image.width - 2, image.width - 1]
    return [
        x
        for x in columns
        if any(image.getpixel((x, y)) != (255, 255, 255) for y in range(image.height))
    ]


def test_no_text_of_the_png_charts_runs_off_an_edge(font: CjkFont) -> None:
    assert _edge_ink(ranking_png(TITLE, LINES, font)) == []
    assert _edge_ink(grades_png(TITLE, GRADES, font)) == []
    huge = ranking_png(TITLE * 5, HUGE, font)
    assert _edge_ink(huge) == []
    assert Image.open(io.BytesIO(huge)).width == png.MAX_TITLE  # not 3,000 pixels and more
    # Short names keep the chart as it was: the bars start where they always did.
    short = [dict(LINES[1])]
    image = Image.open(io.BytesIO(ranking_png("排名", short, font)))
    assert image.width == png.LABEL_WIDTH + png.PLOT_WIDTH + png.SCORE_WIDTH
