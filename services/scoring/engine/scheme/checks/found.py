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


def said(chinese: str, english: str) -> str:
    """A problem in words, as every refusal is (`shared.reasons`): Chinese first, for the
    offices that write schemes, and the English after it."""
    return f"{chinese} ({english})"


MUST_NAME_SURVEY = said("须为问卷测评成分的代码", "must name a survey component")


def unknown_component(code: str) -> str:
    return said(f"没有代码为 {code} 的成分", f"unknown component {code}")


def not_a_grade(grade: str) -> str:
    return said(f"{grade} 不在 grading.grades 中", f"{grade} is not one of grading.grades")
