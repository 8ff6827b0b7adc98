"""Unit set-up and lifecycle calls through the registry API, for the unit tests."""

from __future__ import annotations

from typing import Any

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post

GOV = "政府部门及其它机构"


def register(
    cluster: Cluster,
    jurisdiction_id: str,
    name: str,
    key: dict[str, str] = ADMIN,
    status: int = 201,
    **details: Any,
) -> Any:
    body = {"jurisdiction_id": jurisdiction_id, "name": name, "kind": "government_department"}
    body |= {"category": GOV} | details
    return post(cluster, "/units", body, key=key, status=status)


def change(
    cluster: Cluster,
    unit_id: str,
    action: str,
    body: dict[str, Any],
    key: dict[str, str] = ADMIN,
    status: int = 200,
) -> Any:
    """POST /units/{unit_id}/{action} (rename, move, dissolve, split)."""
    body = {"reason": "机构改革"} | body
    return post(cluster, f"/units/{unit_id}/{action}", body, key=key, status=status)


def merge(
    cluster: Cluster, body: dict[str, Any], key: dict[str, str] = ADMIN, status: int = 201
) -> Any:
    return post(cluster, "/units:merge", {"reason": "机构改革"} | body, key=key, status=status)


def get(cluster: Cluster, path: str, key: dict[str, str] = ADMIN, **params: Any) -> Any:
    response = cluster["registry"].get(path, params=params, headers=key)
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: Any, status: int, field: str) -> dict[str, Any]:
    """The error body, after checking its status and the field it names."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["detail"][0]["field"] == field, body
    return body


def names(cluster: Cluster, key: dict[str, str] = ADMIN, **params: Any) -> list[str]:
    return [u["name"] for u in get(cluster, "/units", key, **params)]
