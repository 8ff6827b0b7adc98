"""Where the checks put what they find."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

Problem = tuple[str, str]
"""(path in the document, why)."""

HUNDRED = Decimal(100)


class Found:
    def __init__(self, new: bool) -> None:
        self.new = new
        self.problems: list[Problem] = []

    def add(self, field: str, reason: str) -> None:
        """A problem under the language's rules."""
        if (field, reason) not in self.problems:
            self.problems.append((field, reason))

    def added(self, field: str, reason: str) -> None:
        """A problem under a rule added later (`NEW`): only for a new document."""
        if self.new:
            self.add(field, reason)


def levels_text(levels: Iterable[str]) -> str:
    return "、".join(levels)
