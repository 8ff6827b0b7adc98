"""One pagination convention for every list endpoint, and the scope filter lists share.

A list takes `limit` (default 100, at most 1,000) and `cursor` (opaque, from the previous
page). The body stays a JSON array; when there is more, the response says where it goes on:

    Link: </units?kind=government_department&limit=100&cursor=WyLmvK...>; rel="next"
    X-Next-Cursor: WyLmvK...

(RFC 8288; the link is relative to the request URL and keeps every other query parameter.)
No `Link` means the last page. A cursor this list did not hand out is a 422 naming
`query.cursor`. Pages follow a stable (sort, key) order, so a record added while a client
pages never makes it see another one twice.

A route takes `page: Pagination` and answers `page.fetch(views, collection, where=...)`, one
indexed query; `page.send(items, next_cursor)` is for lists assembled some other way.
`scope_where` is the `where` that shows a caller what its policy lets it read (the list
counterpart of `shared.policy.in_scope`), filtered in SQL rather than row by row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from shared.errors import InvalidError
from shared.principals import Authenticator, Principal
from shared.types import Line, UrlInt
from shared.views import Document, ViewStore
from shared.views.base import Filter, decode_cursor, encode_cursor

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CURSOR_MAX_LENGTH = 4000
CURSOR_FIELD = "query.cursor"


class BadCursor(InvalidError):
    code = "validation_failed"

    def __init__(self) -> None:
        super().__init__(
            "不是此列表给出的 cursor, 请不带 cursor 从头查询 (not a cursor this list handed "
            "out; start again without one)",
            field=CURSOR_FIELD,
        )


def cursor_position(cursor: str) -> tuple[str, str]:
    """The (sort, key) a cursor continues after; BadCursor if it is not one of ours."""
    try:
        return decode_cursor(cursor)
    except ValueError:
        raise BadCursor() from None


@dataclass
class Paging:
    limit: int
    cursor: str | None
    request: Request
    response: Response

    def fetch(
        self,
        views: ViewStore,
        collection: str,
        *,
        where: Filter | None = None,
        descending: bool = False,
        contains: str | None = None,
    ) -> list[Document]:
        page = views.page(
            collection,
            where=where,
            descending=descending,
            cursor=self.cursor,
            limit=self.limit,
            contains=contains,
        )
        return self.send(page.items, page.next_cursor)

    def fetch_in_turn(
        self, views: ViewStore, collection: str, segments: Sequence[tuple[str, Filter]]
    ) -> list[Document]:
        """A list made of several indexed queries one after another (`segments`: a label and a
        `where` each, labels unique), paged as one: the cursor names the segment and the
        position in it. For orders no stored sort value can hold, e.g. by a category order
        that may change."""
        labels = [label for label, _ in segments]
        start, inner = self._segment_start(labels)
        items: list[Document] = []
        for index in range(start, len(segments)):
            label, where = segments[index]
            page = views.page(collection, where=where, cursor=inner, limit=self.limit - len(items))
            items += page.items
            inner = None
            if page.next_cursor is not None:
                return self.send(items, encode_cursor(label, page.next_cursor))
            if len(items) == self.limit:
                rest = _first_with_items(views, collection, segments[index + 1 :])
                return self.send(items, None if rest is None else encode_cursor(rest, ""))
        return self.send(items, None)

    def _segment_start(self, labels: list[str]) -> tuple[int, str | None]:
        if self.cursor is None:
            return 0, None
        label, inner = cursor_position(self.cursor)
        if label not in labels:
            raise BadCursor()
        if inner:
            cursor_position(inner)
        return labels.index(label), inner or None

    def send(self, items: list[Document], next_cursor: str | None) -> list[Document]:
        if next_cursor is not None:
            url = self.request.url.include_query_params(cursor=next_cursor)
            self.response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
            self.response.headers["X-Next-Cursor"] = next_cursor
        return items


def paging(
    request: Request,
    response: Response,
    limit: Annotated[
        UrlInt, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 1,000)")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        Line | None,
        Query(
            min_length=1,
            max_length=CURSOR_MAX_LENGTH,
            description="Where the previous page ended: its `X-Next-Cursor` (also in its "
            '`Link: <…>; rel="next"`). Opaque; omit it for the first page.',
        ),
    ] = None,
) -> Paging:
    if cursor is not None:
        cursor_position(cursor)
    return Paging(limit, cursor, request, response)


Pagination = Annotated[Paging, Depends(paging)]


def _first_with_items(
    views: ViewStore, collection: str, segments: Sequence[tuple[str, Filter]]
) -> str | None:
    for label, where in segments:
        if views.page(collection, where=where, limit=1).items:
            return label
    return None


def scope_where(
    auth: Authenticator,
    caller: Principal,
    *,
    field: str = "jurisdiction_id",
    parties: Mapping[str, str] | None = None,
    unit_field: str | None = "unit_id",
) -> dict[str, str | set[str] | None]:
    """What a caller may list: everything for admins and auditors; for a unit key that names
    its unit, that unit's records (`unit_field`; None for lists whose records are not one
    unit's, such as campaigns or waves); for a role that takes part by name (`parties`:
    role -> the field holding its principal id, e.g. an agency on the waves it was contracted
    for) its own records; otherwise its jurisdiction subtree on `field` (a set, maybe large:
    the stores pass it as one parameter). Add filters with `within`, which never widens."""
    visible = auth.visible_jurisdictions(caller)
    if visible is None:
        return {}
    own_unit = caller.own_unit
    if own_unit is not None and unit_field is not None:
        return {unit_field: own_unit}
    return party_where(caller, parties or {}) or {field: visible}


def within(
    where: Mapping[str, str | set[str] | None], **filters: str | set[str] | None
) -> dict[str, str | set[str] | None]:
    """`where` (a scope) with each filter given (None: no filter) also applied: a filter on a
    field the scope already limits narrows it, so a filter can never widen what a caller
    sees."""
    result = dict(where)
    for name, wanted in filters.items():
        if wanted is None:
            continue
        if result.get(name) is None:
            result[name] = wanted
        else:
            result = narrowed(result, name, wanted)
    return result


def party_where(caller: Principal, parties: Mapping[str, str]) -> dict[str, str | set[str] | None]:
    """Within a target already in the caller's scope (e.g. one wave), what a party sees: its
    own records (`parties`: role -> the field holding its principal id); others see all."""
    party_field = parties.get(caller.role)
    return {} if party_field is None else {party_field: str(caller.principal_id)}


def part_in_scope(
    auth: Authenticator,
    caller: Principal,
    jurisdiction_id: str,
    places: Iterable[str],
    parties: Mapping[str, str],
) -> set[str] | None:
    """For a target read whole or in part (a wave: whole by its jurisdiction's offices and
    the parties to it, in part by the office of a county where it has survey points), what
    the caller reads, the policy having let it in: None for the whole, else the `places` in
    its scope."""
    visible = auth.visible_jurisdictions(caller)
    if visible is None or jurisdiction_id in visible or party_where(caller, parties):
        return None
    return set(places) & visible


def narrowed(
    where: Mapping[str, str | set[str] | None], field: str, wanted: str | set[str]
) -> dict[str, str | set[str] | None]:
    """`where` with `field` also limited to `wanted` (an explicit filter inside the scope)."""
    current = where.get(field)
    values = {wanted} if isinstance(wanted, str) else set(wanted)
    if current is not None:
        values &= {current} if isinstance(current, str) else set(current)
    return {**where, field: values}
