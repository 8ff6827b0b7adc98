"""Every answer of every service says what a cache in between may keep
(shared/web/cache_control.py): keyed answers and every refusal `private, no-store`, public
routes' answers `no-cache` (kept only if checked each time), errors included. And HEAD is
answered wherever GET is (shared/web/head.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster

KEYED = "private, no-store"
PUBLIC = "no-cache"


@pytest.fixture(scope="module")
def registry() -> Iterator[TestClient]:
    with Cluster(in_memory(), ["registry"]) as cluster:
        yield cluster["registry"]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/jurisdictions", ADMIN, 200),
        ("/jurisdictions", {}, 401),
        ("/jurisdictions", {"X-API-Key": "not-a-key"}, 401),
        ("/units/00000000-0000-0000-0000-000000000000", ADMIN, 404),
        ("/no-such-route", {}, 404),
        ("/openapi.json", {}, 200),
    ],
)
def test_keyed_answers_and_refusals_are_kept_by_no_cache(
    registry: TestClient, path: str, headers: dict[str, str], status: int
) -> None:
    answer = registry.get(path, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["cache-control"] == KEYED


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_public_routes_answers_are_checked_again_before_reuse(
    registry: TestClient, path: str
) -> None:
    answer = registry.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == PUBLIC


def test_a_public_routes_refusal_is_checked_again_too(memory_settings: CommonSettings) -> None:
    """A "not found" on a public route must not outlive what it was asked before existing."""
    with Cluster(memory_settings, ["survey"]) as cluster:
        answer = cluster["survey"].get("/public/waves/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 404, answer.text
    assert answer.headers["cache-control"] == PUBLIC
    assert answer.headers["content-type"].startswith("application/json")


def test_head_answers_as_get_without_the_body(registry: TestClient) -> None:
    """shared/web/head.py: HEAD wherever GET is served, through the same policy."""
    got = registry.get("/jurisdictions", headers=ADMIN)
    head = registry.head("/jurisdictions", headers=ADMIN)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-type"] == got.headers["content-type"]
    assert registry.head("/jurisdictions").status_code == 401
    assert registry.head("/healthz").headers["cache-control"] == PUBLIC
