"""Names with characters WenQuanYi has no glyph for, behind the real services (memory mode):
公安局 renamed 𠮷野家服务中心 (U+20BB7, CJK extension B) and 教育局 舞阳县\ue000字局 (U+E000, a
private-use character no font has). The published PDF's text (pypdf, and pdftotext where
poppler is installed) keeps 𠮷野家服务中心 whole, with the fallback font embedded; the
private-use character is printed as its code point 〔U+E000〕 and the first page says so; the
ranking PNG draws 𠮷 from the fallback font (the glyph, not an empty box), and every label's
characters have a glyph in the font each is drawn in; the JSON keeps both names as recorded.
Fonts: the settings' defaults (fonts-wqy-microhei, fonts-hanazono)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFont

from services.reporting.rounds import png
from services.reporting.rounds.fonts import CjkFont, checked
from services.reporting.settings import DEFAULT_CJK_FALLBACK_FONTS, DEFAULT_CJK_FONT
from shared.contracts.registry import CHINA
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_text
from tests.reporting.rounds.helpers import SERVICES, Scored, publish, run, scored_round

RARE = "\U00020bb7野家服务中心"
PRIVATE = "舞阳县\ue000字局"
MARKED = "舞阳县〔U+E000〕字局"
NOTE = "注：所用字体均无下列字符的字形，文中以方括号内的 Unicode 码位标出：〔U+E000〕。"


@pytest.fixture(scope="module")
def font() -> CjkFont:
    return checked(DEFAULT_CJK_FONT, 0, DEFAULT_CJK_FALLBACK_FONTS)


@pytest.fixture(scope="module")
def story() -> Iterator[Scored]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        registry = cluster["registry"]
        for unit_id, name in zip(scored.rnd.world.unit_ids[:2], (RARE, PRIVATE), strict=True):
            renamed = registry.post(
                f"/units/{unit_id}/rename",
                json={
                    "name": name,
                    "effective_on": datetime.now(CHINA).date().isoformat(),
                    "reason": "更名",
                },
                headers=scored.office,
            )
            assert renamed.status_code == 200, renamed.text
        cluster.wait_caught_up("scoring", "registry")
        cluster.wait_caught_up("reporting", "registry")
        final = run(scored, final=True, reason="上半年结果")
        publish(scored, {"run_id": final["run_id"], "reason": "经县纠风办审定"})
        yield scored


def _pdf(scored: Scored, rest: str) -> bytes:
    response = scored.reporting.get(scored.public(rest))
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-")
    return response.content


def test_the_names_are_recorded_as_given(story: Scored) -> None:
    results = story.reporting.get(story.public("/rounds/1")).json()
    names = [e["unit_name"] for c in results["categories"] for e in c["entries"]]
    assert names[:2] == [RARE, PRIVATE]


def test_the_published_pdf_keeps_a_name_of_the_cjk_extensions(story: Scored) -> None:
    body = _pdf(story, "/rounds/1/results.pdf")
    text, embedded = pdf_text(body)
    assert RARE in text  # not 野家服务中心
    assert f"先进单位：{RARE}" in text
    assert any("HanaMin" in name for name in embedded), embedded
    assert any("WenQuanYi" in name for name in embedded), embedded
    if shutil.which("pdftotext"):
        extracted = subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert RARE in extracted


def test_a_character_no_font_has_is_marked_never_dropped(story: Scored) -> None:
    text, _ = pdf_text(_pdf(story, "/rounds/1/results.pdf"))
    assert MARKED in text and f"通报批评：{MARKED}" in text
    assert "舞阳县字局" not in text  # what fpdf2 alone printed: the character left out
    # Said on the first page, right under the title.
    assert text.index(NOTE) < text.index("评分方案：")
    # The documents of the shared writer (the unit's dossier) alike.
    unit = story.rnd.world.unit_ids[1]
    dossier, _ = pdf_text(_pdf(story, f"/units/{unit}/dossier.pdf"))
    assert MARKED in dossier and NOTE in dossier
    rare, _ = pdf_text(_pdf(story, f"/units/{story.rnd.world.unit_ids[0]}/dossier.pdf"))
    assert RARE in rare and NOTE not in rare


def _cmap(path: Path, index: int) -> set[int]:
    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        return set(font.getBestCmap())
    finally:
        font.close()


def test_every_character_of_a_chart_label_has_a_glyph_in_its_font(font: CjkFont) -> None:
    primary = _cmap(font.path, font.index)
    assert 0x20BB7 not in primary, "the test needs a primary font without 𠮷"
    for name in (RARE, PRIVATE):
        runs = font.runs(name)
        for face, piece in runs:
            assert all(ord(char) in _cmap(face.path, face.index) for char in piece), piece
        shown = "".join(piece for _, piece in runs)
        assert shown == (RARE if name == RARE else MARKED)
    assert runs and font.runs(RARE)[0][0].path in DEFAULT_CJK_FALLBACK_FONTS


def test_the_ranking_png_draws_the_glyph_not_an_empty_box(story: Scored, font: CjkFont) -> None:
    response = story.reporting.get(story.public("/rounds/1/charts/ranking.png"))
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(response.content))
    # The first row's label, 𠮷野家服务中心, ends at LABEL_WIDTH − 8; its first character is
    # drawn where the rest of the name (in WenQuanYi) leaves off.
    rest = ImageFont.truetype(str(font.path), 14, index=font.index).getlength(RARE[1:])
    fallback = next(face for face in font.chain[1:] if face.covers(RARE[0]))
    glyph = ImageFont.truetype(str(fallback.path), 14, index=fallback.index)
    right = png.LABEL_WIDTH - 8 - rest
    box = (int(right) - 16, png.TOP, int(right), png.TOP + png.ROW)
    drawn = image.crop(box)
    expected = Image.new("RGB", image.size, "white")
    ascent, descent = ImageFont.truetype(str(font.path), 14, index=font.index).getmetrics()
    baseline = png.TOP + 14 + (ascent - descent) / 2
    ImageDraw.Draw(expected).text(
        (right - glyph.getlength(RARE[0]), baseline), RARE[0], fill=png.INK, font=glyph, anchor="ls"
    )
    assert ImageChops.difference(drawn, expected.crop(box)).getbbox() is None
    # And that is not what WenQuanYi alone draws for it (its empty box).
    tofu = Image.new("RGB", image.size, "white")
    wqy = ImageFont.truetype(str(font.path), 14, index=font.index)
    ImageDraw.Draw(tofu).text(
        (right - wqy.getlength(RARE[0]), baseline), RARE[0], fill=png.INK, font=wqy, anchor="ls"
    )
    assert ImageChops.difference(drawn, tofu.crop(box)).getbbox() is not None


def test_a_missing_fallback_font_is_a_clear_503(
    story: Scored, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = story.reporting.app.state.runtime.settings
    monkeypatch.setattr(settings, "cjk_fallback_fonts", (Path("/nonexistent/HanaMinB.ttf"),))
    response = story.reporting.get(story.public("/rounds/1/results.pdf"))
    assert response.status_code == 503
    detail = response.json()["detail"][0]
    assert response.json()["error"] == "cjk_font_unavailable"
    assert detail["field"] == "PINGYI_REPORTING_CJK_FALLBACK_FONTS"
    assert "fonts-hanazono" in detail["reason"]
