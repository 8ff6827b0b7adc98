"""Questionnaire-like data: what a survey agency pushes, one dict per questionnaire."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from shared.canonical import canonical_json

RATINGS = ("满意", "基本满意", "不满意", "不了解")
SURVEY_POINTS = (
    "源汇区政务服务中心",
    "郾城区人民医院门诊大厅",
    "召陵区供电营业厅",
    "临颍县火车站售票窗口",
)
CST = timezone(timedelta(hours=8))
START = datetime(2024, 11, 4, 9, 0, tzinfo=CST)


def unit_ids(count: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(count)]


def questionnaires(n: int, units: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    """n distinct questionnaires rating every unit, as `record_batch` takes them."""
    return [
        {
            "questionnaire_id": f"LH2024-{i:07d}",
            "survey_point": SURVEY_POINTS[i % len(SURVEY_POINTS)],
            "collected_at": START + timedelta(seconds=7 * i),
            "ratings": {str(u): RATINGS[(i + j) % 3] for j, u in enumerate(units)},
            "channel": None,
            "group": None,
            "district_id": None,
            "device": None,
            "respondent_id": None,
            "dimension_ratings": {},
            "opinions": [],
            "recommended_key_targets": [],
        }
        for i in range(n)
    ]


def as_json(questionnaire: dict[str, Any]) -> str:
    return canonical_json(questionnaire).decode("utf-8")


def batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
