"""Base for every registry request model, and the choice fields that take a code or its
Chinese name.

Every string field is `shared.types.Line` (names, labels, codes) or `Prose` (reasons), so
control characters are refused by type, whatever the field is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def coded(labels: Mapping[str, str]) -> tuple[BeforeValidator, WithJsonSchema]:
    """A choice field's code, given as the code or as its Chinese label (`county` or `县`):
    offices type the names they use, as a campaign's `pattern` accepts 履职尽责督促检查, and
    the code is what is stored. Annotate the codes' Literal with these.

    A refusal lists each value as `'county'（县）`, so an office that reads only Chinese sees
    which code a name stands for; it stays a `literal_error`, the code machines read. The
    schema's enum documents the codes first, then the names it also accepts."""
    by_label = {label: code for code, label in labels.items()}
    if len(by_label) != len(labels) or set(by_label) & set(labels):
        raise ValueError("a label must name one code, and no code may be another's label")
    listed = [f"{code!r}（{label}）" for code, label in labels.items()]
    codes = [repr(code) for code in labels]
    # `shared.reasons` reads `expected` as pydantic's "'a', 'b' or 'c'"; the English message
    # stays pydantic's own, word for word.
    expected = f"{', '.join(listed[:-1])} or {listed[-1]}"
    english = f"Input should be {', '.join(codes[:-1])} or {codes[-1]}"

    def to_code(value: Any) -> str:
        if isinstance(value, str):
            cleaned = value.strip()
            if cleaned in labels:
                return cleaned
            if cleaned in by_label:
                return by_label[cleaned]
        raise PydanticCustomError("literal_error", english, {"expected": expected})

    schema = {"type": "string", "enum": [*labels, *by_label]}
    return BeforeValidator(to_code), WithJsonSchema(schema)
