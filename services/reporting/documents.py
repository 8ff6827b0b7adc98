"""What the reporting packages' documents share: a PDF writer (fpdf2, the CJK font embedded
as a subset) and the Jinja2 environment of the office pages, so a bulletin, a jurisdiction
summary, a wave's progress and a unit's dossier read alike on screen and on paper."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
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

from services.reporting.rounds.fonts import CjkFont
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


class PdfWriter:
    """A4 pages with headings, paragraphs, tables and images in the CJK font."""

    def __init__(self, font: CjkFont, title: str, *, landscape: bool = False) -> None:
        self.pdf = FPDF(orientation="landscape" if landscape else "portrait", format="A4")
        self.pdf.add_font(FAMILY, fname=str(font.path), collection_font_number=font.index)
        self.pdf.set_title(title)
        self.pdf.set_author("评议 Pingyi")
        self.pdf.set_auto_page_break(auto=True, margin=12)
        self.pdf.add_page()
        self.heading(title, 16)

    def dated(self, moment: datetime) -> None:
        """The creation date the file states: fixed by what it reports, so the same facts
        give the same bytes."""
        self.pdf.set_creation_date(moment)

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.set_font(FAMILY, size=size)
        self.pdf.multi_cell(w=0, h=size * 0.6, text=text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)
        self.pdf.set_font(FAMILY, size=9)

    def para(self, text: str) -> None:
        self.pdf.set_font(FAMILY, size=9)
        self.pdf.multi_cell(w=0, h=5, text=text, align="L", new_x="LMARGIN", new_y="NEXT")

    def table(
        self, columns: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
    ) -> None:
        self.pdf.set_font(FAMILY, size=8)
        with self.pdf.table(
            col_widths=tuple(widths), headings_style=HEADINGS, line_height=4.5
        ) as table:
            table.row(tuple(columns))
            for row in rows:
                table.row(tuple("" if cell is None else str(cell) for cell in row))
        self.pdf.ln(3)

    def image(self, png: bytes) -> None:
        width, height = Image.open(io.BytesIO(png)).size
        w, h = width * PX_MM, height * PX_MM
        room = self.pdf.w - self.pdf.l_margin - self.pdf.r_margin
        if w > room:
            w, h = room, h * room / w
        if self.pdf.get_y() + h > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()
        self.pdf.image(io.BytesIO(png), w=w, h=h)
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


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
