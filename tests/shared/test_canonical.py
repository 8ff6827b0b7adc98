from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.canonical import canonical_json, digest, message_json, standard_json


def test_key_order_and_whitespace_do_not_matter() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert canonical_json({"a": 1}) == b'{"a":1}'


def test_chinese_stays_readable_utf8() -> None:
    assert canonical_json({"名称": "漯河市教育局"}) == '{"名称":"漯河市教育局"}'.encode()


def test_decimals_uuids_and_times_have_one_form() -> None:
    moment = datetime(2026, 1, 2, 11, 0, tzinfo=timezone(timedelta(hours=8)))
    encoded = canonical_json({"d": Decimal("85.50"), "u": UUID(int=1), "t": moment})
    assert (
        encoded
        == b'{"d":"85.50","t":"2026-01-02T03:00:00Z","u":"00000000-0000-0000-0000-000000000001"}'
    )


def test_naive_datetimes_and_floats_nan_are_refused() -> None:
    with pytest.raises(ValueError):
        canonical_json({"t": datetime(2026, 1, 1)})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_digest_changes_with_any_value() -> None:
    base = {"unit": "教育", "counts": {"满意": 3}}
    assert digest(base) == digest(dict(base))
    assert digest(base) != digest({"unit": "教育", "counts": {"满意": 4}})
    assert digest(base).startswith("sha256:")


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | _TEXT
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.uuids()
    # From year 2 on: the first hours of year 1 at +08:00 are before year 1 in UTC, which no
    # datetime can hold (and request dates are bounded to 2000–2100 anyway).
    | st.datetimes(min_value=datetime(2, 1, 1), timezones=st.just(timezone(timedelta(hours=8))))
    | st.dates()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_messages_encode_exactly_as_the_canonical_form(value: object) -> None:
    """Messages take the native-speed encoder; everything but floats must come out the same
    bytes as the canonical encoding, so a message read back and digested is unchanged."""
    assert message_json(value) == canonical_json(value) == standard_json(value)


class _Level(Enum):
    HALF = 0.5
    WORD = "满意"


@dataclass
class _Point:
    x: int


_ANY = st.recursive(
    _SCALARS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(2**100), 2**100)  # beyond 64 bits too
    | st.sampled_from(_Level),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_TEXT, inner, max_size=4)
        | st.frozensets(
            st.floats(allow_nan=False, allow_infinity=False) | st.integers(), max_size=3
        )
    ),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(_ANY)
def test_the_canonical_form_is_the_standard_librarys_whatever_the_value(value: object) -> None:
    """`canonical_json` writes with orjson where it can; the bytes are the standard
    library's all the same, floats, wide integers, sets and enums included."""
    assert canonical_json(value) == standard_json(value)


@pytest.mark.parametrize(
    "value",
    [
        {"p": _Point(1)},
        {"t": datetime(2026, 1, 1)},
        {"x": float("nan")},
        {"x": [float("inf")]},
        {1: "a", "b": 2},
        {"s": {1, "a"}},
        {"c": "\ud800"},
    ],
)
def test_what_the_standard_library_refuses_is_refused_alike(value: object) -> None:
    with pytest.raises((TypeError, ValueError)) as standard:
        standard_json(value)
    with pytest.raises(standard.type):
        canonical_json(value)


def test_every_character_is_escaped_alike() -> None:
    text = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    assert message_json({"t": text}) == canonical_json({"t": text})
