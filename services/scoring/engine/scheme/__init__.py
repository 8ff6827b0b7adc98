"""The scheme language: one validated document (YAML or JSON) per program and version, that
says how a campaign round's results are worked out: components and weights, deductions,
overrides, roll-up, grades, lists, ranking, rounding and the statistics shown.

`Scheme` is the document itself, a frozen pydantic model; its hash is the SHA-256 of the
canonical JSON of the validated document (defaults left out, so a document that spells out
a default and one that omits it are the same scheme, and adding an optional key to the
language later changes no stored scheme's hash). docs/scoring-schemes.md describes it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, StringConstraints, ValidationError, model_validator

from services.scoring.engine.scheme.components import (
    AssessmentComponent,
    CarriedComponent,
    Component,
    SubUnitsComponent,
    SurveyComponent,
)
from services.scoring.engine.scheme.parts import (
    Arithmetic,
    Code,
    DeductionRule,
    Part,
    Statistics,
    Words,
)
from services.scoring.engine.scheme.rules import (
    CarryForward,
    Condition,
    Grading,
    ListRule,
    Override,
    Ranking,
    SubUnits,
    Vertical,
)
from shared.canonical import digest

__all__ = ["Scheme", "SchemeError", "builtin_schemes", "load_scheme"]

SCHEMES_DIR = Path(__file__).resolve().parents[2] / "schemes"


class SchemeError(ValueError):
    """An invalid scheme document; the message names the field (a dotted path) and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Scheme(Part):
    scheme_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{1,63}$")]
    version: int = Field(ge=1, le=1_000_000)
    title: Words
    program: Code | None = None
    """The program pattern code it is written for (registry's pattern.code)."""
    description: Words | None = None
    arithmetic: Arithmetic = Arithmetic()
    statistics: Statistics = Statistics()
    components: tuple[Component, ...] = Field(min_length=1)
    deductions: tuple[DeductionRule, ...] = ()
    """Deducted from the composite, after weighting."""
    overrides: tuple[Override, ...] = ()
    grading: Grading | None = None
    ranking: Ranking = Ranking()
    sub_units: SubUnits = SubUnits()
    vertical: Vertical | None = None
    lists: tuple[ListRule, ...] = ()
    carry_forward: tuple[CarryForward, ...] = ()

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Scheme:
        if not isinstance(doc, Mapping):
            raise SchemeError("$", "a scheme is a mapping of keys to values")
        try:
            return cls.model_validate(dict(doc))
        except ValidationError as exc:
            raise _scheme_error(exc) from None

    @model_validator(mode="after")
    def _references(self) -> Scheme:
        _check_references(self)
        return self

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)

    @property
    def scheme_hash(self) -> str:
        return digest(self.document())

    def ref(self) -> dict[str, Any]:
        return {
            "scheme_id": self.scheme_id,
            "version": self.version,
            "scheme_hash": self.scheme_hash,
        }

    @property
    def key(self) -> tuple[str, int]:
        return (self.scheme_id, self.version)

    def component(self, code: str) -> Component:
        return next(c for c in self.components if c.code == code)

    def survey_components(self) -> tuple[SurveyComponent, ...]:
        return tuple(c for c in self.components if isinstance(c, SurveyComponent))

    def sample_component(self) -> SurveyComponent | None:
        surveys = self.survey_components()
        chosen = self.statistics.sample_component
        if chosen is not None:
            return next(c for c in surveys if c.code == chosen)
        return surveys[0] if surveys else None

    def sub_unit_codes(self) -> tuple[str, ...]:
        return self.sub_units.components or tuple(c.code for c in self.survey_components())


def _scheme_error(exc: ValidationError) -> SchemeError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    reason = str(first["msg"]).removeprefix("Value error, ")
    if not field and ": " in reason:
        # A cross-reference check names its own field (see _fail).
        field, reason = reason.split(": ", 1)
    return SchemeError(field or "$", reason)


def _fail(field: str, reason: str) -> None:
    # Raised inside validation: pydantic wraps it, from_document turns it into SchemeError.
    raise ValueError(f"{field}: {reason}")


