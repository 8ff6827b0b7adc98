"""Questionnaire templates: published by an office, revised into new versions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.survey.application.base import SurveyBase
from services.survey.domain import Template, template_content
from shared.contracts.survey import Scale
from shared.idempotency import Response as Result
from shared.idempotency import run_idempotent
from shared.principals import Principal as Caller


def content_of(spec: dict[str, Any]) -> dict[str, Any]:
    return template_content(
        spec["name"],
        Scale(spec["scale"]),
        [{"code": d["code"], "name": d["name"]} for d in spec.get("dimensions") or []],
        bool(spec.get("opinions")),
        bool(spec.get("recommendations")),
        bool(spec.get("asks_group")),
        bool(spec.get("asks_district")),
    )


class TemplateCommands(SurveyBase):
    def publish_template(self, caller: Caller, spec: dict[str, Any], key: str | None) -> Result:
        def command() -> tuple[list[Any], Result]:
            template = Template(UUID(str(spec["jurisdiction_id"])), content_of(spec), caller.actor)
            return [template], template_out(template)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="template",
            key=key,
            request=spec,
            command=command,
        )

    def revise_template(
        self, caller: Caller, template_id: UUID, spec: dict[str, Any], reason: str
    ) -> Result:
        template = self.template(template_id)
        template.revise(content_of(spec), reason, caller.actor)
        self.save(template)
        return template_out(template)


def template_out(template: Template, version: int | None = None) -> Result:
    snapshot = template.snapshot(version)
    return snapshot.model_dump(mode="json") | {
        "jurisdiction_id": str(template.jurisdiction_id),
        "latest_version": template.latest_version,
    }
