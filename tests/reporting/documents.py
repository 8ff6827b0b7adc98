"""Reading back what reporting's documents say: a PDF's text and embedded fonts (pypdf), and
an HTML page's table rows as text (the standard library's parser)."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from pypdf import PdfReader


def pdf_text(body: bytes) -> tuple[str, set[str]]:
    """The text of every page, newlines removed (a long line wraps), and the fonts whose
    program is embedded."""
    reader = PdfReader(io.BytesIO(body))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                    embedded.add(str(font["/BaseFont"]))
    return text, embedded


def pdf_images(body: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(body)).pages)


class _Rows(HTMLParser):
    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr" and self.css_class in classes:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str, css_class: str) -> list[list[str]]:
    """The cells' text of every `<tr class="…css_class…">`, in order."""
    parser = _Rows(css_class)
    parser.feed(html)
    return parser.rows