def _check_references(s: Scheme) -> None:
    codes = [c.code for c in s.components]
    _unique("components", codes)
    _unique("deductions", [d.code for d in s.deductions])
    _unique("overrides", [o.code for o in s.overrides])
    _unique("lists", [x.code for x in s.lists])
    total = sum((c.weight for c in s.components), Decimal(0))
    if total != 1:
        _fail("components.weight", f"weights must sum to 1, they sum to {total}")
    surveys = {c.code for c in s.survey_components()}
    if s.statistics.sample_component and s.statistics.sample_component not in surveys:
        _fail("statistics.sample_component", "must name a survey component")
    for code in s.ranking.ties:
        if code not in codes:
            _fail("ranking.ties", f"unknown component {code}")
    for code in s.sub_units.components:
        if code not in codes:
            _fail("sub_units.components", f"unknown component {code}")
        if isinstance(s.component(code), SubUnitsComponent):
            _fail(
                "sub_units.components", f"{code} cannot score a sub-unit (sub-units of sub-units)"
            )
    for carried in s.carry_forward:
        if carried.code not in codes:
            _fail("carry_forward", f"unknown component {carried.code}")
    carried_codes = {c.code for c in s.carry_forward}
    for c in s.components:
        if isinstance(c, CarriedComponent) and c.carried_code not in carried_codes:
            _fail(f"components.{c.code}.carried_code", "not in carry_forward")
        if isinstance(c, AssessmentComponent) and not c.assessment_code:
            _fail(f"components.{c.code}.assessment_code", "required")
    _check_grades(s)
    conditions = [(f"grading.rules.{i}", r.when) for i, r in enumerate(_grade_rules(s))]
    conditions += [(f"lists.{x.code}", x.when) for x in s.lists]
    for where, condition in conditions:
        _check_condition(s, where, condition, surveys)


def _grade_rules(s: Scheme) -> tuple[Any, ...]:
    return s.grading.rules if s.grading else ()


def _check_grades(s: Scheme) -> None:
    grades = set(s.grading.grades) if s.grading else set()
    for o in s.overrides:
        if o.effect in ("lowest_grade", "grade") and s.grading is None:
            _fail(f"overrides.{o.code}.effect", "needs a grading section")
        if o.grade is not None and o.grade not in grades:
            _fail(f"overrides.{o.code}.grade", f"{o.grade} is not one of grading.grades")
    for x in s.lists:
        for g in _all_grades(x.when):
            if g not in grades:
                _fail(f"lists.{x.code}.when.grades", f"{g} is not one of grading.grades")


def _all_grades(c: Condition) -> list[str]:
    return list(c.grades) + [g for sub in c.any_of for g in _all_grades(sub)]


def _check_condition(s: Scheme, where: str, c: Condition, surveys: set[str]) -> None:
    codes = {x.code for x in s.components}
    for code in [*c.component_min, *c.component_below]:
        if code not in codes:
            _fail(f"{where}.when", f"unknown component {code}")
    if c.votes is not None and c.votes.component not in surveys:
        _fail(f"{where}.when.votes.component", "must name a survey component")
    overrides = {o.code for o in s.overrides}
    for code in c.overrides:
        if code not in overrides:
            _fail(f"{where}.when.overrides", f"unknown override {code}")
    lists = {x.code for x in s.lists}
    for code in c.previously_listed:
        if code not in lists:
            _fail(f"{where}.when.previously_listed", f"unknown list {code}")
    for sub in c.any_of:
        _check_condition(s, where, sub, surveys)


def _unique(field: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            _fail(field, f"code {code} used twice")
        seen.add(code)


def load_scheme(path: str | Path) -> Scheme:
    """A scheme from a .yaml/.yml or .json file."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        doc = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise SchemeError("$", f"{p.name} is not valid YAML/JSON: {exc}") from None
    return Scheme.from_document(doc)


SHIPPED_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The shipped files are read with libyaml's parser where PyYAML has it (same constructor,
about ten times faster; every replay and process start reads them). A user's file keeps
`safe_load`, whose error messages the API and the CLI show.
tests/scoring/engine/test_scheme_language.py holds the two to the same documents."""


def _shipped_document(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SHIPPED_LOADER)


def builtin_schemes() -> dict[tuple[str, int], Scheme]:
    """The scheme files shipped in services/scoring/schemes, by (scheme_id, version): a
    dict of the caller's own over schemes read once per process. Parsing the five files
    (PyYAML in pure Python) took about 110 ms, and every standings call, run request and
    scheme listing asked for them; with libyaml's parser it takes about 13 ms."""
    return dict(_shipped())


@functools.cache
def _shipped() -> dict[tuple[str, int], Scheme]:
    schemes: dict[tuple[str, int], Scheme] = {}
    for path in sorted(SCHEMES_DIR.glob("*.yaml")):
        scheme = Scheme.from_document(_shipped_document(path))
        if scheme.key in schemes:
            raise SchemeError("scheme_id", f"{scheme.key} shipped twice ({path.name})")
        schemes[scheme.key] = scheme
    return schemes
