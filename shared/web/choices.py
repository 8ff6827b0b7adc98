"""A choice a request may name by its code or by the Chinese name offices write (`网上` for
`online`, `问卷测评` for `satisfaction_survey`, `县` for `county`): one table per vocabulary
(`Named`), read alike by a JSON body or query (`Named.read`, `Named.schema`) and a
spreadsheet cell (`Named.of`), so that a name one path takes the other takes too. What is
stored and published stays the code. Survey's and the registry's choices all use it.

A value that is neither is refused with every allowed value as `code（中文）`: a caller who
sent the Chinese name learns the code, and one who sent a code learns what it means. The
refusal is a `literal_error`, the code pydantic gives a choice among codes, which the
registry's choices answered before they took names and which clients match on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pydantic_core import PydanticCustomError

from shared.types import text_problem

C = TypeVar("C", bound=str)
"""A vocabulary's code: a `StrEnum` member (survey) or a plain string (a `Literal`'s)."""
_SPACE = re.compile(r"\s+")
CHOICE_ENGLISH = "should be one of these codes, or its Chinese name"


def name_key(text: str) -> str:
    """How a name is compared: NFKC (full-width ｏｎｌｉｎｅ is online), no whitespace,
    Latin case ignored."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


class Named(Generic[C]):
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
        self.listed = "、".join(f"{code}（{label}）" for code, label in self.labels.items())
        """Every allowed value as `code（中文）`, as a refusal lists them."""
        if " or " in self.listed:
            # `shared.reasons` reads `expected` as pydantic's "'a', 'b' or 'c'".
            raise ValueError("a code or name may not contain ' or '")

    def of(self, text: str) -> C | None:
        """The code `text` names (its code or its Chinese name), or None."""
        return self._by_key.get(name_key(text))

    def refusal(self) -> str:
        return f"须为以下之一: {self.listed} ({CHOICE_ENGLISH})"

    def read(self, value: Any) -> Any:
        """A request's value as its code (a `BeforeValidator`); a `literal_error` listing
        every allowed value for anything else, a control character included (`two_years`
        with a vertical tab is not `two_years`). `shared.reasons` words it as `refusal()`:
        the list goes in `expected`, where it puts a choice's values, and the message stays
        short, since it answers a long message with a pointer to the schema. Called once per
        value (a push's channel: once per questionnaire, not per answer)."""
        # The kernel's text rule first (`Line`'s): a control character is refused as every
        # text field refuses it, not read as the whitespace `name_key` drops.
        if isinstance(value, str) and text_problem(value, "line") is None:
            found = self.of(value)
            if found is not None:
                return found
        raise PydanticCustomError("literal_error", CHOICE_ENGLISH, {"expected": self.listed})

    def schema(self, description: str) -> dict[str, Any]:
        """The request value's JSON schema (a `WithJsonSchema`): the codes, then the Chinese
        names."""
        return {
            "type": "string",
            "enum": [*(str(code) for code in self.labels), *self.labels.values()],
            "description": f"{description}: {self.listed}. The code is what is stored",
        }
