"""Every refusal reporting itself raises reads Chinese first, English after
(`services/reporting/errors.py`): each reason it names, and every error raised anywhere in
the service with a reason written in place — found by reading the service's source, so a
refusal added later in English alone fails here too."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import services.reporting
from services.reporting import errors
from services.reporting.bulletins.api import _month, _week
from shared.errors import PingyiError
from tests.reporting.reasons import chinese_first


def _modules() -> Iterator[ModuleType]:
    for found in pkgutil.walk_packages(services.reporting.__path__, "services.reporting."):
        yield importlib.import_module(found.name)


def _is_error(value: Any) -> bool:
    return inspect.isclass(value) and issubclass(value, PingyiError)


def _reason_written(call: ast.Call, module: ModuleType) -> str | None:
    """The reason a call of an error class gives, as far as the source says it: a literal,
    an f-string's opening text, or a module constant; None when computed elsewhere."""
    if not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr):
        text = "".join(
            part.value
            for part in first.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        return text or None
    if isinstance(first, ast.Name) and isinstance(getattr(module, first.id, None), str):
        return str(getattr(module, first.id))
    return None


def _raised_reasons() -> Iterator[tuple[str, int, str]]:
    for module in _modules():
        source = Path(inspect.getfile(module))
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if not _is_error(getattr(module, node.func.id, None)):
                continue
            reason = _reason_written(node, module)
            if reason is not None:
                yield module.__name__, node.lineno, reason


def test_every_reason_reporting_names_is_chinese_first() -> None:
    named = {
        name: value
        for name, value in vars(errors).items()
        if name.isupper() and isinstance(value, str)
    }
    assert len(named) > 20
    computed = {
        "rounds_of_campaign": errors.rounds_of_campaign(2),
        "font_missing": errors.font_missing(Path("/fonts/none.ttc")),
        "fallback_font_missing": errors.fallback_font_missing(Path("/fonts/none.ttf")),
    }
    every = named | computed
    assert {name: reason for name, reason in every.items() if not chinese_first(reason)} == {}


def test_every_error_raised_with_a_reason_in_place_is_chinese_first() -> None:
    found = list(_raised_reasons())
    # The service raises errors with named reasons throughout: a scan that met none has
    # stopped reading the source.
    assert len(found) > 25, found
    wrong = [(module, line, reason) for module, line, reason in found if not chinese_first(reason)]
    assert wrong == []


def test_a_bad_period_says_what_it_takes_in_chinese_first() -> None:
    for parse, bad in ((_week, "2026-W54"), (_month, "2026-13")):
        try:
            parse(bad)
        except PingyiError as refused:
            assert refused.code == "invalid_period" and chinese_first(refused.reason)
        else:
            raise AssertionError(f"{bad} was taken")
