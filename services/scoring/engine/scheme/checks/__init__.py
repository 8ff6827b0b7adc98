"""The rules that tie one part of a scheme to another (a grade named in `grading.grades`, a
level on the component's scale, codes used once, weights that sum to 1 …), every problem
named by its path in the document (`components.0.level_weights.非常满意`).

They are checked on the parts that have their shape (`shaped`): all of a valid document,
and, beside the shape errors of one that is not, each section and each list item that
validated alone; a rule that judges a part by a whole section runs only when that section
is whole.

Two sets of rules:

- the language's rules, which every scheme ever registered passed: checked whenever a
  document is read, the registered ones read back from the log included;
- rules added later (`NEW`): checked when a document is registered or tried (what-if) and
  on the shipped files, never on a document read back from the log, so a scheme registered
  before a rule existed keeps loading for replay and audit with the results it gave.
"""

from __future__ import annotations

from services.scoring.engine.scheme.checks.components import components
from services.scoring.engine.scheme.checks.decisions import decisions
from services.scoring.engine.scheme.checks.found import Found, Problem
from services.scoring.engine.scheme.checks.references import references
from services.scoring.engine.scheme.checks.scale import scale
from services.scoring.engine.scheme.checks.shaped import Shaped

__all__ = ["NEW", "Problem", "Shaped", "problems"]

NEW = (
    "level_weights name levels of the component's scale only",
    "level points, a numeric factor × the highest number, a hotline's maximum and base, "
    "and a tally's base are at most 100 (every component value is on 0–100)",
    "numeric_factor on a numeric scale only, and not beside level_weights",
    "arithmetic.floor below arithmetic.ceiling",
    "grading.grades names each grade once",
    "votes.levels are levels of the component's scale",
    "a sub_units component's categories, when given, name at least one category",
    "top and bottom are at least 1 (a mapping names at least one category)",
    "a tally component's rules have codes used once",
    "no grade rule is shadowed by an earlier rule that asks only for a score range "
    "holding wherever it does (thresholds out of order)",
    "level points not on a 0–1 scale (the highest level above 1: points are out of 100)",
    "no min_score above the highest score the components and arithmetic allow",
    "score thresholds not all below 1 when scores reach above 1 (a share typed for points)",
    "no below_score above arithmetic.ceiling (it holds for every score)",
    "grade rules asking only for a score range give better grades to higher scores",
    "a votes share more_than below 1; top and bottom per category at least 1",
    "statistics.confidence is a percentage that z gives (2Φ(z)−1, within half a point)",
)
"""The rules added after schemes were first registered (docs/scoring-schemes.md)."""


def problems(parts: Shaped, *, new: bool) -> list[Problem]:
    """Every problem of the parts that have their shape; `new`: with the rules added
    later."""
    found = Found(new)
    components(parts, found)
    references(parts, found)
    decisions(parts, found)
    scale(parts, found)
    return found.problems
