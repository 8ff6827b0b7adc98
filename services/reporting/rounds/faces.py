"""Fonts as fpdf2 embeds them in a PDF, parsed once per process.

fpdf2's `add_font` parses a whole font (its cmap, every glyph's width and id) for each
document: about a second for HanaMinB's 60,000 glyphs of the CJK extensions, half that for
the WenQuanYi collection, for every PDF naming a unit such as 𠀀. What it parses depends on
the file alone, so it is parsed once, under a lock (two requests for the first PDFs at once
parse it once), and each document gets a font of its own that shares the parsed tables and
has fresh what a document changes: its number among the document's fonts, the glyphs it
used, and the fontTools font that fpdf2 cuts down to those glyphs in place when it writes
the file (opened lazily, from the file, as fpdf2 opens it). The bytes are those
`add_font` gives (`tests/reporting/rounds/test_pdf_fonts.py`).
"""

from __future__ import annotations

import copy
import threading

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from services.reporting.rounds.fonts import FontFile

_LOCK = threading.Lock()
_PARSED: dict[FontFile, TTFFont | None] = {}


def parsed(font: FontFile) -> TTFFont | None:
    """The font as fpdf2 parsed it, once per process; None for one whose parse a document
    must not share (see `_shareable`)."""
    with _LOCK:
        if font not in _PARSED:
            _PARSED[font] = _parse(font)
        return _PARSED[font]


def _parse(font: FontFile) -> TTFFont | None:
    parsed = TTFFont(FPDF(), font.path, "parsed", "", None, None, None, font.index)
    return parsed if _shareable(parsed) else None


def _shareable(parsed: TTFFont) -> bool:
    """fpdf2 alters the fontTools font it parses in two cases: a TrueType font without a
    .notdef glyph gets one drawn (then it is not glyph 0 of the order), and a colour font is
    set as Type 3 glyphs. A CFF font raises the document's PDF version. Such fonts are left
    to `add_font`, as is every font fpdf2 reads differently (WOFF)."""
    order = parsed.ttfont.getGlyphOrder()
    return (
        bool(order)
        and order[0] == ".notdef"
        and parsed.color_font is None
        and not parsed.is_cff
        and not parsed.is_compressed
    )


def add(pdf: FPDF, family: str, font: FontFile) -> None:
    """What `pdf.add_font(family, fname=font.path, collection_font_number=font.index)` does,
    from the font parsed once."""
    template = parsed(font)
    if template is None:
        pdf.add_font(family, fname=str(font.path), collection_font_number=font.index)
        return
    face = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(template, name):  # fpdf2 leaves some unset (unicode_range)
            setattr(face, name, getattr(template, name))
    face.i = len(pdf.fonts) + 1
    face.fontkey = family.lower()
    # A width asked of a character the font lacks is added to `cw` (a defaultdict).
    face.cw = copy.copy(template.cw)
    face.missing_glyphs = []
    face.biggest_size_pt = 0
    face._hbfont = None  # fpdf2's shaping font, built on first use, per document
    face.ttfont = ttLib.TTFont(font.path, recalcTimestamp=False, fontNumber=font.index, lazy=True)
    # The order the file gives, as the parse read it: worked out again, from the cmap when
    # the font names no glyphs (HanaMin), it would cost as much as the parse. A copy: the
    # subsetting sets its own.
    face.ttfont.setGlyphOrder(list(template.ttfont.getGlyphOrder()))
    face.subset = SubsetMap(face)
    pdf.fonts[face.fontkey] = face
