from datetime import datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from shared.canonical import canonical_json, digest


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
