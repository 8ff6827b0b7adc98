"""Rules of one component on its own: its levels on its scale, its values on 0–100."""

from __future__ import annotations

from decimal import Decimal

from services.scoring.engine.scheme.checks.found import HUNDRED, Found, levels_text, said
from services.scoring.engine.scheme.checks.shaped import Shaped
from services.scoring.engine.scheme.components import (
    AssessmentComponent,
    HotlineComponent,
    SubUnitsComponent,
    SurveyComponent,
    TallyComponent,
)
from shared.contracts.survey import SCALE_LEVELS


def components(parts: Shaped, found: Found) -> None:
    for i, c in parts.each("components"):
        where = f"components.{i}"
        if isinstance(c, SurveyComponent):
            _survey(where, c, found)
        elif isinstance(c, HotlineComponent):
            if c.maximum > HUNDRED:
                found.added(
                    f"{where}.maximum",
                    said(
                        f"至多为 100 (分值为百分制): 现为 {c.maximum}",
                        f"at most 100 (values are on 0–100): {c.maximum}",
                    ),
                )
            if c.base > c.maximum:
                found.added(
                    f"{where}.base",
                    said(
                        f"{c.base} 高于 maximum {c.maximum}",
                        f"{c.base} is above maximum {c.maximum}",
                    ),
                )
        elif isinstance(c, TallyComponent):
            if c.base > HUNDRED:
                found.added(
                    f"{where}.base",
                    said(
                        f"至多为 100 (分值为百分制), 现为 {c.base}",
                        f"at most 100 (values are on 0–100), not {c.base}",
                    ),
                )
        elif isinstance(c, SubUnitsComponent):
            if "categories" in c.model_fields_set and not c.categories:
                found.added(
                    f"{where}.categories",
                    said(
                        "未列出任何类别: 请列出下属单位的类别, 或省略此键以计入全部下属单位",
                        "names no category: name the sub-units' categories, or leave the key "
                        "out to count every sub-unit",
                    ),
                )
        elif isinstance(c, AssessmentComponent) and not c.assessment_code:
            found.add(f"{where}.assessment_code", said("必填", "required"))


def _survey(where: str, c: SurveyComponent, found: Found) -> None:
    scale = SCALE_LEVELS[c.scale]
    on_scale = said(
        f"不是量表 {c.scale.value} 的等级 ({levels_text(scale)})",
        f"not a level of scale {c.scale.value} ({levels_text(scale)})",
    )
    _points(where, c, on_scale, found)
    # The language's rules, as they always were: `weights()` holds the scale's levels only.
    weighted = set(c.weights())
    for field in ("excluded", "satisfied"):
        for j, level in enumerate(getattr(c, field)):
            if level not in scale:
                found.add(f"{where}.{field}.{j}", on_scale)
    for j, level in enumerate(c.excluded):
        if level in weighted:
            found.add(
                f"{where}.excluded.{j}",
                said(f"{level} 既有分值又被排除", f"{level} is both weighted and excluded"),
            )
    missing = [lv for lv in scale if lv not in weighted and lv not in c.excluded]
    if missing:
        found.add(
            f"{where}.level_weights",
            said(
                f"每个等级须有分值或被排除, 缺少 {levels_text(missing)}",
                f"every level must be weighted or excluded; missing {levels_text(missing)}",
            ),
        )
    for j, level in enumerate(c.satisfied):
        if level in scale and level not in weighted:
            found.add(
                f"{where}.satisfied.{j}",
                said(
                    f"{level} 不是有分值的 (有效) 等级", f"{level} is not a weighted (valid) level"
                ),
            )
    if c.measure == "satisfaction_rate" and not c.satisfied:
        found.add(
            f"{where}.satisfied",
            said(
                "satisfaction_rate (满意率) 须列出 satisfied 等级",
                "a satisfaction_rate measure needs satisfied levels",
            ),
        )


def _points(where: str, c: SurveyComponent, on_scale: str, found: Found) -> None:
    """The rules added later on a survey component's points (`NEW`)."""
    scale = SCALE_LEVELS[c.scale]
    for level, points in c.level_weights.items():
        if level not in scale:
            found.added(f"{where}.level_weights.{level}", on_scale)
        elif points > HUNDRED:
            found.added(
                f"{where}.level_weights.{level}",
                said(
                    f"分值为百分制 (成分的值是平均分值), 现为 {points}",
                    f"points are on 0–100 (a component's value is the mean points), not {points}",
                ),
            )
    if c.numeric_factor is None:
        return
    if not c.numeric():
        found.added(
            f"{where}.numeric_factor",
            said(f"量表 {c.scale.value} 不是数值量表", f"scale {c.scale.value} is not numeric"),
        )
    elif c.level_weights:
        found.added(
            f"{where}.numeric_factor",
            said(
                "level_weights 与 numeric_factor 只能给一个",
                "give level_weights or numeric_factor, not both",
            ),
        )
    elif Decimal(scale[-1]) * c.numeric_factor > HUNDRED:
        found.added(
            f"{where}.numeric_factor",
            said(
                f"{scale[-1]} × {c.numeric_factor} 超过 100 (分值为百分制)",
                f"{scale[-1]} × {c.numeric_factor} is above 100 (values are on 0–100)",
            ),
        )
