"""`POST /schemes` with a YAML body (memory mode, the real services): the shipped files,
posted as YAML, are their shipped schemes (same hash); a new one registers and is the same
registration as the same document sent as JSON; every refusal names what and where — the
same fields and errors as the JSON body's, and for YAML's own faults (syntax, a key twice,
a key or value JSON cannot hold, an alias bomb) the path, line and column. The key, the
size limit and the OpenAPI document hold for either media type."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from services.scoring.engine.scheme import SCHEMES_DIR, builtin_schemes
from shared.web.body_limit import DEFAULT_BODY_LIMIT
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.scoring.helpers import World, seed_world
from tests.scoring.rounds.helpers import SCHEME

SHIPPED = sorted(SCHEMES_DIR.glob("*.yaml"))
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture(scope="module")
def scoring() -> Iterator[tuple[TestClient, World]]:
    with Cluster(in_memory(), ["registry", "survey", "inspection", "scoring"]) as cluster:
        yield cluster["scoring"], seed_world(cluster)


def _envelope(document_text: str, reason: str = "以YAML登记") -> bytes:
    """The body `{reason, document}` as YAML, the document's text indented under its key
    as an office would paste its file (comments and all)."""
    indented = "".join(
        "  " + line if line.strip() else line for line in document_text.splitlines(True)
    )
    return f"reason: {reason}\ndocument:\n{indented}".encode()


def _post_yaml(
    client: TestClient,
    world: World,
    body: bytes,
    media: str = "application/yaml",
    **headers: str,
) -> Any:
    return client.post(
        "/schemes", content=body, headers=world.county_office | {"Content-Type": media} | headers
    )


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_shipped_file_posted_as_yaml_is_the_shipped_scheme(
    scoring: tuple[TestClient, World], path: Path
) -> None:
    client, world = scoring
    response = _post_yaml(client, world, _envelope(path.read_text(encoding="utf-8")))
    assert response.status_code == 200, response.text  # the shipped document, as shipped
    answer = response.json()
    shipped = builtin_schemes()[(answer["scheme_id"], answer["version"])]
    assert answer["builtin"] is True
    assert answer["scheme_hash"] == shipped.scheme_hash


def _renamed(path: Path, scheme_id: str) -> str:
    text = path.read_text(encoding="utf-8")
    old = yaml.safe_load(text)["scheme_id"]
    assert text.count(f"scheme_id: {old}\n") == 1
    return text.replace(f"scheme_id: {old}\n", f"scheme_id: {scheme_id}\n")


@pytest.mark.parametrize(
    "media", ["application/yaml", "application/x-yaml", "text/yaml; charset=utf-8"]
)
def test_a_new_scheme_in_yaml_is_the_same_registration_as_in_json(
    scoring: tuple[TestClient, World], media: str
) -> None:
    client, world = scoring
    scheme_id = f"wuyang-luohe-{media.split(';')[0].replace('/', '-')}"
    text = _renamed(SCHEMES_DIR / "luohe-2yr-zhengfeng.yaml", scheme_id)
    first = _post_yaml(client, world, _envelope(text), media)
    assert first.status_code == 201, first.text
    document = yaml.safe_load(text)
    as_json = client.post(
        "/schemes",
        json={"document": document, "reason": "以JSON登记"},
        headers=world.county_office,
    )
    assert as_json.status_code == 200, as_json.text  # the very document, registered already
    assert as_json.json()["scheme_hash"] == first.json()["scheme_hash"]
    shipped = builtin_schemes()[("luohe-2yr-zhengfeng", 1)].document()
    assert first.json()["document"] == shipped | {"scheme_id": scheme_id}


def _refusal_fields(response: Any) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["error"], [d["field"] for d in body["detail"]]


def test_a_yaml_document_is_refused_with_the_json_bodys_errors(
    scoring: tuple[TestClient, World],
) -> None:
    client, world = scoring
    broken = copy.deepcopy(SCHEME) | {"scheme_id": "wuyang-broken"}
    broken["components"][0]["level_weights"]["非常满意"] = 100
    broken["arithmetic"] = {"floor": 100, "ceiling": 0}
    for body in (
        {"document": broken, "reason": "登记"},  # the document's own problems
        {"document": broken},  # the body's: no reason
        {"document": [1], "reason": "登记", "extra": 1},
    ):
        as_json = client.post("/schemes", json=body, headers=world.county_office)
        as_yaml = _post_yaml(client, world, yaml.safe_dump(body, allow_unicode=True).encode())
        assert as_json.status_code == 422, as_json.text
        assert as_yaml.json() == as_json.json()
        assert as_yaml.status_code == 422
    assert _refusal_fields(as_yaml)[1:] == (
        "validation_failed",
        ["body.document", "body.extra"],
    )


def _refused(response: Any) -> tuple[str, str, str, int | None, int | None]:
    assert response.status_code == 422, response.text
    body = response.json()
    [detail] = body["detail"]
    where = detail["context"]
    return body["error"], detail["code"], detail["field"], where["line"], where["column"]


def test_a_yaml_syntax_error_names_its_line_and_column(
    scoring: tuple[TestClient, World],
) -> None:
    client, world = scoring
    text = "reason: 登记\ndocument:\n  scheme_id: wuyang-x\n  components: [a, b\n  title: 标题\n"
    found = _refused(_post_yaml(client, world, text.encode()))
    assert found == ("yaml_invalid", "yaml_syntax", "body", 5, 8)
    assert (
        "line 5, column 8" in _post_yaml(client, world, text.encode()).json()["detail"][0]["reason"]
    )


def test_a_key_given_twice_is_refused_where_it_is_as_in_json(
    scoring: tuple[TestClient, World],
) -> None:
    client, world = scoring
    text = _renamed(SCHEMES_DIR / "wenti-shuangping.yaml", "wuyang-twice")
    text = text.replace("    weight: 1\n", "    weight: 1\n    weight: 0.5\n", 1)
    line = text.splitlines().index("    weight: 0.5") + 3  # two lines of envelope before
    found = _refused(_post_yaml(client, world, _envelope(text)))
    field = "body.document.components.0.weight"  # as the kernel names a body's place
    assert found == ("duplicate_key", "duplicate_key", field, line, 7)
    raw = json.dumps({"document": yaml.safe_load(text), "reason": "登记"}, ensure_ascii=False)
    raw = raw.replace('"weight": 0.5', '"weight": 1, "weight": 0.5', 1)
    as_json = client.post(
        "/schemes",
        content=raw.encode(),
        headers=world.county_office | {"Content-Type": "application/json"},
    )
    assert _refusal_fields(as_json) == (422, "duplicate_key", [field])


def test_a_json_key_given_twice_is_named_as_the_kernel_names_it(
    scoring: tuple[TestClient, World],
) -> None:
    """`POST /schemes` reads its body itself (JSON or YAML), so checks repeated keys itself;
    it named them `reason`, where every other route's check says `body.reason`."""
    client, world = scoring
    document = json.dumps(copy.deepcopy(SCHEME) | {"scheme_id": "wuyang-twice-json"})
    raw = f'{{"reason": "甲", "document": {document}, "reason": "乙"}}'
    answer = client.post(
        "/schemes",
        content=raw.encode(),
        headers=world.county_office | {"Content-Type": "application/json"},
    )
    assert _refusal_fields(answer) == (422, "duplicate_key", ["body.reason"])


