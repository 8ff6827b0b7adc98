"""Small scheme documents for tests that are about the engine rather than a program."""

from __future__ import annotations

from typing import Any

from services.scoring.engine.scheme import Scheme


def survey_only(min_sample: int = 30, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "scheme_id": "test-survey",
        "version": 1,
        "title": "测试：问卷满意度",
        "components": [
            {
                "code": "q",
                "source": "survey",
                "name": "问卷测评",
                "weight": "1",
                "wave_kind": "satisfaction_survey",
                "scale": "four_level",
                "level_weights": {"满意": "100", "基本满意": "80", "不满意": "0"},
                "excluded": ["不了解"],
                "satisfied": ["满意", "基本满意"],
                "min_sample": min_sample,
                "formula": "满意100、基本满意80、不满意0，取平均",
            }
        ],
        "grading": {
            "grades": ["好", "差"],
            "rules": [{"grade": "好", "name": "不低于90分", "when": {"min_score": "90"}}],
            "otherwise": "差",
        },
        "lists": [{"code": "top", "name": "第一名", "when": {"top": 1}}],
    }
    doc.update(extra)
    return doc


def scheme(doc: dict[str, Any]) -> Scheme:
    return Scheme.from_document(doc)
