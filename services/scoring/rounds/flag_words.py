"""A unit's flags as an office reads them, for the standings and the runs' answers.

The engine flags a unit that has no value for a component the scheme requires as
`缺少必需成分:<code>` (`缺少必需成分:concentrated`): a component's code, which an office does
not know. That text is part of the results document, which runs store, digest and replay
byte for byte, so it stays as computed (and reporting and the explanation parse the code out
of it); the standings and a run's answer add the flags in words beside it, the component by
its name in the scheme (`缺少必需成分：集中评议`), as reports print it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.scoring.engine.compute.explain import MISSING_REQUIRED
from services.scoring.engine.compute.ranking import INDISTINGUISHABLE
from services.scoring.engine.scheme import Scheme

_WORDS = {INDISTINGUISHABLE: "与相邻名次差异不显著"}
"""Flags that are codes rather than words, in the words reports use for them."""


def flag_names(results: Mapping[str, Any], scheme: Scheme | None) -> dict[str, list[str]]:
    """Per unit with flags (unit_id → its flags in words, in the results' order). Without
    a scheme (a stored run's, no longer known as it was) a component keeps its code."""
    names = {} if scheme is None else {c.code: c.name for c in scheme.components}
    # .get: a stored run's results are shown even when edited in the store (its answer
    # then carries an integrity warning), so a missing key must not fail the read.
    return {
        unit["unit_id"]: [_word(flag, names) for flag in unit["flags"]]
        for unit in results.get("units") or ()
        if unit.get("flags")
    }


def _word(flag: str, names: Mapping[str, str]) -> str:
    if flag.startswith(MISSING_REQUIRED):
        code = flag.removeprefix(MISSING_REQUIRED)
        return f"缺少必需成分：{names.get(code, code)}"
    return _WORDS.get(flag, flag)
