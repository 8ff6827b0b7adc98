"""Inspection's OpenAPI document lists each tag once: a router that includes sub-routers
carrying their own tags must not tag them again (FastAPI adds the including router's tags
to every route it includes, so "complaints" would read twice on each complaint route)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from shared.settings import CommonSettings
from tests.harness import Cluster

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def test_no_route_and_no_document_lists_a_tag_twice(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["inspection"]) as cluster:
        spec: dict[str, Any] = cluster["inspection"].get("/openapi.json").json()
    repeated = {
        f"{method.upper()} {path}": tags
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS and len(tags := op.get("tags", [])) != len(set(tags))
    }
    assert repeated == {}
    listed = Counter(tag["name"] for tag in spec.get("tags", []))
    assert [name for name, count in listed.items() if count > 1] == []
    used = {
        tag
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in METHODS
        for tag in op.get("tags", [])
    }
    assert {"complaints", "assessments", "rectification"} <= used
