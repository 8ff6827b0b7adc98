"""Keys a JSON body names twice in one object, refused for every route.

JSON lets an object name a key twice, and the parsers every service reads bodies with keep
the last value without a word: `{"name": "x", …, "name": "y"}` registers "y", and the "x"
the caller also sent is lost silently. Every route of a `PolicyRouter` refuses such a body
instead, after its policy (a caller it refuses learns nothing of the body): 422
`duplicate_key`, one entry per place (`RepeatedKeys`), each field named as request validation
names a place in the body (pydantic's `loc` as `shared.error_handlers` renders it):
`body.quotas.甲界别`.

`repeated_keys(raw, same)`: every such place, the body parsed once more by the standard
library keeping each object's pairs; `same` says which keys the models read as one (survey's
strip the text they read, so " 服务态度 " is 服务态度 there). A route whose body model reads
repeated keys itself (`reads_repeated_keys = True`: survey's push, which counts them first
at native speed) is left to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from shared.errors import InvalidError

Place = tuple[str | int, ...]
"""Where in a body: the keys and list indexes leading to a key named twice, and that key."""

REPEATED = (
    "同一对象中重复出现, 请只写一次 (named more than once in the same object (JSON keeps only "
    "the last, so the others would be lost without a word): name it once)"
)
BODY: Place = ("body",)
"""Where pydantic's `loc` starts for a field of the request body."""
READ_HERE = 64 * 1024
"""Bodies up to this size are checked on the event loop; larger ones in a worker thread."""


class RepeatedKeys(InvalidError):
    """`root`: what each place's field starts with; the router's check of a JSON body names
    them `body.…` (`refuse_repeated_keys`), as every other error about a body's field does."""

    code = "duplicate_key"

    def __init__(
        self, places: Sequence[Place], reason: str = REPEATED, *, root: Place = ()
    ) -> None:
        self.places = [(*root, *place) for place in places]
        super().__init__(reason, field=field_of(self.places[0]))

    def body(self) -> dict[str, Any]:
        entries = [
            {"field": field_of(place), "reason": self.reason, "code": self.code}
            for place in self.places
        ]
        return {"error": self.code, "detail": entries}


def field_of(place: Place) -> str:
    return ".".join(str(part) for part in place)


class _Repeats(dict[str, Any]):
    """An object that named keys twice: the keys, as named the second time."""

    repeated: list[str]


def _keeping_repeats(same: Callable[[str], str]) -> Callable[[list[tuple[str, Any]]], Any]:
    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) == len(pairs) and same is _itself:
            return found  # no key twice, as sent: nothing more to look at
        seen: set[str] = set()
        repeated: dict[str, str] = {}  # each key named twice, once, as named the second time
        for key, _ in pairs:
            one = same(key)
            if one in seen:
                repeated.setdefault(one, key)
            seen.add(one)
        if not repeated:
            return found
        marked = _Repeats(found)
        marked.repeated = list(repeated.values())
        return marked

    return build


def _itself(key: str) -> str:
    return key


def repeated_keys(raw: bytes, same: Callable[[str], str] = _itself) -> list[Place]:
    """Every key `raw` names twice in one object (keys `same` maps alike are one), by place,
    in the body's order; none for a body that is not JSON (it is answered as it always was,
    by the ordinary reading)."""
    try:
        parsed = json.loads(raw, object_pairs_hook=_keeping_repeats(same))
    except (ValueError, RecursionError):
        return []
    places: list[Place] = []
    stack: list[tuple[Place, Any]] = [((), parsed)]
    while stack:  # depth first, without recursion: a body may nest as deep as JSON reads
        place, value = stack.pop()
        if isinstance(value, dict):
            places.extend((*place, key) for key in getattr(value, "repeated", ()))
            stack.extend(((*place, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*place, index), value[index]) for index in reversed(range(len(value))))
    return places


def reads_json_body(request: Request) -> bool:
    """Whether the route reads a body model from this request as JSON and leaves its
    repeated keys to the router's check."""
    field = getattr(request.scope.get("route"), "body_field", None)
    if field is None or getattr(field.field_info.annotation, "reads_repeated_keys", False):
        return False
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


async def body_places(request: Request, same: Callable[[str], str] = _itself) -> list[Place]:
    """The places the request's JSON body names a key twice (none if it is not read as JSON)."""
    if not reads_json_body(request):
        return []
    raw = await request.body()
    if len(raw) <= READ_HERE:
        return repeated_keys(raw, same)
    return await run_in_threadpool(repeated_keys, raw, same)


async def refuse_repeated_keys(request: Request) -> None:
    """The kernel's check, every `PolicyRouter` route's last dependency: 422 naming each
    place as `body.…`."""
    places = await body_places(request)
    if places:
        raise RepeatedKeys(places, root=BODY)
