"""The questionnaire component the test schemes of scoring, reporting and the e2e thin path
share: 满意 100, 基本满意 80, 不满意 0 over the valid answers (不了解 excluded)."""

from __future__ import annotations

from typing import Any


def questionnaire_component(*, min_sample: int) -> dict[str, Any]:
    return {
        "code": "questionnaire",
        "source": "survey",
        "name": "问卷测评群众满意度",
        "weight": 1,
        "wave_kind": "satisfaction_survey",
        "scale": "four_level",
        "level_weights": {"满意": 100, "基本满意": 80, "不满意": 0},
        "excluded": ["不了解"],
        "satisfied": ["满意", "基本满意"],
        "measure": "weighted_score",
        "min_sample": min_sample,
        "formula": "满意计100分、基本满意计80分、不满意计0分，取有效问卷的平均分",
    }
