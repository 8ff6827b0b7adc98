"""A unit's flags as an office reads them, for the standings answer.

The engine flags a unit that has no value for a component the scheme requires as
`缺少必需成分:<code>` (`缺少必需成分:concentrated`): a component's code, which an office does
not know. That text is part of the results document, which runs store, digest and replay
byte for byte, so it stays as computed (and reporting and the explanation parse the code out
of it); the standings answer adds the flags in words beside it, the component by its name in
the scheme (`缺少必需成分：集中评议`), as reports print it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.scoring.engine.compute.explain import MISSING_REQUIRED
from services.scoring.engine.compute.ranking import INDISTINGUISHABLE
from services.scoring.engine.scheme import Scheme

_WORDS = {INDISTINGUISHABLE: "与相邻名次差异不显著"}
"""Flags that are codes rather than words, in the words reports use for them."""


def flag_names(results: Mapping[str, Any], scheme: Scheme) -> dict[str, list[str]]:
    """Per unit with flags (unit_id → its flags in words, in the results' order)."""
    names = {c.code: c.name for c in scheme.components}
    return {
        unit["unit_id"]: [_word(flag, names) for flag in unit["flags"]]
        for unit in results["units"]
        if unit["flags"]
    }


def _word(flag: str, names: Mapping[str, str]) -> str:
    if flag.startswith(MISSING_REQUIRED):
        code = flag.removeprefix(MISSING_REQUIRED)
        return f"缺少必需成分：{names.get(code, code)}"
    return _WORDS.get(flag, flag)
