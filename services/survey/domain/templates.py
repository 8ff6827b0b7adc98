"""Questionnaire templates (问卷模板): versioned, each version immutable once published.

A wave copies the version it is opened with (`TemplateSnapshot`), so a later version never
changes how an earlier wave's questionnaires read.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.survey.domain.canonical import canonical_answer, repeated_code
from services.survey.domain.errors import InvalidTemplate, TemplateNotFound, blank
from shared.contracts.survey import Dimension, Scale, TemplateSnapshot

BUILTIN_TEMPLATE_ID = uuid5(NAMESPACE_URL, "https://pingyi.example/survey-template/four-level")
BUILTIN_TEMPLATE = TemplateSnapshot(
    template_id=BUILTIN_TEMPLATE_ID,
    version=1,
    name="四级满意度问卷（默认）",
    scale=Scale.FOUR_LEVEL,
)
"""What a wave opened without a template uses: one four-level rating per unit (seed 000)."""


def template_content(
    name: str,
    scale: Scale,
    dimensions: list[dict[str, str]],
    opinions: bool,
    recommendations: bool,
    asks_group: bool,
    asks_district: bool,
) -> dict[str, Any]:
    """A version's content as stored: checked here, so the mutator only records it."""
    if not name.strip():
        raise InvalidTemplate(blank("the template's name", "问卷模板名称"), field="name")
    codes: dict[str, str] = {}
    names: set[str] = set()
    for index, dimension in enumerate(dimensions):
        repeated = repeated_code(
            dimension["code"], codes, "评价维度编码重复", "dimension code repeats"
        )
        if repeated is not None:
            raise InvalidTemplate(repeated, field=f"dimensions.{index}.code")
        if dimension["name"] in names:
            raise InvalidTemplate(
                "评价维度名称重复 (dimension name repeats)", field=f"dimensions.{index}.name"
            )
        codes.setdefault(canonical_answer(dimension["code"]), dimension["code"])
        names.add(dimension["name"])
    return {
        "name": name,
        "scale": scale.value,
        "dimensions": [{"code": d["code"], "name": d["name"]} for d in dimensions],
        "opinions": opinions,
        "recommendations": recommendations,
        "asks_group": asks_group,
        "asks_district": asks_district,
    }


class Template(Aggregate):
    """A questionnaire template owned by an office's jurisdiction, with its versions."""

    class Published(Aggregate.Created):
        jurisdiction_id: UUID
        content: dict[str, Any]
        actor: str

    class Revised(Aggregate.Event):
        content: dict[str, Any]
        reason: str
        actor: str

    @event(Published)
    def __init__(self, jurisdiction_id: UUID, content: dict[str, Any], actor: str) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.versions: list[dict[str, Any]] = [dict(content)]
        self.published_by = actor

    def revise(self, content: dict[str, Any], reason: str, actor: str) -> None:
        if not reason.strip():
            raise InvalidTemplate(blank("the reason for the revision", "修订原因"), field="reason")
        if content == self.versions[-1]:
            # A version that changes nothing would only make waves' versions differ in name.
            raise InvalidTemplate(
                f"修订内容与第 {self.latest_version} 版完全相同, 无需记录 "
                f"(the revision is version {self.latest_version} as it stands: nothing to record)",
                field=None,
                latest_version=self.latest_version,
            )
        self._revised(content=content, reason=reason, actor=actor)

    @event(Revised)
    def _revised(self, content: dict[str, Any], reason: str, actor: str) -> None:
        self.versions.append(dict(content))

    @property
    def latest_version(self) -> int:
        return len(self.versions)

    def snapshot(self, version: int | None = None) -> TemplateSnapshot:
        number = self.latest_version if version is None else version
        if not 1 <= number <= self.latest_version:
            raise TemplateNotFound(
                "没有这个问卷模板版本 (no such template version)", field="template_version"
            )
        content = self.versions[number - 1]
        return TemplateSnapshot(
            template_id=self.id,
            version=number,
            name=content["name"],
            scale=Scale(content["scale"]),
            dimensions=tuple(Dimension(**d) for d in content["dimensions"]),
            opinions=content["opinions"],
            recommendations=content["recommendations"],
            asks_group=content["asks_group"],
            asks_district=content["asks_district"],
        )
