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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, StringConstraints, ValidationError

from services.scoring.engine.scheme.checks import Problem, Shaped, problems
from services.scoring.engine.scheme.checks.found import said
from services.scoring.engine.scheme.components import Component, SurveyComponent
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
    Grading,
    ListRule,
    Override,
    Ranking,
    SubUnits,
    Vertical,
)
from services.scoring.engine.scheme.shape import shape_problems
from services.scoring.engine.scheme.yaml_text import YamlRefused, core_booleans, read_yaml
from shared.canonical import digest
from shared.types import JsonInt

__all__ = [
    "Scheme",
    "SchemeError",
    "builtin_schemes",
    "load_scheme",
    "read_scheme_document",
    "schemes_in",
]

SCHEMES_DIR = Path(__file__).resolve().parents[2] / "schemes"


class SchemeError(ValueError):
    """An invalid scheme document. `problems` holds every problem found, each as (field, reason)
    with the field a dotted path in the document (`components.0.level_weights.非常满意`, `$`
    for the document itself); `field` and `reason` are the first one's."""

    def __init__(self, field: str, reason: str, more: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = ((field, reason), *more)
        text = "; ".join(f"{f}: {r}" for f, r in self.problems)
        super().__init__(text)
        self.field = field
        self.reason = reason

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> SchemeError:
        (field, reason), *more = problems
        return cls(field, reason, more)


MAX_DEPTH = 32
"""How deeply a new document may nest (the shipped schemes need 7)."""


def _deeper_than(doc: Any, limit: int) -> str | None:
    """The dotted path of the first value nested deeper than `limit`, else None."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(doc, ())]
    while pending:
        value, path = pending.pop()
        if len(path) > limit:
            return ".".join(path[: limit + 1])
        if isinstance(value, Mapping):
            pending.extend((v, (*path, str(k))) for k, v in value.items())
        elif isinstance(value, list | tuple):
            pending.extend((v, (*path, str(i))) for i, v in enumerate(value))
    return None


class Scheme(Part):
    scheme_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{1,63}$")]
    version: JsonInt = Field(ge=1, le=1_000_000)
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
        """The scheme a document says, under the language's rules: how a registered scheme
        is read back (replay, audit), so one registered before a later rule still loads.
        A document being registered or tried goes through `from_new_document`."""
        return cls._read(doc, new=False)

    @classmethod
    def from_new_document(cls, doc: Mapping[str, Any]) -> Scheme:
        """A document being registered or tried (what-if), and the shipped files: the
        language's rules and every rule added since (`checks.NEW`)."""
        return cls._read(doc, new=True)

    @classmethod
    def _read(cls, doc: Mapping[str, Any], *, new: bool) -> Scheme:
        """Every problem is reported, not the first: the document's shape (keys, types),
        then the rules between its parts, on every part that has its shape
        (`checks.shaped`)."""
        if not isinstance(doc, Mapping):
            raise SchemeError(
                "$", said("方案须为键值映射", "a scheme is a mapping of keys to values")
            )
        too_deep = _deeper_than(doc, MAX_DEPTH) if new else None
        if too_deep is not None:
            # Validation would say "Recursion error" under a path of thousands of characters.
            raise SchemeError(
                too_deep,
                said(
                    f"嵌套超过 {MAX_DEPTH} 层: 请把条件写得扁平些",
                    f"nested deeper than {MAX_DEPTH} levels: write the conditions flatter",
                ),
            )
        try:
            scheme = cls.model_validate(dict(doc))
        except ValidationError as exc:
            shape = shape_problems(exc, doc)
            rules = problems(Shaped.of_document(cls, doc), new=new)
            raise SchemeError.of(shape + [p for p in rules if p not in shape]) from None
        found = problems(Shaped.of(scheme), new=new)
        if found:
            raise SchemeError.of(found)
        return scheme

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


def load_scheme(path: str | Path) -> Scheme:
    """A scheme from a .yaml/.yml or .json file, under the language's rules (a stored
    document); `Scheme.from_new_document` for one being registered."""
    return Scheme.from_document(read_scheme_document(path))


def read_scheme_document(path: str | Path) -> Any:
    """The document a .yaml/.yml or .json file holds, not yet validated (`pingyi audit
    export` keeps it as written); `SchemeError` naming the file when it is not UTF-8 text
    or not valid YAML/JSON. A file that cannot be opened raises `OSError`."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        # The byte counted as the YAML reader counts it (`yaml_text.read_yaml`).
        raise _unreadable(
            p,
            f"文本须为 UTF-8 编码, 第 {error.start} 字节不是",
            f"the text is not UTF-8 (byte {error.start} is not)",
        ) from None
    try:
        # The strict reader a YAML body of POST /schemes gets: a key given twice is refused
        # at its line, not silently the last one (`yaml_text`).
        doc = json.loads(text) if p.suffix == ".json" else read_yaml(text)
    except YamlRefused as refused:
        raise _unreadable(p, *refused.words) from None
    except json.JSONDecodeError as error:
        place = f"第 {error.lineno} 行第 {error.colno} 列"
        raise _unreadable(p, f"{place}: 不是有效的 JSON", str(error)) from None
    except ValueError as error:  # Python reads no integer of more than 4,300 digits
        raise _unreadable(p, "数字超过 4,300 位", str(error)) from None
    return doc


def _unreadable(path: Path, chinese: str, english: str) -> SchemeError:
    return SchemeError(
        "$",
        said(
            f"文件 {path.name} 不是有效的 YAML/JSON: {chinese}",
            f"{path.name} is not valid YAML/JSON: {english}",
        ),
    )


SHIPPED_LOADER: type[yaml.SafeLoader] = core_booleans(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
"""The shipped files are read with libyaml's parser where PyYAML has it (same constructor,
about ten times faster; every replay and process start reads them), with YAML 1.2's booleans
as every scheme document is (`yaml_text.core_booleans`). A user's file keeps `read_yaml`,
whose error messages the API and the CLI show.
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
    return schemes_in(SCHEMES_DIR)


def schemes_in(folder: Path) -> dict[tuple[str, int], Scheme]:
    """The .yaml files of `folder` read as the shipped ones are, by (scheme_id, version): a
    (scheme_id, version) in two files is refused, as neither could be the one meant."""
    schemes: dict[tuple[str, int], Scheme] = {}
    for path in sorted(folder.glob("*.yaml")):
        scheme = Scheme.from_new_document(_shipped_document(path))
        if scheme.key in schemes:
            raise SchemeError(
                "scheme_id",
                said(
                    f"随附的方案 {scheme.key} 出现两次 ({path.name})",
                    f"{scheme.key} shipped twice ({path.name})",
                ),
            )
        schemes[scheme.key] = scheme
    return schemes
