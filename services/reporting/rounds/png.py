"""The same two charts as `charts` (ranking bars with interval whiskers, grade distribution),
drawn as PNG with Pillow in the configured CJK font, for the PDF and for anyone who cannot
use SVG. Positions are worked out in Decimal under an explicit context and rounded half-even
to whole pixels, and Pillow writes no timestamp, so the same results give the same bytes."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from services.reporting.rounds.fonts import CjkFont

_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
LABEL_WIDTH = 260
PLOT_WIDTH = 480
SCORE_WIDTH = 150
ROW = 28
TOP = 44
BAR = "#1f4e79"
WHISKER = "#c00000"
INSUFFICIENT = "#8a6d00"
INK = "#222222"


def _font(font: CjkFont, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font.path), size, index=font.index)


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
    ImageDraw.Draw(image).text((10, 10), title, fill=INK, font=_font(font, 18))
    return image


def ranking_png(title: str, lines: list[dict[str, Any]], font: CjkFont) -> bytes:
    """One row per unit: name, a bar to its score, a whisker over its interval, the score
    and rank; a unit under the minimum sample shows 样本不足 instead of a bar."""
    width = LABEL_WIDTH + PLOT_WIDTH + SCORE_WIDTH
    image = _canvas(width, TOP + len(lines) * ROW + 16, title, font)
    draw = ImageDraw.Draw(image)
    text = _font(font, 14)
    for index, line in enumerate(lines):
        y = TOP + index * ROW
        draw.text((LABEL_WIDTH - 8, y + 14), line["unit_name"], fill=INK, font=text, anchor="rm")
        _bar(draw, line, y, text)
    return _png(image)


def _bar(draw: ImageDraw.ImageDraw, line: dict[str, Any], y: int, text: Any) -> None:
    if line["insufficient_sample"] or line["score"] is None:
        draw.text((LABEL_WIDTH + 4, y + 14), "样本不足", fill=INSUFFICIENT, font=text, anchor="lm")
        return
    right = LABEL_WIDTH + _px(line["score"])
    if right > LABEL_WIDTH:
        draw.rectangle((LABEL_WIDTH, y + 6, right - 1, y + 22), fill=BAR)
    if line["interval"] is not None:
        low, high = (LABEL_WIDTH + _px(v) for v in line["interval"])
        mid = y + 14
        draw.line((low, mid, high, mid), fill=WHISKER, width=2)
        draw.line((low, mid - 6, low, mid + 6), fill=WHISKER, width=2)
        draw.line((high, mid - 6, high, mid + 6), fill=WHISKER, width=2)
    rank = "" if line["rank"] is None else f"（第{line['rank']}名）"
    draw.text(
        (LABEL_WIDTH + PLOT_WIDTH + 8, y + 14),
        f"{line['score']}{rank}",
        fill=INK,
        font=text,
        anchor="lm",
    )


def grades_png(title: str, counts: dict[str, int], font: CjkFont) -> bytes:
    """Vertical bars: how many units got each grade, best grade first."""
    column, height, top = 90, 200, TOP + 20
    heading = int(_font(font, 18).getlength(title)) + 20
    image = _canvas(max(80 + len(counts) * column, heading), top + height + 40, title, font)
    draw = ImageDraw.Draw(image)
    text = _font(font, 14)
    biggest = max([*counts.values(), 1])
    for index, (grade, count) in enumerate(counts.items()):
        x = 40 + index * column
        bar = int(
            _CTX.divide(Decimal(count * height), Decimal(biggest)).to_integral_value(context=_CTX)
        )
        if bar:
            draw.rectangle((x, top + height - bar, x + 49, top + height - 1), fill=BAR)
        draw.text((x + 25, top + height - bar - 4), str(count), fill=INK, font=text, anchor="mb")
        draw.text((x + 25, top + height + 8), grade, fill=INK, font=text, anchor="mt")
    return _png(image)
