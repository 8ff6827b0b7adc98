"""The PDF fonts are parsed once per process (`services/reporting/rounds/faces.py`): a name of
CJK extension B (𠀀, U+20000) needs HanaMinB, whose 60,000 glyphs fpdf2's `add_font` parsed
anew for every PDF. Two PDFs naming it share one parse, and their bytes are those
`add_font` gives, as before; threads asking for a font's first parse at once get one parse.
Fonts: the settings' defaults (fonts-wqy-microhei, fonts-hanazono)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.fonts import TTFFont

from services.reporting.documents import FAMILY, HEADINGS, CjkPdf
from services.reporting.rounds import faces
from services.reporting.rounds.fonts import CjkFont, FontFile, checked
from services.reporting.settings import DEFAULT_CJK_FALLBACK_FONTS, DEFAULT_CJK_FONT
from tests.reporting.documents import pdf_text

NAME = "\U00020000野家服务中心"  # 𠀀: extension B, in HanaMinB only
CREATED = datetime(2026, 12, 1, 7, 32, tzinfo=UTC)


@pytest.fixture(scope="module")
def font() -> CjkFont:
    return checked(DEFAULT_CJK_FONT, 0, DEFAULT_CJK_FALLBACK_FONTS)


class ParsedPerPdf(CjkPdf):
    """What every PDF did before: fpdf2's own `add_font`, the font parsed for this PDF."""

    def add_face(self, family: str, font: FontFile) -> None:
        self.add_font(family, fname=str(font.path), collection_font_number=font.index)


def _document(pdf: CjkPdf) -> CjkPdf:
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(w=0, h=9, text=f"{NAME} 评议结果", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=8)
    with pdf.table(col_widths=(20, 60, 20), headings_style=HEADINGS, text_align="LEFT") as table:
        table.row(("名次", "单位名称", "综合得分"))
        table.row(("1", NAME, "94.67"))
        table.row(("2", "舞阳县教育局", "76.00"))
    return pdf


def _bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def test_two_pdfs_share_one_parse_and_keep_their_bytes(font: CjkFont) -> None:
    first = _document(CjkPdf(font, created=CREATED))
    second = _document(CjkPdf(font, created=CREATED))
    before = _bytes(_document(ParsedPerPdf(font, created=CREATED)))
    hana_b = f"{FAMILY}{font.chain.index(font.font_for(NAME[0]) or font.chain[0])}"
    assert hana_b != FAMILY, "the name needs a fallback font"
    for family in (FAMILY, hana_b):
        # The parsed tables are one object for both; each PDF has its own subset.
        one, other = first.fonts[family], second.fonts[family]
        assert isinstance(one, TTFFont) and isinstance(other, TTFFont)
        assert one.cmap is other.cmap
        assert one.subset is not other.subset
    assert _bytes(first) == before
    assert _bytes(second) == before
    text, embedded = pdf_text(before)
    assert NAME in text and len(embedded) == 2


def test_threads_asking_at_once_get_one_parse(tmp_path: Path) -> None:
    # A path this process has not parsed yet (a link to the font): its first parse.
    linked = tmp_path / "wqy-microhei.ttc"
    linked.symlink_to(DEFAULT_CJK_FONT)
    fresh = FontFile(linked)
    start = threading.Barrier(4)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(faces.parsed(fresh))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 4 and got[0] is not None
    assert all(found is got[0] for found in got)
