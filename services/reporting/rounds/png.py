"""The same two charts as `charts` (ranking bars with interval whiskers, grade distribution),
drawn as PNG with Pillow, for the PDF and for anyone who cannot use SVG, in the configured
CJK font and, character by character, its fallbacks: Pillow draws in one font at a time, so
a name with a character of the CJK extensions (𠮷) is drawn as runs of one font each
(`fonts.CjkFont.runs`) on one baseline. A character that no font has is drawn as its code
point, `〔U+E000〕`, never as an empty box. Positions are worked out in Decimal under an
explicit context and rounded half-even to whole pixels, and Pillow writes no timestamp, so
the same results give the same bytes."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from services.reporting.rounds.charts import fitted
from services.reporting.rounds.fonts import CjkFont, FontFile

_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
LABEL_WIDTH = 260
PLOT_WIDTH = 480
SCORE_WIDTH = 150
MAX_LABEL = 2 * LABEL_WIDTH
"""The widest the names' column grows (about 35 汉字 at 14 px); see `charts.MAX_LABEL`."""
MAX_TITLE = 1400
ROW = 28
TOP = 44
BAR = "#1f4e79"
WHISKER = "#c00000"
INSUFFICIENT = "#8a6d00"
INK = "#222222"


def _face(font: FontFile, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font.path), size, index=font.index)


class Text:
    """The chain of fonts at one size, drawing and measuring text as runs of one font each."""

    def __init__(self, font: CjkFont, size: int) -> None:
        self.font, self.size = font, size
        self._faces: dict[FontFile, ImageFont.FreeTypeFont] = {}

    def face(self, font: FontFile) -> ImageFont.FreeTypeFont:
        if font not in self._faces:
            self._faces[font] = _face(font, self.size)
        return self._faces[font]

    def length(self, text: str) -> float:
        return sum(self.face(font).getlength(piece) for font, piece in self.font.runs(text))

    def draw(
        self, draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, fill: str, anchor: str
    ) -> None:
        """As `ImageDraw.text` with `anchor` (horizontal l, m or r; vertical a, t, m, s, b or
        d): text in one font is drawn as it is; runs of several fonts are set on one
        baseline, placed by the first font's ascent and descent."""
        runs = self.font.runs(text)
        if not runs:
            return
        if len(runs) == 1:
            font, piece = runs[0]
            draw.text(xy, piece, fill=fill, font=self.face(font), anchor=anchor)
            return
        primary = self.face(self.font.chain[0])
        widths = [self.face(font).getlength(piece) for font, piece in runs]
        x = xy[0] - {"l": 0, "m": sum(widths) / 2, "r": sum(widths)}[anchor[0]]
        ascent, descent = primary.getmetrics()
        middle = (ascent - descent) / 2
        lift = {"a": ascent, "t": ascent, "m": middle, "s": 0, "b": -descent, "d": -descent}
        baseline = xy[1] + lift[anchor[1]]
        for (font, piece), width in zip(runs, widths, strict=True):
            draw.text((x, baseline), piece, fill=fill, font=self.face(font), anchor="ls")
            x += width


def _px(score: str) -> int:
    """A score on 0–100 as whole pixels along the plot."""
    value = min(max(Decimal(score), Decimal(0)), Decimal(100))
    scaled = _CTX.divide(_CTX.multiply(value, Decimal(PLOT_WIDTH)), Decimal(100))
    return int(scaled.to_integral_value(context=_CTX))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _canvas(width: int, height: int, title: str, font: CjkFont) -> Image.Image:
    image = Image.new("RGB", (width, height), "white")
    heading = Text(font, 18)
    shown = fitted(title, width - 20, heading.length)
    heading.draw(ImageDraw.Draw(image), (10, 10), shown, INK, "la")
    return image


def ranking_png(title: str, lines: list[dict[str, Any]], font: CjkFont) -> bytes:
    """One row per unit: name, a bar to its score, a whisker over its interval, the score
    and rank; a unit under the minimum sample shows 样本不足 instead of a bar."""
    text = Text(font, 14)
    # The names' column is as wide as the longest name needs (LABEL_WIDTH to MAX_LABEL; a
    # longer name is cut short with …), and the canvas as wide as the title (to MAX_TITLE):
    # nothing is cut off at the edge, and one long name does not shrink every bar of a
    # chart printed at a page's width.
    needed = (int(text.length(line["unit_name"])) + 16 for line in lines)
    left = min(max([LABEL_WIDTH, *needed]), MAX_LABEL)
    width = max(left + PLOT_WIDTH + SCORE_WIDTH, _heading(title, font))
    image = _canvas(width, TOP + len(lines) * ROW + 16, title, font)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        y = TOP + index * ROW
        name = fitted(line["unit_name"], left - 16, text.length)
        text.draw(draw, (left - 8, y + 14), name, INK, "rm")
        _bar(draw, line, y, text, left)
    return _png(image)


def _heading(title: str, font: CjkFont) -> int:
    """The canvas width the title needs, up to MAX_TITLE."""
    return min(int(Text(font, 18).length(title)) + 20, MAX_TITLE)


def _bar(draw: ImageDraw.ImageDraw, line: dict[str, Any], y: int, text: Text, left: int) -> None:
    if line["insufficient_sample"] or line["score"] is None:
        text.draw(draw, (left + 4, y + 14), "样本不足", INSUFFICIENT, "lm")
        return
    right = left + _px(line["score"])
    if right > left:
        draw.rectangle((left, y + 6, right - 1, y + 22), fill=BAR)
    if line["interval"] is not None:
        low, high = (left + _px(v) for v in line["interval"])
        mid = y + 14
        draw.line((low, mid, high, mid), fill=WHISKER, width=2)
        draw.line((low, mid - 6, low, mid + 6), fill=WHISKER, width=2)
        draw.line((high, mid - 6, high, mid + 6), fill=WHISKER, width=2)
    rank = "" if line["rank"] is None else f"（第{line['rank']}名）"
    text.draw(draw, (left + PLOT_WIDTH + 8, y + 14), f"{line['score']}{rank}", INK, "lm")


def grades_png(title: str, counts: dict[str, int], font: CjkFont) -> bytes:
    """Vertical bars: how many units got each grade, best grade first."""
    column, height, top = 90, 200, TOP + 20
    width = max(80 + len(counts) * column, _heading(title, font))
    image = _canvas(width, top + height + 40, title, font)
    draw = ImageDraw.Draw(image)
    text = Text(font, 14)
    biggest = max([*counts.values(), 1])
    for index, (grade, count) in enumerate(counts.items()):
        x = 40 + index * column
        bar = int(
            _CTX.divide(Decimal(count * height), Decimal(biggest)).to_integral_value(context=_CTX)
        )
        if bar:
            draw.rectangle((x, top + height - bar, x + 49, top + height - 1), fill=BAR)
        text.draw(draw, (x + 25, top + height - bar - 4), str(count), INK, "mb")
        text.draw(draw, (x + 25, top + height + 8), grade, INK, "mt")
    return _png(image)
