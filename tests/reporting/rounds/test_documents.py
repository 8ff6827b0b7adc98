"""PDF and PNG of round results behind the real services (memory mode): the published PDF
is opened with pypdf and its Chinese text (units, 样本不足, lists, the scheme's formulas) read
back, with the CJK font embedded; the PNG charts are opened with Pillow and their pixels
checked against the scores (helpers' figures: 公安局 93.00 with interval, 教育局 60.00,
供电公司 样本不足). Nothing is public before publication."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from services.reporting.rounds import png
from services.reporting.rounds.fonts import FontUnavailable, checked
from services.reporting.settings import DEFAULT_CJK_FONT
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    run,
    scored_round,
)

GOV = "政府部门及其它机构"
BAR = (0x1F, 0x4E, 0x79)
ARTIFACTS = Path(os.environ.get("PINGYI_TEST_ARTIFACTS", "test-artifacts")) / "reporting"


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")
        yield scored, final


def _pdf_text(body: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                    embedded.add(str(font["/BaseFont"]))
    return text, embedded


def test_nothing_is_public_before_publication(story: Any) -> None:
    scored, final = story
    for rest in ("/results.pdf", "/charts/ranking.png", "/charts/grades.png"):
        rest = f"/rounds/1{rest}"
        response = scored.reporting.get(scored.public(rest))
        assert response.status_code == 404, (rest, response.text)
        assert response.json()["error"] == "not_published"
    office = scored.reporting.get(scored.path("/rounds/1/results.pdf"), headers=scored.office)
    assert office.status_code == 200, office.text
    text, _ = _pdf_text(office.content)
    assert "第1轮评议结果（未发布）" in text
    # Dated by the run's computation, never the clock: the same run, the same bytes.
    created = PdfReader(io.BytesIO(office.content)).metadata.creation_date
    assert created == datetime.fromisoformat(final["computed_at"]).replace(microsecond=0)
    refused = scored.reporting.get(
        scored.path("/rounds/1/results.pdf"), headers=scored.unit_key.headers
    )
    assert refused.status_code == 403


def test_the_published_pdf_reads_back_in_chinese_with_its_font_embedded(story: Any) -> None:
    scored, final = story
    version = publish(scored, {"run_id": final["run_id"], "reason": "经县纠风办审定"})
    response = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    assert response.status_code == 200, response.text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "results.pdf").write_bytes(response.content)
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text, embedded = _pdf_text(response.content)
    assert any("WenQuanYi" in name for name in embedded), embedded
    for expected in (
        "舞阳县2026年度民主评议政风行风 第1轮评议结果（第1版）",
        f"{GOV} 排名",
        "舞阳县公安局",
        "93.00",
        "舞阳县教育局",
        "60.00",
        "舞阳县供电公司",
        "样本不足",
        "先进单位：舞阳县公安局",
        "通报批评：舞阳县教育局",
        "满意计100分、基本满意计80分、不满意计0分，取有效问卷的平均分",
        "一般问题每个扣0.5分、较重问题扣1分、严重问题扣2分，最多扣5分",
        "不低于85分",
        final["results_digest"],
        version["snapshot_digest"],
    ):
        assert expected in text.replace("\n", ""), expected
    again = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    assert again.content == response.content, "the same publication draws the same bytes"
    # Charts are embedded as images: one ranking chart (3 units) and the grade distribution.
    images = [img for page in PdfReader(io.BytesIO(response.content)).pages for img in page.images]
    assert len(images) == 2


def _ranking(scored: Scored) -> Image.Image:
    response = scored.reporting.get(scored.public("/rounds/1/charts/ranking.png"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def test_the_office_pdf_of_the_published_run_is_the_published_one(story: Any) -> None:
    """Printed for a meeting after publication, the office's PDF of the run in force must
    not say 未发布: it is the published version's PDF, byte for byte."""
    scored, _ = story
    office = scored.reporting.get(scored.path("/rounds/1/results.pdf"), headers=scored.office)
    public = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    assert office.status_code == public.status_code == 200
    text, _ = _pdf_text(office.content)
    assert "第1轮评议结果（第1版）" in text and "未发布" not in text
    assert office.content == public.content
    # A later final run nobody published is still 未发布.
    more_answers(scored)
    later = run(scored, final=True, reason="补录两份问卷后重算")
    unpublished = scored.reporting.get(
        scored.path(f"/rounds/1/results.pdf?run_id={later['run_id']}"), headers=scored.office
    )
    assert "第1轮评议结果（未发布）" in _pdf_text(unpublished.content)[0]


def test_the_ranking_png_draws_each_score_and_no_bar_under_the_minimum_sample(story: Any) -> None:
    scored, _ = story
    image = _ranking(scored)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "ranking.png")
    assert image.format == "PNG" and image.mode == "RGB"
    width = png.LABEL_WIDTH + png.PLOT_WIDTH + png.SCORE_WIDTH
    assert image.size == (width, png.TOP + 3 * png.ROW + 16)
    pixels = image.load()
    assert pixels is not None

    def row(index: int, x: int) -> Any:
        # Above the whisker's ends (mid − 6), inside the bar (y + 6 … y + 22).
        return pixels[png.LABEL_WIDTH + x, png.TOP + index * png.ROW + 7]

    # 公安局 93.00 → 446 px of 480; 教育局 60.00 → 288 px.
    assert row(0, 440) == BAR and row(0, 450) == (255, 255, 255)
    assert row(1, 280) == BAR and row(1, 295) == (255, 255, 255)
    third = [row(2, x) for x in range(0, png.PLOT_WIDTH)]
    assert BAR not in third
    # The interval's whisker is drawn in red across the first bar's row.
    middle = [pixels[x, png.TOP + 14] for x in range(png.LABEL_WIDTH, png.LABEL_WIDTH + 480)]
    assert (0xC0, 0, 0) in middle
    again = _ranking(scored)
    assert again.tobytes() == image.tobytes()
    missing = scored.reporting.get(scored.public("/rounds/1/charts/ranking.png?category=无此类别"))
    assert missing.status_code == 404 and missing.json()["error"] == "category_not_found"


def test_the_grades_png_has_one_bar_per_graded_unit(story: Any) -> None:
    scored, _ = story
    response = scored.reporting.get(scored.public("/rounds/1/charts/grades.png"))
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.mode == "RGB"
    pixels = image.load()
    assert pixels is not None
    bottom = png.TOP + 20 + 200 - 1
    # Grades 好, 中, 差 with one unit each for 好 and 差 (供电公司 is not graded).
    columns = [pixels[40 + i * 90 + 25, bottom] for i in range(3)]
    assert columns == [BAR, (255, 255, 255), BAR]


def test_a_missing_font_is_a_clear_503(story: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    scored, _ = story
    settings = scored.reporting.app.state.runtime.settings
    monkeypatch.setattr(settings, "cjk_font", Path("/nonexistent/font.ttc"))
    response = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "cjk_font_unavailable"
    assert body["detail"][0]["field"] == "PINGYI_REPORTING_CJK_FONT"
    assert "fonts-wqy-microhei" in body["detail"][0]["reason"]


def test_the_default_font_is_the_one_the_test_script_installs() -> None:
    assert checked(DEFAULT_CJK_FONT).path == DEFAULT_CJK_FONT
    with pytest.raises(FontUnavailable):
        checked(Path("/nonexistent/font.ttc"))
