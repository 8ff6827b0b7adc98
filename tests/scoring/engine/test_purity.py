"""Every module of the scoring engine imports only the standard library, pydantic, yaml,
orjson, numpy, the contracts (shared.contracts*), canonical JSON (shared.canonical) and the
engine's own modules: the offline verifier runs on these and nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "services" / "scoring" / "engine"
ALLOWED_PREFIXES = (
    "pydantic",
    "yaml",
    "orjson",  # shared.canonical's own dependency, so the verifier has it already
    "numpy",  # a batch part's rows counted in bulk (engine/fold/tally.py), pinned like the rest
    "shared.contracts",
    "shared.canonical",
    "shared.types",  # the kernel's text type (pydantic and the standard library only)
    "shared.reasons",  # pydantic's errors in words (the standard library only, checked below)
    "services.scoring.engine",
)


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    return any(module == p or module.startswith(p + ".") for p in ALLOWED_PREFIXES)


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the engine by construction
                continue
            found.append((node.lineno, node.module or ""))
    return found


def test_engine_imports_only_what_the_verifier_ships_with():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 5
    bad = [
        f"{p.relative_to(ENGINE)}:{line} imports {m}"
        for p in files
        for line, m in _imports(p)
        if not _allowed(m)
    ]
    assert bad == []


def test_the_check_itself_refuses_an_outsider():
    assert not _allowed("services.scoring.application")
    assert not _allowed("shared.views")
    assert not _allowed("sqlalchemy")
    assert _allowed("decimal") and _allowed("shared.contracts.survey")


def test_the_reasons_the_scheme_reader_words_errors_with_import_the_standard_library_only():
    """`shared.reasons` is allowed because it needs nothing the verifier lacks."""
    reasons = ENGINE.parents[2] / "shared" / "reasons.py"
    outside = [m for _, m in _imports(reasons) if m.split(".")[0] not in sys.stdlib_module_names]
    assert outside == []
