"""Charts as SVG written here (no plotting library, no assets from the internet): a
category's ranking as bars with interval whiskers, and the grade distribution.

Coordinates are worked out in Decimal under an explicit context and written with one
decimal place, so the same results always draw the same bytes.
"""

from __future__ import annotations

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


def _n(value: Decimal) -> str:
    return str(value.quantize(_TENTH, context=_CTX))


def _x(score: str) -> Decimal:
    """A score on 0–100 as a distance along the plot."""
    value = min(max(Decimal(score), Decimal(0)), Decimal(100))
    return _CTX.divide(_CTX.multiply(value, Decimal(PLOT_WIDTH)), Decimal(100))


def _svg(width: int, height: int, title: str, body: list[str]) -> bytes:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} '
        f'font-family={quoteattr(FONT)} font-size="13">'
    )
    heading = (
        f'<title>{escape(title)}</title><text x="8" y="22" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>'
    )
    return "".join([head, heading, *body, "</svg>"]).encode("utf-8")


def ranking_svg(title: str, lines: list[dict[str, Any]]) -> bytes:
    """One row per unit: its name, a bar to its score, a whisker over its interval, the
    score and rank; a unit under the minimum sample shows 样本不足 instead of a bar."""
    body: list[str] = []
    for index, line in enumerate(lines):
        y = TOP + index * ROW
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(line['unit_name'])}</text>"
        )
        body.extend(_bar(line, y))
    height = TOP + len(lines) * ROW + 16
    return _svg(LABEL_WIDTH + PLOT_WIDTH + 120, height, title, body)


def _bar(line: dict[str, Any], y: int) -> list[str]:
    if line["insufficient_sample"] or line["score"] is None:
        return [
            f'<text x="{LABEL_WIDTH + 4}" y="{y + 17}" fill="#8a6d00" '
            f'class="insufficient">样本不足</text>'
        ]
    width = _x(line["score"])
    rank = "" if line["rank"] is None else f"（第{line['rank']}名）"
    parts = [
        f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 5}" width="{_n(width)}" height="16" '
        f'fill="#1f4e79" data-score="{escape(line["score"])}"/>'
    ]
    if line["interval"] is not None:
        low, high = (_n(_x(v) + LABEL_WIDTH) for v in line["interval"])
        mid = y + 13
        parts.append(
            f'<path class="whisker" d="M{low} {mid}H{high}M{low} {mid - 5}V{mid + 5}'
            f'M{high} {mid - 5}V{mid + 5}" stroke="#c00000" stroke-width="1.5" fill="none"/>'
        )
    parts.append(
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{y + 17}">'
        f"{escape(line['score'])}{rank}</text>"
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
    return _svg(80 + len(counts) * column, TOP + height + 36, title, body)