@pytest.mark.parametrize(
    ("value", "code", "field"),
    [
        (
            "{满意: 100, 1: 60, 不满意: 0}",
            "key_not_text",
            "body.document.components.0.level_weights",
        ),
        (
            "{满意: 100, true: 60, 不满意: 0}",
            "key_not_text",
            "body.document.components.0.level_weights",
        ),
        (
            "{满意: 2024-01-01, 不满意: 0}",
            "value_not_json",
            "body.document.components.0.level_weights.满意",
        ),
        ("!!set {满意, 不满意}", "value_not_json", "body.document.components.0.level_weights"),
    ],
)
def test_what_json_cannot_hold_is_refused_naming_it(
    scoring: tuple[TestClient, World], value: str, code: str, field: str
) -> None:
    client, world = scoring
    text = _renamed(SCHEMES_DIR / "wenti-shuangping.yaml", "wuyang-keys")
    text = text.replace(
        "level_weights: {满意: 100, 基本满意: 60, 不满意: 0}", f"level_weights: {value}"
    )
    error, found, named, line, _ = _refused(_post_yaml(client, world, _envelope(text)))
    assert (error, found, named) == ("yaml_invalid", code, field)
    assert line == text.splitlines().index(f"    level_weights: {value}") + 3


def test_a_flag_written_on_is_text_and_refused_by_name(scoring: tuple[TestClient, World]) -> None:
    """YAML 1.2's booleans only: `ranked: on` is the text "on" (PyYAML read it as true)."""
    client, world = scoring
    text = _renamed(SCHEMES_DIR / "yancheng-jiceng-manyi.yaml", "wuyang-flag")
    text = text.replace("    ranked: false\n", "    ranked: on\n")
    response = _post_yaml(client, world, _envelope(text))
    assert _refusal_fields(response) == (
        422,
        "scheme_invalid",
        ["document.overrides.0.ranked"],
    )
    reason = response.json()["detail"][0]["reason"]
    assert reason.startswith("须为 true 或 false")
    assert "write true or false" in reason
    response = _post_yaml(client, world, _envelope(text.replace("ranked: on", "ranked: false")))
    assert response.status_code == 201, response.text


