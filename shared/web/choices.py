"""A choice a request may name by its code or by the Chinese name offices write (`网上` for
`online`, `问卷测评` for `satisfaction_survey`): one table per vocabulary (`Named`), read
alike by a JSON body (`Named.read`, `Named.schema`) and a spreadsheet cell (`Named.of`),
so that a name one path takes the other takes too. What is stored and published stays the code.

A value that is neither is refused with every allowed value as `code（中文）`: a caller who
sent the Chinese name learns the code, and one who sent a code learns what it means."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Generic, TypeVar

E = TypeVar("E", bound=StrEnum)
_SPACE = re.compile(r"\s+")


def name_key(text: str) -> str:
    """How a name is compared: NFKC (full-width ｏｎｌｉｎｅ is online), no whitespace,
    Latin case ignored."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


class Named(Generic[E]):
    """A vocabulary's codes and their Chinese names (`labels`: every code of the enum)."""

    def __init__(self, labels: Mapping[E, str]) -> None:
        self.labels = dict(labels)
        self._by_key: dict[str, E] = {}
        for code, label in self.labels.items():
            self._by_key[name_key(code.value)] = code
            self._by_key[name_key(label)] = code
        self.listed = "、".join(f"{code.value}（{label}）" for code, label in self.labels.items())
        """Every allowed value as `code（中文）`, as a refusal lists them."""

    def of(self, text: str) -> E | None:
        """The code `text` names (its code or its Chinese name), or None."""
        return self._by_key.get(name_key(text))

    def refusal(self) -> str:
        return f"须为以下之一: {self.listed} (should be one of these codes, or its Chinese name)"

    def read(self, value: Any) -> Any:
        """A request's value as the enum's member (a `BeforeValidator`); a `ValueError`
        listing every allowed value for anything else. Called once per value (a push's
        channel: once per questionnaire, not per answer)."""
        if isinstance(value, str):
            found = self.of(value)
            if found is not None:
                return found
        raise ValueError(self.refusal())

    def schema(self, description: str) -> dict[str, Any]:
        """The request value's JSON schema (a `WithJsonSchema`): the codes, then the Chinese
        names, as the registry's `pattern` lists them."""
        return {
            "type": "string",
            "enum": [*(code.value for code in self.labels), *self.labels.values()],
            "description": f"{description}: {self.listed}. The code is what is stored",
        }
