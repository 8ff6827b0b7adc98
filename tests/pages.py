"""Walking a list endpoint page by page, as a client of the pagination convention would
(shared/web/pagination.py): follow `Link: <…>; rel="next"` until there is none."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def one_page(
    client: TestClient, path: str, headers: dict[str, str], params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The whole list as one page (the largest a page may be); asserts it is the last."""
    response = client.get(path, params={**(params or {}), "limit": 1000}, headers=headers)
    assert response.status_code == 200, response.text
    assert "link" not in response.headers and "x-next-cursor" not in response.headers
    found: list[dict[str, Any]] = response.json()
    return found


def page_through(
    client: TestClient,
    path: str,
    headers: dict[str, str],
    params: dict[str, Any] | None = None,
    limit: int = 2,
) -> tuple[list[dict[str, Any]], int]:
    """Every item, following the links, and how many pages it took. Each link keeps the
    other query parameters and carries the cursor also sent as X-Next-Cursor; every page but
    the last is full."""
    asked = {key: str(value) for key, value in (params or {}).items()} | {"limit": str(limit)}
    response = client.get(path, params=asked, headers=headers)
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body
        pages += 1
        link = response.headers.get("link")
        if link is None:
            assert "x-next-cursor" not in response.headers
            return items, pages
        assert len(body) == limit, (pages, len(body))
        match = LINK.match(link)
        assert match is not None, link
        url = urlsplit(match["url"])
        assert url.path == path and not url.netloc, link
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        assert query.pop("cursor") == response.headers["x-next-cursor"]
        assert query == asked
        response = client.get(match["url"], headers=headers)


def assert_pages_match(
    client: TestClient,
    path: str,
    headers: dict[str, str],
    params: dict[str, Any] | None = None,
    limit: int = 2,
) -> list[dict[str, Any]]:
    """Paging with a small limit gives exactly the one-page list, in the same order."""
    everything = one_page(client, path, headers, params)
    paged, pages = page_through(client, path, headers, params, limit)
    assert paged == everything
    assert pages == max(1, -(-len(everything) // limit)), (pages, len(everything))
    return everything


def assert_bad_cursor(
    client: TestClient, path: str, headers: dict[str, str], cursor: str = "not-a-cursor"
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_failed"
    assert [d["field"] for d in body["detail"]] == ["query.cursor"]
