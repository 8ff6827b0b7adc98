"""Every string a request carries, found in a real request rather than in the schema: the
values and the keys of its JSON body, however deeply nested, and its query parameters. Each
can be replaced on its own, so a test can put a NUL (or a hostile string) in one place at a
time and see that place named in the answer."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from schemathesis import GenerationMode
from schemathesis.core import NotSet

from tests.fuzz.operations import FuzzCase, Operation, boundary_cases
from tests.fuzz.seed import Seeded

# Refused by both of the kernel's text kinds (shared/types.py): C0 and C1 controls other
# than tab and line ends, DEL, a lone surrogate (sent as a JSON escape), bidirectional
# controls and other invisible format characters (but the joiners and
# direction marks, which prose keeps).
CONTROL = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\ud800",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "\u00ad",
    "\U000e0001",
]


@dataclass(frozen=True)
class Place:
    """Where a string sits: ("body", "questionnaires", 0, "ratings", <key>, KEY) or
    ("query", "q"). A trailing KEY means the dict key itself, not its value."""

    path: tuple[Any, ...]

    @property
    def label(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def named(self) -> str:
        """The name an error must mention: the query parameter, or the body's top-level
        field the string sits under."""
        return str(self.path[1])


class _Key:
    def __str__(self) -> str:
        return "{key}"


KEY = _Key()


def valid_case(operation: Operation, seeded: Seeded) -> FuzzCase | None:
    """The first valid request the schema's coverage phase makes for the operation (from
    its examples where it has them), its path parameters pointed at seeded records."""
    for case in boundary_cases(operation):
        if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
            continue
        if not isinstance(case.body, dict | NotSet):
            continue
        for name in list(case.path_parameters or {}):
            pool = seeded.pool(name)
            if pool:
                case.path_parameters[name] = pool[0]
        if isinstance(case.body, dict):
            case.body = _existing(case.body, seeded)
        return case
    return None


def _existing(value: Any, seeded: Seeded) -> Any:
    """Ids in the body pointed at seeded records too (the first of each kind), so that the
    scope check, which reads them before the body is validated, finds them."""
    if isinstance(value, list):
        return [_existing(item, seeded) for item in value]
    if not isinstance(value, dict):
        return value
    found = {}
    for name, item in value.items():
        pool = [p for p in seeded.pool(name) if not name.endswith("_id") or _uuid_like(p)]
        if pool and name.endswith(("_id", "_ids")) and isinstance(item, str):
            item = pool[0]
        elif pool and name.endswith("_ids") and isinstance(item, list):
            item = pool[: max(1, len(item))]
        found[name] = _existing(item, seeded)
    return found


def _uuid_like(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def request_of(case: FuzzCase) -> dict[str, Any]:
    """The case as keyword arguments for a client (method, url, headers, params, json),
    without a `cursor`: only the server hands those out, and a list refuses an unknown one
    before it reads the other parameters."""
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url="http://testserver")
    if kwargs.get("params"):
        kwargs["params"] = {k: v for k, v in kwargs["params"].items() if k != "cursor"}
    kwargs["body_schema"] = (
        case.operation.definition.raw.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
    )
    kwargs["components"] = case.operation.schema.raw_schema.get("components", {}).get("schemas", {})
    return kwargs


def places(request: dict[str, Any]) -> Iterator[Place]:
    for name, value in (request.get("params") or {}).items():
        if isinstance(value, str):
            yield Place(("query", name))
    if isinstance(request.get("json"), dict):
        schemas = _Schemas(request["components"])
        yield from _walk(request["json"], ("body",), request["body_schema"], schemas)


class _Schemas:
    """Just enough of JSON Schema to tell a model's field names (not data) from a mapping's
    keys (data: unit ids, dimension codes)."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def resolve(self, schema: Any, value: Any) -> dict[str, Any]:
        """The schema (or the option of an anyOf/oneOf/allOf) that describes `value`."""
        for _ in range(20):
            if not isinstance(schema, dict):
                return {}
            ref = schema.get("$ref")
            if isinstance(ref, str):
                schema = self.components.get(ref.rsplit("/", 1)[-1], {})
                continue
            options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
            if options:
                wanted = {dict: "object", list: "array", str: "string"}.get(type(value))
                schema = next(
                    (o for o in options if self.resolve(o, value).get("type") == wanted),
                    options[0],
                )
                continue
            return schema
        return {}


def _walk(value: Any, path: tuple[Any, ...], schema: Any, schemas: _Schemas) -> Iterator[Place]:
    resolved = schemas.resolve(schema, value)
    if isinstance(value, str):
        yield Place(path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), resolved.get("items"), schemas)
    elif isinstance(value, dict):
        fields = resolved.get("properties", {})
        extra = resolved.get("additionalProperties")
        for key, item in value.items():
            if key in fields:
                yield from _walk(item, (*path, key), fields[key], schemas)
                continue
            if extra:  # a mapping: its keys are data too
                yield Place((*path, key, KEY))
            yield from _walk(item, (*path, key), extra if isinstance(extra, dict) else {}, schemas)


def replaced(request: dict[str, Any], place: Place, make: Any) -> dict[str, Any]:
    """A copy of the request with the string at `place` replaced by `make(old)`."""
    changed = copy.copy(request)
    changed["json"] = copy.deepcopy(request.get("json"))
    changed["params"] = dict(request.get("params") or {})
    if place.path[0] == "query":
        changed["params"][place.path[1]] = make(request["params"][place.path[1]])
        return changed
    *route, last = place.path[1:]
    if last is KEY:
        *route, key = route
        parent = _at(changed["json"], route)
        parent[make(key)] = parent.pop(key)
    else:
        parent = _at(changed["json"], route)
        parent[last] = make(parent[last])
    return changed


def _at(body: Any, route: list[Any]) -> Any:
    for step in route:
        body = body[step]
    return body


def inserted(old: str, char: str) -> str:
    """`char` inside the text, where trimming whitespace cannot take it off (unless the text
    is shorter than two characters)."""
    middle = len(old) // 2 if len(old) >= 2 else len(old)
    return old[:middle] + char + old[middle:]


def carries(answer: Any, char: str) -> bool:
    """Whether any string in the answer (keys included) holds `char`."""
    if isinstance(answer, str):
        return char in answer
    if isinstance(answer, dict):
        return any(carries(k, char) or carries(v, char) for k, v in answer.items())
    if isinstance(answer, list):
        return any(carries(item, char) for item in answer)
    return False


def mentions(answer: Any, name: str) -> bool:
    """Whether a 4xx body's detail, or a 2xx body's row problems, name the field."""
    if isinstance(answer, dict):
        field = answer.get("field")
        if isinstance(field, str) and name in field:
            return True
        return any(mentions(value, name) for value in answer.values())
    if isinstance(answer, list):
        return any(mentions(item, name) for item in answer)
    return False