def test_an_alias_bomb_is_refused_before_it_is_built(scoring: tuple[TestClient, World]) -> None:
    client, world = scoring
    lines = ["reason: 登记", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines.append("document: *a8")  # 10⁹ values once expanded, in under a kilobyte
    error, code, field, line, _ = _refused(_post_yaml(client, world, "\n".join(lines).encode()))
    # Refused at the 100,001st value, inside the anchors (a4 alone holds 10⁵), at the line
    # of the value that would have been repeated (a0's).
    assert (error, code, field.split(".")[:2], line) == (
        "yaml_invalid",
        "too_large",
        ["body", "a4"],
        2,
    )


def test_a_self_referring_alias_and_deep_nesting_are_refused(
    scoring: tuple[TestClient, World],
) -> None:
    client, world = scoring
    for text in ("reason: 登记\ndocument: &d {x: *d}\n", "[" * 10_000 + "]" * 10_000):
        response = _post_yaml(client, world, text.encode())
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["code"] == "too_large"


def test_another_media_type_is_415_naming_the_two_it_takes(
    scoring: tuple[TestClient, World],
) -> None:
    client, world = scoring
    response = _post_yaml(client, world, b"reason: x", "text/plain")
    assert _refusal_fields(response) == (415, "unsupported_media_type", ["Content-Type"])
    assert "application/yaml" in response.json()["detail"][0]["reason"]


def test_an_idempotency_key_compares_the_yaml_bytes(scoring: tuple[TestClient, World]) -> None:
    client, world = scoring
    text = _renamed(SCHEMES_DIR / "wenti-shuangping.yaml", "wuyang-keyed")
    body = _envelope(text)
    first = _post_yaml(client, world, body, **{"Idempotency-Key": "yaml-1"})
    again = _post_yaml(client, world, body, **{"Idempotency-Key": "yaml-1"})
    assert (first.status_code, again.status_code) == (201, 201)  # the first answer, again
    assert again.json() == first.json()
    as_json = client.post(
        "/schemes",
        json={"document": yaml.safe_load(text), "reason": "以YAML登记"},
        headers=world.county_office | {"Idempotency-Key": "yaml-1"},
    )
    assert _refusal_fields(as_json) == (409, "conflict", ["Idempotency-Key"])


def test_a_yaml_body_past_the_limit_is_413(scoring: tuple[TestClient, World]) -> None:
    client, world = scoring
    padding = "# " + "注" * 200 + "\n"
    text = padding * (DEFAULT_BODY_LIMIT // len(padding.encode()) + 1)
    response = _post_yaml(client, world, _envelope(text))
    assert response.status_code == 413, response.text
    assert response.json()["detail"][0]["field"] == "body"


def test_the_openapi_document_lists_both_media_types(scoring: tuple[TestClient, World]) -> None:
    client, _ = scoring
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/schemes"]["post"]["requestBody"]
    assert body["required"] is True
    content = body["content"]
    assert set(content) == {
        "application/json",
        "application/yaml",
        "application/x-yaml",
        "text/yaml",
    }
    assert content["application/json"]["schema"]["required"] == ["document", "reason"]
    assert content["application/yaml"]["schema"] == content["application/json"]["schema"]
