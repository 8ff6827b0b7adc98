"""Query parameters a route does not take, or takes once and is given twice, refused.

FastAPI ignores a query parameter no route declares and keeps the last of a repeated one,
both without a word: `GET /waves?status=closed` on a route with no `status` listed every
wave, and a county office reading it took the list for the closed ones. Every route of a
`PolicyRouter` answers 422 instead, after its policy (a caller it refuses learns nothing),
one entry per parameter: `unknown_query_parameter` naming it and the ones the route takes,
`duplicate_key` for a single-valued one given more than once.

Public HTML pages are left alone: links shared in chat apps come back with the app's own
parameters appended (`?from=singlemessage`), and a page must still open.
"""

from __future__ import annotations

import inspect
import types
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from shared.errors import InvalidError

SEQUENCES = (list, set, tuple, frozenset)
DUPLICATE = "duplicate_key"


class UnknownQuery(InvalidError):
    code = "unknown_query_parameter"

    def __init__(self, entries: list[tuple[str, str, str]]) -> None:
        field, reason, _ = entries[0]
        super().__init__(reason, field=field)
        self.entries = entries
        # Only repeats: said as a repeated body key is (`422 duplicate_key`), not as a
        # parameter the route does not know.
        codes = {code for _, _, code in entries}
        self.error = DUPLICATE if codes == {DUPLICATE} else self.code

    def body(self) -> dict[str, Any]:
        detail = [{"field": f, "reason": r, "code": c} for f, r, c in self.entries]
        return {"error": self.error, "detail": detail}


async def refuse_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    taken = _taken(route)
    if taken is None:
        return
    entries = []
    for name in sorted(set(request.query_params)):
        if name not in taken:
            known = ", ".join(sorted(taken)) or "none"
            reason = (
                f"此接口没有这个查询参数, 可用: {known} "
                f"(not a query parameter of this route (it takes: {known}))"
            )
            entries.append((f"query.{name}", reason, UnknownQuery.code))
        elif not taken[name] and len(request.query_params.getlist(name)) > 1:
            reason = "只能给一次 (given more than once, and only one is taken: give it once)"
            entries.append((f"query.{name}", reason, DUPLICATE))
    if entries:
        raise UnknownQuery(entries)


_TAKEN = "_pingyi_query_taken"


def _taken(route: Any) -> dict[str, bool] | None:
    """The route's query parameters, each with whether it takes several values; None for a
    route left alone (an HTML page). Worked out once and kept on the route (routes compare
    by value, so they cannot be keys)."""
    if not hasattr(route, _TAKEN):
        setattr(route, _TAKEN, _work_out(route))
    taken: dict[str, bool] | None = getattr(route, _TAKEN)
    return taken


def _work_out(route: Any) -> dict[str, bool] | None:
    kind = getattr(route, "response_class", None)
    if inspect.isclass(kind) and issubclass(kind, HTMLResponse):
        return None
    dependant: Dependant | None = getattr(route, "dependant", None)
    if dependant is None:
        return None
    taken: dict[str, bool] = {}
    for field in _query_fields(dependant):
        annotation = field.field_info.annotation
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            for name, inner in annotation.model_fields.items():
                taken[inner.alias or name] = _several(inner.annotation)
        else:
            taken[field.alias] = _several(annotation)
    return taken


def _query_fields(dependant: Dependant) -> list[Any]:
    found, stack, seen = [], [dependant], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.extend(current.query_params)
        stack.extend(current.dependencies)
    return found


def _several(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in SEQUENCES:
        return True
    if origin is Union or origin is types.UnionType:
        return any(_several(arg) for arg in get_args(annotation))
    if origin is not None and get_args(annotation):  # Annotated[...]
        return _several(get_args(annotation)[0])
    return False
