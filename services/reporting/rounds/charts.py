"""Charts as SVG written here (no plotting library, no assets from the internet): a
category's ranking as bars with interval whiskers, and the grade distribution.

Coordinates are worked out in Decimal under an explicit context and written with one
decimal place, so the same results always draw the same bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
_TENTH = Decimal("0.1")
FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, HanaMinA, HanaMinB, sans-serif"
"""CJK families first, then those of the CJK extensions (Debian's fonts-hanazono) for names
such as 𠮷野家服务中心."""
LABEL_WIDTH = 240
PLOT_WIDTH = 480
ROW = 26
TOP = 40
ELLIPSIS = "…"


def _n(value: Decimal) -> str:
    return str(value.quantize(_TENTH, context=_CTX))


def _x(score: str) -> Decimal:
    """A score on 0–100 as a distance along the plot."""
    value = min(max(Decimal(score), Decimal(0)), Decimal(100))
    return _CTX.divide(_CTX.multiply(value, Decimal(PLOT_WIDTH)), Decimal(100))


def text_width(text: str, size: int) -> int:
    """A generous estimate of `text`'s width in pixels at `size` (the fonts are the
    viewer's, so it cannot be measured here): a wide character (汉字, fullwidth forms, the
    CJK extensions) an em, any other 0.6 em. What the columns and the canvas are widened
    by, so that a long unit name or title is never cut off at the chart's edge."""
    ems = sum(1 if unicodedata.east_asian_width(c) in "WF" else Decimal("0.6") for c in text)
    return int(_CTX.multiply(Decimal(ems), Decimal(size)).to_integral_value(context=_CTX))


MAX_LABEL = 2 * LABEL_WIDTH
"""The widest the names' column grows (about 35 汉字): a name longer still (a registry name
may run to 200 characters) is shortened with … in the chart (its full name is the title of
its label, and in every table), so that one name does not shrink every bar of a chart
printed at a page's width."""
MAX_TITLE = 1200


def fitted(text: str, room: float, width: Callable[[str], float]) -> str:
    """`text` as it fits in `room` by `width`: whole, or cut short with an ellipsis."""
    if width(text) <= room:
        return text
    end = len(text)
    while end > 0 and width(text[:end] + ELLIPSIS) > room:
        end -= 1
    return text[:end] + ELLIPSIS


def _label(name: str, room: int) -> str:
    """A unit's name in the names' column: whole, or cut short with its full name as the
    label's title (shown on hover, read by screen readers)."""
    shown = fitted(name, room, lambda text: text_width(text, 13))
    if shown == name:
        return escape(name)
    return f"<title>{escape(name)}</title>{escape(shown)}"


def _title_width(title: str) -> int:
    return min(text_width(title, 15) + 16, MAX_TITLE)


def _svg(width: int, height: int, title: str, body: list[str]) -> bytes:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} '
        f'font-family={quoteattr(FONT)} font-size="13">'
    )
    shown = fitted(title, width - 16, lambda text: text_width(text, 15))
    heading = (
        f'<title>{escape(title)}</title><text x="8" y="22" font-size="15" '
        f'font-weight="bold">{escape(shown)}</text>'
    )
    return "".join([head, heading, *body, "</svg>"]).encode("utf-8")


def ranking_svg(title: str, lines: list[dict[str, Any]]) -> bytes:
    """One row per unit: its name, a bar to its score, a whisker over its interval, the
    score and rank; a unit under the minimum sample shows 样本不足 instead of a bar."""
    # The names' column is as wide as the longest name needs (LABEL_WIDTH to MAX_LABEL).
    needed = (text_width(line["unit_name"], 13) + 16 for line in lines)
    left = min(max([LABEL_WIDTH, *needed]), MAX_LABEL)
    body: list[str] = []
    for index, line in enumerate(lines):
        y = TOP + index * ROW
        body.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">'
            f"{_label(line['unit_name'], left - 16)}</text>"
        )
        body.extend(_bar(line, y, left))
    height = TOP + len(lines) * ROW + 16
    return _svg(max(left + PLOT_WIDTH + 120, _title_width(title)), height, title, body)


def _bar(line: dict[str, Any], y: int, left: int) -> list[str]:
    if line["insufficient_sample"] or line["score"] is None:
        return [
            f'<text x="{left + 4}" y="{y + 17}" fill="#8a6d00" class="insufficient">样本不足</text>'
        ]
    width = _x(line["score"])
    rank = "" if line["rank"] is None else f"（第{line['rank']}名）"
    parts = [
        f'<rect class="bar" x="{left}" y="{y + 5}" width="{_n(width)}" height="16" '
        f'fill="#1f4e79" data-score="{escape(line["score"])}"/>'
    ]
    if line["interval"] is not None:
        low, high = (_n(_x(v) + left) for v in line["interval"])
        mid = y + 13
        parts.append(
            f'<path class="whisker" d="M{low} {mid}H{high}M{low} {mid - 5}V{mid + 5}'
            f'M{high} {mid - 5}V{mid + 5}" stroke="#c00000" stroke-width="1.5" fill="none"/>'
        )
    parts.append(
        f'<text x="{left + PLOT_WIDTH + 8}" y="{y + 17}">{escape(line["score"])}{rank}</text>'
    )
    return parts


def grades_svg(title: str, counts: dict[str, int]) -> bytes:
    """Vertical bars: how many units got each grade, best grade first."""
    biggest = max([*counts.values(), 1])
    column, height = 90, 200
    body: list[str] = []
    for index, (grade, count) in enumerate(counts.items()):
        x = 40 + index * column
        bar = _CTX.divide(Decimal(count * height), Decimal(biggest))
        top = Decimal(TOP + height) - bar
        body.append(
            f'<rect class="bar" x="{x}" y="{_n(top)}" width="50" height="{_n(bar)}" '
            f'fill="#1f4e79" data-grade={quoteattr(grade)} data-count="{count}"/>'
            f'<text x="{x + 25}" y="{_n(top - 6)}" text-anchor="middle">{count}</text>'
            f'<text x="{x + 25}" y="{TOP + height + 20}" text-anchor="middle">'
            f"{escape(grade)}</text>"
        )
    width = max(80 + len(counts) * column, _title_width(title))
    return _svg(width, TOP + height + 36, title, body)
