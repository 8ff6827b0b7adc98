"""Integers beyond 64 bits in the fast encodings (`shared.canonical.fingerprint`,
`message_json`): orjson refuses them, and a JSON body may hold one (a scheme document, a
draw's quota), so an Idempotency-Key's fingerprint of such a body failed with a 500. They
are now written as the canonical form writes them, while every value orjson encodes keeps
the fingerprint it had (the known ones below were taken before the change); and a request
holding one is answered as its route answers it, never with a 500."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.canonical import FINGERPRINT_PREFIX, canonical_json, fingerprint, message_json
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import SCHEME
from tests.survey.helpers import register_jurisdiction

WIDE = 2**70


class Colour(Enum):
    RED = "红"


KNOWN: dict[str, tuple[Any, str]] = {
    "empty": ({}, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
    "questionnaire": (
        {
            "questionnaire_id": "Q-0001",
            "ratings": {"u1": "满意", "u2": "不了解"},
            "opinions": "服务好\n效率高",
        },
        "cc43aa28a7d6316808ae0176689547fa2dfc4966addd18946d81f1257ffd4e07",
    ),
    "64-bit edges": (
        {
            "max_u64": 2**64 - 1,
            "min_i64": -(2**63),
            "zero": 0,
            "neg": -1,
            "flag": True,
            "none": None,
            "ratio": 0.5,
        },
        "6de88f56bdd71b0efe3276ad552658963eb9295f7ea8b043ce4554b1b96b04f9",
    ),
    "nested": (
        [1, [2, {"b": [3, "四"], "a": {"z": None}}], '\u0007\t"\\'],
        "940b3aebb530714e42a726d6aa7c85601e068b6cc05ba535700dfbb60a8f77de",
    ),
    "typed": (
        {
            "d": Decimal("85.50"),
            "u": UUID(int=1),
            "t": datetime(2026, 1, 2, 11, 0, tzinfo=timezone(timedelta(hours=8))),
            "day": date(2026, 5, 1),
            "s": {3, 1, 2},
            "e": Colour.RED,
        },
        "b7c100ebab1f1e634edab2953464232dc44e8bc0804013d8e4e01fa8c9eed6ff",
    ),
    "integer keys": (
        {2: "a", 10: "b", "1": 3},
        "76eea8bd7beab6899ddee4c1d594f3d7efc6dbfcd3253797c15dcaa96c85b044",
    ),
    "scalar": ("服务态度", "a0b758c02de47ef1283f3e25bb4e0440b862e095970e5e49ceef3d5d9fb0e03c"),
}


@pytest.mark.parametrize("name", list(KNOWN))
def test_every_fingerprint_taken_before_is_unchanged(name: str) -> None:
    value, known = KNOWN[name]
    assert fingerprint(value) == FINGERPRINT_PREFIX + known


def _standard(value: Any) -> str:
    """The fingerprint as the standard library would write the value."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return FINGERPRINT_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def test_integers_beyond_64_bits_are_written_as_their_digits() -> None:
    for value in (WIDE, -WIDE, 2**64, -(2**63) - 1, 10**40):
        assert fingerprint(value) == _standard(value)
        assert fingerprint({"n": [1, value]}) == _standard({"n": [1, value]})
        assert message_json({"n": value}) == canonical_json({"n": value})
    assert fingerprint({"n": WIDE}) != fingerprint({"n": WIDE + 1})
    assert fingerprint({"n": WIDE}) != fingerprint({"n": str(WIDE)})
    # As the fast path writes them: a set sorted, an integer key as text, a tuple a list.
    assert fingerprint({WIDE, 1}) == _standard([1, WIDE])
    assert fingerprint({WIDE: "x", 1: "y"}) == _standard({str(WIDE): "x", "1": "y"})
    assert fingerprint((WIDE,)) == _standard([WIDE])
    # What orjson refuses for another reason is refused as before.
    with pytest.raises(TypeError):
        fingerprint({"n": WIDE, "x": object()})
    with pytest.raises(TypeError):
        message_json({WIDE: 1})  # messages take text keys only


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
_INTEGERS = st.integers() | st.integers(min_value=2**64) | st.integers(max_value=-(2**63) - 1)
_JSON = st.recursive(
    st.none() | st.booleans() | _INTEGERS | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_a_json_body_s_fingerprint_is_its_sorted_compact_form(value: Any) -> None:
    assert fingerprint(value) == _standard(value)
    assert message_json(value) == canonical_json(value)


@pytest.fixture(scope="module")
def services() -> Iterator[tuple[Cluster, str]]:
    with Cluster(in_memory(), ["registry", "scoring"]) as cluster:
        city = register_jurisdiction(cluster["registry"], "漯河市", "city")
        county = register_jurisdiction(cluster["registry"], "舞阳县", "county", city)
        yield cluster, county


def _post(client: Any, path: str, body: dict[str, Any], key: str) -> Any:
    headers = ADMIN | {"content-type": "application/json", "Idempotency-Key": key}
    return client.post(path, content=json.dumps(body, ensure_ascii=False), headers=headers)


def test_a_keyed_draw_with_a_wide_quota_is_refused_naming_the_field(
    services: tuple[Cluster, str],
) -> None:
    cluster, county = services
    body = {
        "jurisdiction_id": county,
        "cycle": "2026-2027",
        "size": 10,
        "quotas": {"人大代表": WIDE, "服务对象": 6},
        "commitment": "0" * 64,
    }
    for _ in range(2):  # the retry is answered alike: nothing was recorded
        refused = _post(cluster["registry"], "/draws", body, "draw-wide")
        assert refused.status_code == 422, refused.text
        assert [d["field"] for d in refused.json()["detail"]] == ["quotas"]


def test_a_keyed_scheme_with_a_wide_integer_is_refused_by_name_or_registered(
    services: tuple[Cluster, str],
) -> None:
    cluster, _ = services
    scoring = cluster["scoring"]
    refused = json.loads(json.dumps(SCHEME)) | {"scheme_id": "wide-weight"}
    refused["components"][0]["level_weights"]["满意"] = WIDE
    answer = _post(scoring, "/schemes", {"document": refused, "reason": "测试"}, "wide-1")
    assert answer.status_code == 422, answer.text
    fields = [d["field"] for d in answer.json()["detail"]]
    assert fields == ["document.components.0.level_weights.满意"]
    taken = json.loads(json.dumps(SCHEME)) | {"scheme_id": "wide-cap"}
    taken["deductions"][0]["cap"] = WIDE
    first = _post(scoring, "/schemes", {"document": taken, "reason": "测试"}, "wide-2")
    assert first.status_code == 201, first.text
    again = _post(scoring, "/schemes", {"document": taken, "reason": "测试"}, "wide-2")
    assert (again.status_code, again.json()) == (201, first.json())
