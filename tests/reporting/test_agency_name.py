"""Reporting calls an agency by its role's name, 测评机构, as survey and the registry do: the
wave progress page, its PDF and a county's part said 按调查机构. Read from the source's
string literals and templates, so a heading no test renders is held to it too."""

from __future__ import annotations

import ast
from pathlib import Path

import services.reporting

SOURCE = Path(services.reporting.__file__).parent


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_reporting_never_calls_an_agency_by_another_name() -> None:
    found = [
        str(path.relative_to(SOURCE))
        for path in sorted(SOURCE.rglob("*.py"))
        if any("调查机构" in text for text in _literals(path))
    ]
    found += [
        str(path.relative_to(SOURCE))
        for path in sorted(SOURCE.rglob("*.html"))
        if "调查机构" in path.read_text(encoding="utf-8")
    ]
    assert not found, found
