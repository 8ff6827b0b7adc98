"""A choice in a request, named by its code or its Chinese name: a vocabulary's `Choices`
table (`shared.choices`) read alike by a JSON body or query (`Named.read`, `Named.schema`)
and a spreadsheet cell (`Named.of`), so that a name one path takes the other takes too.
Survey's and the registry's choices all use it.

The refusal is a `literal_error`, the code pydantic gives a choice among codes, which the
registry's choices answered before they took names and which clients match on."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from shared.choices import CHOICE_ENGLISH, C, Choices


class Named(Choices[C]):
    """A vocabulary as a request field reads it and its schema documents it."""

    def read(self, value: Any) -> Any:
        """A request's value as its code (a `BeforeValidator`); a `literal_error` listing
        every allowed value for anything else, a control character included (`code`).
        `shared.reasons` words it as `refusal()`: the list goes in `expected`, where it puts
        a choice's values, and the message stays short, since it answers a long message
        with a pointer to the schema. Called once per value (a push's channel: once per
        questionnaire, not per answer)."""
        found = self.code(value)
        if found is not None:
            return found
        raise PydanticCustomError("literal_error", CHOICE_ENGLISH, {"expected": self.listed})

    def schema(self, description: str) -> dict[str, Any]:
        """The request value's JSON schema (a `WithJsonSchema`): the codes, then the Chinese
        names (each value once: a code may be its own name)."""
        values = [*(str(code) for code in self.labels), *self.labels.values()]
        return {
            "type": "string",
            "enum": list(dict.fromkeys(values)),
            "description": f"{description}: {self.listed}. The code is what is stored",
        }
