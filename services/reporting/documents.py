"""What the reporting packages' documents share: a PDF writer (fpdf2, the CJK font embedded
as a subset) and the Jinja2 environment of the office pages, so a bulletin, a jurisdiction
summary, a wave's progress and a unit's dossier read alike on screen and on paper."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse, Response
from fpdf import FPDF
from fpdf.fonts import FontFace
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from PIL import Image

from services.reporting.rounds import faces
from services.reporting.rounds.fonts import CjkFont, FontFile, needs_no_glyph, unprintable_note
from shared.web.download import disposition

FAMILY = "cjk"
HEADINGS = FontFace(emphasis="", fill_color=(221, 235, 247))
PX_MM = 0.26
PDF = "application/pdf"
BEIJING = ZoneInfo("Asia/Shanghai")
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML"}}
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {PDF: {}}, "description": "PDF, CJK font embedded"}
}

_HERE = Path(__file__).parent
PAGES = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(_HERE / "templates"), FileSystemLoader(_HERE / "rounds" / "templates")]
    ),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


def render(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(PAGES.get_template(name).render(**context))


def inline_svg(drawn: bytes) -> Markup:
    """A chart drawn by this service, inline: the chart writers escape every text they
    write."""
    return Markup(drawn.decode("utf-8"))


class CjkPdf(FPDF):
    """FPDF writing in the CJK font, whose fallbacks (`CjkFont.fallbacks`, the CJK
    extensions) are embedded when a text needs one of their glyphs, and only then (cutting
    a font of 60,000 glyphs down to a subset takes a while, even parsed once: `faces`).
    Every text passes through `normalize_text`: a character that no font has a glyph for
    is written as its code point (`fonts.mark`) and kept in `unprintable`, for the document
    to say so (`fonts.unprintable_note`), where fpdf2 would leave it out."""

    def __init__(self, font: CjkFont, *, created: datetime, landscape: bool = False) -> None:
        """`created`: the date the file states, fixed by what it reports (never the clock),
        so that the same facts give the same bytes."""
        super().__init__(orientation="landscape" if landscape else "portrait", format="A4")
        self.set_creation_date(created)
        self.cjk = font
        self.unprintable: set[str] = set()
        self.add_face(FAMILY, font.chain[0])
        self._fallbacks: dict[FontFile, str] = {}

    def add_face(self, family: str, font: FontFile) -> None:
        """`add_font`, from the font parsed once per process (`faces`)."""
        faces.add(self, family, font)

    def normalize_text(self, text: str) -> str:
        if self.font_family == FAMILY:
            text = self.cjk.printable(text, self.unprintable)
            self._embed_fallbacks(text)
        return super().normalize_text(text)

    def _embed_fallbacks(self, text: str) -> None:
        primary = self.cjk.chain[0]
        for char in text:
            if primary.covers(char) or needs_no_glyph(char):
                continue
            font = self.cjk.font_for(char)
            if font is None or font in self._fallbacks:
                continue
            family = f"{FAMILY}{self.cjk.chain.index(font)}"
            self.add_face(family, font)
            self._fallbacks[font] = family
            # In the chain's order, whichever was needed first.
            order = sorted(self._fallbacks.items(), key=lambda item: self.cjk.chain.index(item[0]))
            self.set_fallback_fonts([name for _, name in order], exact_match=False)


class PdfWriter:
    """A4 pages with headings, paragraphs, tables and images in the CJK font. What is
    written is kept and laid out by `output`: once, and when a character turned out to have
    no glyph in any font, again with the note that says so under the title."""

    def __init__(
        self, font: CjkFont, title: str, *, created: datetime, landscape: bool = False
    ) -> None:
        """`created`: as `CjkPdf`'s, fixed by what the file reports."""
        self.font, self.title, self.landscape = font, title, landscape
        self.created = created
        self._parts: list[Callable[[CjkPdf], None]] = []

    def heading(self, text: str, size: int = 13) -> None:
        self._parts.append(lambda pdf: _heading(pdf, text, size))

    def para(self, text: str) -> None:
        self._parts.append(lambda pdf: _para(pdf, text))

    def table(
        self, columns: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
    ) -> None:
        cells = [tuple("" if cell is None else str(cell) for cell in row) for row in rows]
        self._parts.append(lambda pdf: _table(pdf, tuple(columns), cells, tuple(widths)))

    def image(self, png: bytes) -> None:
        self._parts.append(lambda pdf: _image(pdf, png))

    def output(self) -> bytes:
        pdf = self._layout(frozenset())
        if pdf.unprintable:
            pdf = self._layout(frozenset(pdf.unprintable))
        return bytes(pdf.output())

    def _layout(self, unprintable: frozenset[str]) -> CjkPdf:
        pdf = CjkPdf(self.font, created=self.created, landscape=self.landscape)
        pdf.set_title(self.title)
        pdf.set_author("评议 Pingyi")
        pdf.set_auto_page_break(auto=True, margin=12)
        pdf.add_page()
        _heading(pdf, self.title, 16)
        if unprintable:
            _para(pdf, unprintable_note(unprintable))
        for part in self._parts:
            part(pdf)
        return pdf


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(w=0, h=size * 0.6, text=text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FAMILY, size=9)


def _para(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(w=0, h=5, text=text, align="L", new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: FPDF, columns: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]
) -> None:
    pdf.set_font(FAMILY, size=8)
    # Left-aligned: fpdf2's default (justified) spreads a short cell's words across it.
    with pdf.table(
        col_widths=widths, headings_style=HEADINGS, line_height=4.5, text_align="LEFT"
    ) as table:
        table.row(columns)
        for row in rows:
            table.row(row)
    pdf.ln(3)


def _image(pdf: FPDF, png: bytes) -> None:
    width, height = Image.open(io.BytesIO(png)).size
    w, h = width * PX_MM, height * PX_MM
    room = pdf.w - pdf.l_margin - pdf.r_margin
    if w > room:
        w, h = room, h * room / w
    if pdf.get_y() + h > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png), w=w, h=h)
    pdf.ln(2)


def pdf_response(content: bytes, name: str, ascii_name: str) -> Response:
    return Response(content, media_type=PDF, headers=disposition(f"{name}.pdf", ascii_name))


def beijing(moment: str | None) -> str:
    """A stored time (UTC) as a reader in China reads it, on every page and in every file:
    2026年12月01日 07:32（北京时间）."""
    if not moment:
        return ""
    local = datetime.fromisoformat(moment).astimezone(BEIJING)
    return f"{local:%Y年%m月%d日 %H:%M}（北京时间）"


PAGES.filters["beijing"] = beijing
