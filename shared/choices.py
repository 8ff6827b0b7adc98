"""A choice named by its code or by the Chinese name offices write (`网上` for `online`,
`问卷测评` for `satisfaction_survey`, `两年` for `two_years`): one table per vocabulary
(`Choices`), so a JSON body (`shared.web.choices.Named`), a spreadsheet cell and a domain
check (the registry's campaign pattern, cycle and key-target reason) take the same names.
What is stored and published stays the code.

A value that is neither is refused with every allowed value as `code（中文）` (`refusal`): a
caller who sent the Chinese name learns the code, and one who sent a code learns what it
means. Kept out of `shared.web` so that a domain can use it without the web layer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Generic, TypeVar

from shared.types import text_problem

C = TypeVar("C", bound=str)
"""A vocabulary's code: a `StrEnum` member (survey) or a plain string (a `Literal`'s)."""
_SPACE = re.compile(r"\s+")
CHOICE_ENGLISH = "should be one of these codes, or its Chinese name"


def name_key(text: str) -> str:
    """How a name is compared: NFKC (full-width ｏｎｌｉｎｅ is online), no whitespace,
    Latin case ignored."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _listed(code: str, label: str) -> str:
    return code if code == label else f"{code}（{label}）"


class Choices(Generic[C]):
    """A vocabulary's codes and their Chinese names (`labels`: every code, in the order a
    refusal and the schema list them)."""

    def __init__(self, labels: Mapping[C, str]) -> None:
        self.labels = dict(labels)
        self._by_key: dict[str, C] = {}
        for code, label in self.labels.items():
            for key in {name_key(str(code)), name_key(label)}:
                # A name that read as two codes would store whichever came last.
                if self._by_key.setdefault(key, code) != code:
                    raise ValueError(f"{key!r} names two codes")
        self.listed = "、".join(_listed(str(code), label) for code, label in self.labels.items())
        """Every allowed value as `code（中文）`, as a refusal lists them; a code that is its
        own Chinese word (`暗访`) once."""
        if " or " in self.listed:
            # `shared.reasons` reads `expected` as pydantic's "'a', 'b' or 'c'".
            raise ValueError("a code or name may not contain ' or '")

    def of(self, text: str) -> C | None:
        """The code `text` names (its code or its Chinese name), or None."""
        return self._by_key.get(name_key(text))

    def code(self, value: object) -> C | None:
        """The code a caller's value names, or None for anything else: a non-string, or one
        with a control character (`two_years` with a vertical tab is not `two_years`)."""
        # The kernel's text rule first (`Line`'s): a control character is refused as every
        # text field refuses it, not read as the whitespace `name_key` drops.
        if isinstance(value, str) and text_problem(value, "line") is None:
            return self.of(value)
        return None

    def refusal(self) -> str:
        return f"须为以下之一: {self.listed} ({CHOICE_ENGLISH})"
