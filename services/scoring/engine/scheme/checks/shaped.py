"""Which parts of a scheme document have their shape, so that the rules between parts are
checked on those even when other parts have none.

A part is a top-level section (`arithmetic`, `grading`, `ranking` …) or one item of a list
section (`components.2`, `lists.0`). Each is validated alone by the pydantic type the whole
document validates it with; no validator of a scheme reads one section from another, so a
part that validates alone is the part the whole document would hold. A part is the
smallest unit: a component with one bad value is unread whole, and its other values are
not checked against the rules.

A rule reads only parts that have their shape. One that needs a whole section (the
weights' sum, a grade named in `grading.grades`) runs only when that section is whole. A
name is judged unknown (`ranking.ties: [x]`) only when every item of the section it names
has its shape, since x may be exactly the unread one; a name found among the items before
any unread one resolves as the engine resolves it (the first item with that code).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

LIST_SECTIONS = ("components", "deductions", "overrides", "lists", "carry_forward")
_UNREAD = object()
UNKNOWN: Any = object()
"""What a reference resolves to when an item without its shape may be the one it names."""


@dataclass(frozen=True)
class Shaped:
    sections: dict[str, Any]
    """Every section that has its shape (an optional one the document leaves out: its
    default)."""
    items: dict[str, list[Any] | None]
    """Per list section, its items in the document's order, None for one without its shape;
    None for a section that is no list at all (no item has an index in the document)."""

    @classmethod
    def of(cls, scheme: BaseModel) -> Shaped:
        """A validated scheme: every part."""
        sections = {name: getattr(scheme, name) for name in type(scheme).model_fields}
        return cls(sections, {name: list(sections[name]) for name in LIST_SECTIONS})

    @classmethod
    def of_document(cls, model: type[BaseModel], doc: Mapping[str, Any]) -> Shaped:
        """The parts of a document that did not validate whole that have their shape."""
        sections: dict[str, Any] = {}
        items: dict[str, list[Any] | None] = {}
        for name in model.model_fields:
            value = _section(model, name, doc)
            if value is not _UNREAD:
                sections[name] = value
            if name in LIST_SECTIONS:
                read = value is not _UNREAD
                items[name] = list(value) if read else _items(model, name, doc.get(name))
        return cls(sections, items)

    def whole(self, name: str) -> bool:
        return name in self.sections

    def each(self, name: str) -> list[tuple[int, Any]]:
        """The items of a list section that have their shape, with their index."""
        return [(i, item) for i, item in enumerate(self.items[name] or ()) if item is not None]

    def has(self, name: str, code: str) -> bool | None:
        """Whether an item of the list section has this code; None: not known (no item
        has it, and an item without its shape might)."""
        items = self.items[name]
        if items is not None and any(x is not None and x.code == code for x in items):
            return True
        return None if items is None or None in items else False

    def first(self, name: str, match: Callable[[Any], bool]) -> Any:
        """The first item of the list section that matches, as the engine looks one up;
        None when none does; `UNKNOWN` when an item without its shape comes first."""
        for item in self.items[name] or [None]:
            if item is None:
                return UNKNOWN
            if match(item):
                return item
        return None

    @property
    def grades(self) -> frozenset[str] | None:
        """The scheme's grades (none without a grading section); None: not known."""
        if not self.whole("grading"):
            return None
        grading = self.sections["grading"]
        return frozenset() if grading is None else frozenset(grading.grades)


def _section(model: type[BaseModel], name: str, doc: Mapping[str, Any]) -> Any:
    field = model.model_fields[name]
    if name not in doc:
        return _UNREAD if field.is_required() else field.get_default(call_default_factory=True)
    try:
        return _adapter(model, name).validate_python(doc[name])
    except ValidationError:
        return _UNREAD


def _items(model: type[BaseModel], name: str, raw: Any) -> list[Any] | None:
    if not isinstance(raw, list):
        return None
    adapter = _item_adapter(model, name)
    found: list[Any] = []
    for item in raw:
        try:
            found.append(adapter.validate_python(item))
        except ValidationError:
            found.append(None)
    return found


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """The section's type with its constraints (`min_length`, `ge`, strictness)."""
    field = model.model_fields[name]
    metadata = tuple(field.metadata)
    annotated: Any = Annotated[(field.annotation, *metadata)] if metadata else field.annotation
    return TypeAdapter(annotated)


@functools.cache
def _item_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    item, _ = get_args(model.model_fields[name].annotation)  # tuple[Item, ...]
    return TypeAdapter(item)
