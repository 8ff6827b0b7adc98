"""The grade rules that ask only for a score range, judged as the ranges they give.

A grade rule that asks for nothing but `min_score` / `below_score` gives its grade to a
range of scores; rules are tried in order, and scores lie within the arithmetic's
[floor, ceiling]. Two slips give a result nobody meant, silently, and are refused:
- a rule whose range an earlier one covers never applies (优 ≥ 80 before 良 ≥ 90; 中 ≥ 0
  before 差 < 60, when the floor is 0: the floor makes "≥ 0" every score);
- grades against their thresholds: `grading.grades` lists the best first, so a better grade
  given to lower scores than a worse one (差 ≥ 90 before 好 ≥ 60; 好 < 60 before 差 < 75;
  差 ≥ 90 with 好 otherwise) hands the best units the worst grade."""

from __future__ import annotations

from services.scoring.engine.scheme.checks.found import Found, said
from services.scoring.engine.scheme.parts import Arithmetic
from services.scoring.engine.scheme.rules import Condition, Grading

SCORE_ONLY = frozenset({"min_score", "below_score"})


def score_ranges(g: Grading, found: Found, bounds: Arithmetic | None) -> None:
    """`bounds`: the arithmetic, when it has its shape."""
    _shadowed(g, found, bounds)
    _against_thresholds(g, found, bounds)


def _score_only(c: Condition) -> bool:
    return c.model_fields_set <= SCORE_ONLY


def _shadowed(g: Grading, found: Found, bounds: Arithmetic | None) -> None:
    """A rule that can never give its grade: an earlier rule that asks only for a score
    range holds for every score this rule's range allows, whatever else this rule asks."""
    for j, rule in enumerate(g.rules):
        for i, earlier in enumerate(g.rules[:j]):
            if not (_score_only(earlier.when) and _covers(earlier.when, rule.when, bounds)):
                continue
            found.added(
                f"grading.rules.{j}.when",
                said(
                    f"永不适用: 符合它的单位都已由 grading.rules.{i} ({_range(earlier.when)}) "
                    f"评为 {earlier.grade}, 规则按顺序判定, 请把更严的分数线放在前面",
                    f"never applies: every unit it holds for is already given "
                    f"{earlier.grade} by grading.rules.{i} ({_range(earlier.when)}), and rules "
                    "are tried in order; put the stricter threshold first",
                ),
            )
            break


def _covers(e: Condition, c: Condition, bounds: Arithmetic | None) -> bool:
    """Whether every score `c`'s range allows is in `e`'s. Without bounds, a side `c` leaves
    open is covered only by `e` leaving it open too."""
    low = c.min_score
    if bounds is not None:
        low = bounds.floor if low is None else max(low, bounds.floor)
    if e.min_score is not None and (low is None or low < e.min_score):
        return False
    if e.below_score is None:
        return True
    if c.below_score is not None:
        return c.below_score <= e.below_score
    # Open above: every score up to the ceiling, which is a score (`below` excludes it).
    return bounds is not None and bounds.ceiling < e.below_score


def _against_thresholds(g: Grading, found: Found, bounds: Arithmetic | None) -> None:
    rank = {grade: i for i, grade in enumerate(g.grades)}  # 0: the best
    ranged = [(j, r) for j, r in enumerate(g.rules) if _score_only(r.when) and r.grade in rank]
    for j, rule in ranged:
        for k, other in ranged:
            if rank[rule.grade] < rank[other.grade] and _lower(rule.when, other.when):
                found.added(f"grading.rules.{j}.when", _inverted(rule.grade, other.grade, k))
    if g.otherwise in rank:
        for j, rule in ranged:
            problem = _against_otherwise(rule.when, rank[rule.grade], rank[g.otherwise], bounds)
            if problem:
                found.added(f"grading.rules.{j}.when", _inverted_otherwise(rule.grade, g))


def _lower(better: Condition, worse: Condition) -> bool:
    """Whether the better grade's threshold sits below the worse one's on the same side, or
    its whole range below the worse one's (then wherever the rules stand, it is given to
    lower scores)."""
    if better.min_score is not None and worse.min_score is not None:
        return better.min_score < worse.min_score
    if better.below_score is not None and worse.below_score is not None:
        return better.below_score < worse.below_score
    return (
        better.below_score is not None
        and worse.min_score is not None
        and better.below_score <= worse.min_score
    )


def _against_otherwise(c: Condition, grade: int, otherwise: int, bounds: Arithmetic | None) -> bool:
    """A rule open above (≥ m) leaves `otherwise` the scores below m; open below (< b), the
    scores from b up: the grade it gives must be better, or worse, than `otherwise`'s —
    when the scores left to `otherwise` exist at all."""
    floor = bounds.floor if bounds is not None else None
    ceiling = bounds.ceiling if bounds is not None else None
    if c.min_score is not None and c.below_score is None:
        leaves_some = floor is None or c.min_score > floor
        return leaves_some and grade > otherwise
    if c.below_score is not None and c.min_score is None:
        leaves_some = ceiling is None or c.below_score <= ceiling
        return leaves_some and grade < otherwise
    return False


def _inverted(better: str, worse: str, k: int) -> str:
    return said(
        f"等级与分数线相反: grading.grades 由好到差, {better} 好于 {worse}, 但这条规则给 "
        f"{better} 的分数低于 grading.rules.{k} 给 {worse} 的分数",
        f"grades against their thresholds: grading.grades lists the best first and {better} "
        f"is better than {worse}, yet this rule gives {better} to lower scores than "
        f"grading.rules.{k} gives {worse}",
    )


def _inverted_otherwise(grade: str, g: Grading) -> str:
    return said(
        f"等级与分数线相反: 这条规则给出的 {grade} 与其余分数的 {g.otherwise} (grading.otherwise) "
        "好坏颠倒: grading.grades 由好到差",
        f"grades against their thresholds: this rule's {grade} and {g.otherwise} "
        "(grading.otherwise) for the other scores are the wrong way round; grading.grades "
        "lists the best first",
    )


def _range(c: Condition) -> str:
    parts = [f"min_score {c.min_score}"] if c.min_score is not None else []
    parts += [f"below_score {c.below_score}"] if c.below_score is not None else []
    return ", ".join(parts) or "no condition: every unit"
