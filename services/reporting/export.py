"""Rankings as a CSV file that Excel opens correctly: UTF-8 with a byte-order mark (without
it Excel assumes the local code page and garbles Chinese), CRLF line ends."""

from __future__ import annotations

import csv
import io
from typing import Any

from shared.contracts.survey import RATINGS

HEADERS = ("类别", "名次", "单位名称", "得分", "满意率", "有效样本数", *RATINGS)
BOM = "\ufeff"

# Spreadsheets run a cell starting with these as a formula; a unit name is text, never one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(category: str, entry: dict[str, Any]) -> list[str]:
    counts = entry.get("counts", {})
    return [
        _text(category),
        "" if entry["rank"] is None else str(entry["rank"]),
        _text(entry["unit_name"]),
        entry["score"] or "",
        entry["satisfaction_rate"] or "",
        str(entry["valid_count"]),
        *(str(counts.get(rating, 0)) for rating in RATINGS),
    ]


def rankings_csv(categories: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for doc in categories:
        for entry in doc["entries"]:
            writer.writerow(_row(doc["category"], entry))
    return (BOM + buffer.getvalue()).encode("utf-8")
