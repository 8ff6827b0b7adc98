"""A wave cannot declare two survey points (or respondent groups), nor a template two
dimensions, whose codes read alike: `YH-01` and `ＹＨ－０１` are one code to every push that
types either (codes are read in NFKC without the spaces around, and a pair that reads alike
is found as neither), so questionnaires meant for one point would split across two. The
second is refused as a repeat, saying what it reads as. (Application alone: `Setup`.)"""

from __future__ import annotations

import pytest

from services.survey.domain import InvalidTemplate, InvalidWave
from services.survey.domain.templates import template_content
from shared.contracts.survey import Scale
from tests.survey.test_application import Setup

ALIKE = "“ＹＨ－０１”即“YH-01”, 全角、半角或前后空格不同的编码是同一编码"
READS = "“ＹＨ－０１” reads as “YH-01”"


def test_two_points_that_read_alike_are_refused(setup: Setup) -> None:
    points = [
        {"code": code, "name": "源汇区政务服务中心", "jurisdiction_id": setup.county, "target": 5}
        for code in ("YH-01", "ＹＨ－０１")
    ]
    with pytest.raises(InvalidWave) as caught:
        setup.open(points=points)
    assert (caught.value.field, caught.value.reason) == (
        "points.1.code",
        f"测评点编码重复: {ALIKE} (survey point code repeats: {READS})",
    )


def test_two_groups_that_read_alike_are_refused(setup: Setup) -> None:
    groups = [
        {"code": code, "name": name, "target_percent": 50}
        for code, name in (("YH-01", "服务对象"), ("ＹＨ－０１", "群众"))
    ]
    with pytest.raises(InvalidWave) as caught:
        setup.open(groups=groups)
    assert (caught.value.field, caught.value.reason) == (
        "groups.1.code",
        f"受访群体编码重复: {ALIKE} (group code repeats: {READS})",
    )


def test_two_dimensions_that_read_alike_are_refused() -> None:
    dimensions = [{"code": "YH-01", "name": "服务态度"}, {"code": "ＹＨ－０１", "name": "办事效率"}]
    with pytest.raises(InvalidTemplate) as caught:
        template_content("模板", Scale.FOUR_LEVEL, dimensions, False, False, False, False)
    assert (caught.value.field, caught.value.reason) == (
        "dimensions.1.code",
        f"评价维度编码重复: {ALIKE} (dimension code repeats: {READS})",
    )
