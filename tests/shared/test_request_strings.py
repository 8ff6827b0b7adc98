"""Every string a request can carry, in every service, goes through `Line` or `Prose`.

A NUL in one free-text field once stopped every consumer of the registry for good, so this
reads each service's OpenAPI document and refuses any request string (parameter or body,
however deeply nested) that does not carry the kernel's text marker. A new route with a plain
`str` field fails here without anyone editing this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pingyi.catalog import NAMES as SERVICES
from shared.types import TEXT_MARKER
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.world import build_world

METHODS = {"get", "post", "put", "patch", "delete"}
# Children that hold further schemas: one schema each, or a list of them.
_ONE = ("items", "not", "contains", "if", "then", "else")
_MANY = ("anyOf", "oneOf", "allOf", "prefixItems")


@pytest.fixture(scope="module")
def targets(cluster: Cluster) -> dict[str, str]:
    world = build_world(cluster)
    return {kind: target.value for kind, target in world.targets.items()}


def _aimed(value: Any, targets: dict[str, str]) -> Any:
    """`{wave}`, `{unit}`… replaced by the ids of real resources."""
    if isinstance(value, str):
        for kind, target in targets.items():
            value = value.replace("{" + kind + "}", target)
        return value
    if isinstance(value, dict):
        return {key: _aimed(item, targets) for key, item in value.items()}
    if isinstance(value, list):
        return [_aimed(item, targets) for item in value]
    return value


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), SERVICES) as running:
        yield running


@pytest.fixture(scope="module")
def openapi_documents(cluster: Cluster) -> dict[str, dict[str, Any]]:
    return {service: cluster[service].get("/openapi.json").json() for service in SERVICES}


def unmarked_strings(document: dict[str, Any]) -> Iterator[str]:
    """'<METHOD> <path>: <where>' for every request string without the text marker."""
    components = document.get("components", {}).get("schemas", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{parameter['in']} parameter {parameter['name']!r}"
                for field in _walk(parameter.get("schema", {}), where, components, ()):
                    yield f"{label}: {field}"
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, media in content.items():
                for field in _walk(media.get("schema", {}), f"body ({media_type})", components, ()):
                    yield f"{label}: {field}"


def _walk(
    schema: Any, where: str, components: dict[str, Any], seen: tuple[str, ...]
) -> Iterator[str]:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:  # a recursive model is checked once per path through it
            yield from _walk(components[name], where, components, (*seen, name))
    if _is_plain_string(schema):
        yield where
    for key in _ONE:
        inner = f"{where}[]" if key == "items" else where
        yield from _walk(schema.get(key), inner, components, seen)
    for key in _MANY:
        for child in schema.get(key, []):
            yield from _walk(child, where, components, seen)
    for name, child in schema.get("properties", {}).items():
        yield from _walk(child, f"{where}.{name}", components, seen)
    for child in schema.get("patternProperties", {}).values():
        yield from _walk(child, f"{where}{{value}}", components, seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _walk(extra, f"{where}{{value}}", components, seen)
        if "propertyNames" not in schema:
            yield f"{where}{{key}}"  # a dict's keys are request strings too
    if "propertyNames" in schema:
        yield from _walk(
            {"type": "string", **schema["propertyNames"]}, f"{where}{{key}}", components, seen
        )


def _is_plain_string(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    is_string = declared == "string" or (isinstance(declared, list) and "string" in declared)
    if not is_string:
        return False
    exempt = TEXT_MARKER in schema or "format" in schema or "enum" in schema or "const" in schema
    return not exempt


def test_every_request_string_is_line_or_prose(
    openapi_documents: dict[str, dict[str, Any]],
) -> None:
    offenders = [
        f"{service} {field}"
        for service, document in openapi_documents.items()
        for field in unmarked_strings(document)
    ]
    assert offenders == [], "request strings outside Line/Prose:\n" + "\n".join(offenders)


def test_the_walk_sees_every_kind_of_request_string(
    openapi_documents: dict[str, dict[str, Any]],
) -> None:
    """Guard against a walk that passes because it reads nothing: the documents do hold marked
    strings in query, path, header and nested body positions."""
    marked: set[str] = set()
    for document in openapi_documents.values():
        for item in document["paths"].values():
            for method, operation in item.items():
                if method not in METHODS:
                    continue
                for parameter in operation.get("parameters", []):
                    if TEXT_MARKER in str(parameter.get("schema")):
                        marked.add(parameter["in"])
    assert {"query", "path", "header"} <= marked
    assert TEXT_MARKER in str(openapi_documents["registry"]["components"]["schemas"]["PhaseIn"])


def test_a_plain_str_field_is_caught() -> None:
    document = {
        "paths": {
            "/things/{name}": {
                "post": {
                    "parameters": [{"in": "path", "name": "name", "schema": {"type": "string"}}],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/T"}}
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "T": {
                    "type": "object",
                    "properties": {
                        "ok": {"type": "string", TEXT_MARKER: "line"},
                        "day": {"type": "string", "format": "date"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "child": {"allOf": [{"$ref": "#/components/schemas/T"}]},
                    },
                }
            }
        },
    }
    assert sorted(unmarked_strings(document)) == sorted(
        [
            "POST /things/{name}: path parameter 'name'",
            "POST /things/{name}: body (application/json).tags[]",
            "POST /things/{name}: body (application/json).note",
            "POST /things/{name}: body (application/json).counts{key}",
        ]
    )


SOME_ID = "00000000-0000-4000-8000-000000000000"
NUL = "\u0000"
# (service, method, url, JSON body, the field the 422 must name): one free-text (Prose) and
# one name (Line) field per service where the service has both kinds.
NUL_CALLS = [
    ("registry", "POST", "/jurisdictions", {"name": f"漯河{NUL}市", "level": "city"}, "body.name"),
    (
        "registry",
        "POST",
        "/campaigns/{campaign}/key-targets",
        {"unit_id": "{unit}", "reason_code": "other", "reason": f"投诉集中{NUL}"},
        "body.reason",
    ),
    ("registry", "GET", "/units?q=%E7%BB%9F%E8%AE%A1%00", None, "query.q"),
    ("survey", "POST", "/waves/{wave}/close", {"reason": f"回收{NUL}完毕"}, "body.reason"),
    (
        "survey",
        "POST",
        "/waves",
        {
            "name": f"问卷{NUL}",
            "jurisdiction_id": SOME_ID,
            "agency_id": SOME_ID,
            "unit_ids": [SOME_ID],
        },
        "body.name",
    ),
    (
        "inspection",
        "POST",
        "/findings",
        {
            "unit_id": "{unit}",
            "method": "暗访",
            "summary": f"玩手机{NUL}",
            "found_at": "2026-05-12T10:30:00+08:00",
        },
        "body.summary",
    ),
    (
        "inspection",
        "POST",
        "/findings/{finding}/withdrawal",
        {"reason": f"不属于{NUL}该单位"},
        "body.reason",
    ),
    (
        "scoring",
        "POST",
        "/campaigns/{campaign}/rounds/1/score-runs",
        {"final": False, "reason": f"中期{NUL}"},
        "body.reason",
    ),
    (
        "reporting",
        "GET",
        "/public/campaigns/{campaign}/rounds/1/charts/ranking.svg?category=%E5%85%AC%E5%85%B1%00",
        None,
        "query.category",
    ),
]


@pytest.mark.parametrize(
    ("service", "method", "url", "body", "field"),
    NUL_CALLS,
    ids=[f"{call[0]}-{call[4]}" for call in NUL_CALLS],
)
def test_a_nul_is_refused_naming_the_field(
    cluster: Cluster,
    targets: dict[str, str],
    service: str,
    method: str,
    url: str,
    body: Any,
    field: str,
) -> None:
    """Aimed at real resources: a missing one would be a 404 before the body is read."""
    response = cluster[service].request(
        method, _aimed(url, targets), json=_aimed(body, targets), headers=ADMIN
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [entry["field"] for entry in detail] == [field]
    assert "control characters" in detail[0]["reason"]


def test_a_bad_idempotency_key_is_refused_naming_the_header(
    cluster: Cluster, targets: dict[str, str]
) -> None:
    response = cluster["inspection"].post(
        f"/findings/{targets['finding']}/withdrawal",
        json={"reason": "经核实不属于该单位"},
        headers={**ADMIN, "Idempotency-Key": "key\x7f"},
    )
    assert response.status_code == 422, response.text
    assert [entry["field"] for entry in response.json()["detail"]] == ["header.Idempotency-Key"]


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_idempotency_key_is_refused_naming_the_header(
    cluster: Cluster, targets: dict[str, str], blank: str
) -> None:
    """A blank key would be one key shared by every client that sends the header empty."""
    response = cluster["inspection"].post(
        f"/findings/{targets['finding']}/withdrawal",
        json={"reason": "经核实不属于该单位"},
        headers={**ADMIN, "Idempotency-Key": blank},
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [entry["field"] for entry in detail] == ["header.Idempotency-Key"]
    assert "empty" in detail[0]["reason"]


def test_prose_keeps_line_breaks_that_a_line_refuses(cluster: Cluster) -> None:
    """A reason may span lines; a name may not (it would forge a row in an export)."""
    registry = cluster["registry"]
    issued = registry.post(
        "/principals", json={"name": "某某调查公司", "role": "agency"}, headers=ADMIN
    )
    assert issued.status_code == 201, issued.text
    revoked = registry.post(
        f"/principals/{issued.json()['principal_id']}/revoke",
        json={"reason": "合同到期\n\t不再续签"},
        headers=ADMIN,
    )
    assert revoked.status_code == 200, revoked.text
    refused = registry.post(
        "/principals", json={"name": "某某\u2028调查公司", "role": "agency"}, headers=ADMIN
    )
    assert refused.status_code == 422
    assert [entry["field"] for entry in refused.json()["detail"]] == ["body.name"]
