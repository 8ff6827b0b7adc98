"""A body model that reads its own JSON (shared.web.json_body): its instance is the body when
it gives one, the ordinary reading (and its errors) when it gives None, and routes whose
model declares no reader are left as FastAPI builds them."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from shared.web.json_body import JsonBodyRoute, body_reader


class Item(BaseModel):
    name: str
    count: int

    @classmethod
    def from_json_body(cls, raw: bytes) -> Item | None:
        try:
            return ReadItem.model_validate_json(raw)
        except ValidationError:
            return None


class ReadItem(Item):
    """What the reader gives back, so that a handler can tell which way its body came."""


class Plain(BaseModel):
    name: str


def _router() -> APIRouter:
    router = APIRouter(route_class=JsonBodyRoute)

    @router.post("/items")
    def take_item(body: Item) -> dict[str, Any]:
        return {"read_by_model": isinstance(body, ReadItem), "name": len(body.name)} | {
            "count": body.count
        }

    @router.post("/plain")
    def take_plain(body: Plain) -> dict[str, Any]:
        return body.model_dump()

    return router


def _client(router: APIRouter | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(router or _router())
    return TestClient(app)


def test_a_clean_body_is_the_models_own_reading() -> None:
    response = _client().post("/items", json={"name": "窗口", "count": 3})
    assert response.status_code == 200, response.text
    assert response.json() == {"read_by_model": True, "name": 2, "count": 3}


def test_any_other_body_is_read_and_refused_the_ordinary_way() -> None:
    client = _client()
    lax = client.post("/items", json={"name": "窗口", "count": "3", "extra": 1})
    assert lax.json() == {"read_by_model": True, "name": 2, "count": 3}
    wrong = client.post("/items", json={"name": "窗口", "count": "three"})
    assert wrong.status_code == 422
    assert [(e["loc"], e["type"]) for e in wrong.json()["detail"]] == [
        (["body", "count"], "int_parsing")
    ]
    # A lone surrogate, which the standard library decodes and pydantic's reader refuses:
    # the ordinary reading takes it, as it always did.
    surrogate = json.dumps({"name": "\ud800", "count": 1}).encode("ascii")
    taken = client.post("/items", content=surrogate, headers={"content-type": "application/json"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["read_by_model"] is False


def test_malformed_json_is_still_fastapis_422() -> None:
    response = _client().post(
        "/items", content=b'{"name": "x", "count": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"][0], error["msg"]) == (
        "json_invalid",
        "body",
        "JSON decode error",
    )


def test_routes_without_a_reader_are_fastapis_own() -> None:
    router = _router()
    routes = {route.path: route for route in router.routes if isinstance(route, JsonBodyRoute)}
    assert body_reader(routes["/items"]) is not None
    assert body_reader(routes["/plain"]) is None
    assert _client(router).post("/plain", json={"name": "x"}).json() == {"name": "x"}
