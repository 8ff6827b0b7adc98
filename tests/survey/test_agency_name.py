"""No text survey produces calls an agency 调查机构: the role is 测评机构 in the registry's
roles, the kernel's 403 and survey's own refusals, reasons and documents alike (a county's
part of a wave's progress said 按调查机构). Read from the source's string literals, so a
refusal no test reaches (a revoked key, a panel member's re-push) is held to it too; what
stored events already say is data, not source, and keeps its words."""

from __future__ import annotations

import ast
from pathlib import Path

import services.survey
from services.survey.views.parts import PART_NOTE

SOURCE = Path(services.survey.__file__).parent


def _texts(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_survey_never_calls_an_agency_by_another_name() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, text in _texts(path)
        if "调查机构" in text
    ]
    assert not found, found


def test_a_county_parts_note_names_the_agencies_by_the_roles_name() -> None:
    assert "按测评机构" in PART_NOTE and "测评机构的配额是全批次的" in PART_NOTE
