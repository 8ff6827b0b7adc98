"""The walls between services, checked on the source text.

- A service never loads another service's code: not by import, not through importlib,
  `__import__`, runpy, pkgutil or eventsourcing's topic resolution, and not by naming another
  service's modules in a string. Services meet only through contracts in `shared/`.
- The kernel (`shared/`) loads no service and not the composition root (`pingyi/`).
- Services do not load the composition root either; only `pingyi/` (and tests and benchmarks)
  know every service.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "main.py").exists())
DYNAMIC_LOADERS = {
    "importlib",
    "__import__",
    "runpy",
    "pkgutil",
    "import_module",
    "resolve_topic",
    "find_spec",
    "spec_from_file_location",
}


def _modules(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.py"))


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.alias):
            yield getattr(node, "lineno", 0), node.name.split(".")[0]


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _owner(module: str) -> str | None:
    match = re.match(r"services\.([a-z]+)", module)
    return match.group(1) if match else None


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service_nor_the_composition_root(service: str) -> None:
    wrong = []
    for path in _modules(ROOT / "services" / service):
        for line, module in _imported(_parse(path)):
            owner = _owner(module)
            if (owner is not None and owner != service) or module.split(".")[0] == "pingyi":
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_loads_no_code_dynamically(service: str) -> None:
    """importlib and friends would let a service reach another one's code unseen."""
    wrong = []
    for path in _modules(ROOT / "services" / service):
        tree = _parse(path)
        for line, name in _names(tree):
            if name in DYNAMIC_LOADERS:
                wrong.append(f"{path.relative_to(ROOT)}:{line} uses {name}")
        for line, text in _strings(tree):
            for other in SERVICES:
                if other != service and re.search(rf"\bservices[./]{other}\b", text):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} names services.{other}")
    assert not wrong, "\n".join(wrong)


def test_the_kernel_loads_no_service() -> None:
    wrong = []
    for path in _modules(ROOT / "shared"):
        tree = _parse(path)
        for line, module in _imported(tree):
            if module.split(".")[0] in ("services", "pingyi"):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
        for line, name in _names(tree):
            if name in DYNAMIC_LOADERS:
                wrong.append(f"{path.relative_to(ROOT)}:{line} uses {name}")
        for line, text in _strings(tree):
            if re.search(r"\bservices\.[a-z]+\b", text) and "import" not in text:
                wrong.append(f"{path.relative_to(ROOT)}:{line} names a service module: {text!r}")
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_what_they_look_for() -> None:
    """The scanners above must find a forbidden import and a dynamic load when there is one."""
    tree = ast.parse(
        "import importlib\nfrom services.survey.domain import Wave\n"
        "x = importlib.import_module('services.survey.main')\n"
    )
    assert ("services.survey.domain") in {m for _, m in _imported(tree)}
    assert {"importlib", "import_module"} <= {n for _, n in _names(tree)}
    assert any("services.survey" in s for _, s in _strings(tree))


def test_each_application_keeps_its_service_name() -> None:
    """eventsourcing names an application after its class unless the class says otherwise,
    and the name picks the tables: an application assembled from mixins must still store
    where its service always stored."""
    from pingyi.catalog import every_service

    for service in every_service():
        assert service.application.name == service.name, service.name
