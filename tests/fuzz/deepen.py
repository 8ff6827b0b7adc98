"""Point some generated ids at records that exist, so requests get past "not found".

Each substitution is a Hypothesis draw, so it is part of the example and is replayed with
the rest of it (the suite is derandomized).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.fuzz.operations import FuzzCase
from tests.fuzz.seed import Seeded

# Questionnaire ratings are keyed by unit id.
_KEYED_BY_UNIT = {"ratings"}
IDEMPOTENCY = "Idempotency-Key"
# A few keys shared by every operation, so generated requests replay each other's keys with
# different bodies and different operations, which is what clients that retry badly do.
REPLAYED_KEYS = ("fuzz-replay-1", "fuzz-replay-2")


def deepen(case: FuzzCase, data: st.DataObject, seeded: Seeded) -> None:
    for container in (case.path_parameters, case.query):
        if isinstance(container, dict):
            for name, value in list(container.items()):
                container[name] = _maybe_existing(name, value, data, seeded)
    if isinstance(case.body, dict):
        case.body = _walk(case.body, data, seeded)
    if _takes_idempotency_key(case) and data.draw(st.booleans(), label="replayed key"):
        case.headers[IDEMPOTENCY] = data.draw(st.sampled_from(REPLAYED_KEYS), label=IDEMPOTENCY)


def _takes_idempotency_key(case: FuzzCase) -> bool:
    return any(param.name == IDEMPOTENCY for param in case.operation.iter_parameters())


def _maybe_existing(name: str, value: Any, data: st.DataObject, seeded: Seeded) -> Any:
    pool = seeded.pool(name)
    if not pool or not data.draw(st.booleans(), label=f"existing {name}"):
        return value
    if isinstance(value, list):
        return [data.draw(st.sampled_from(pool), label=name) for _ in value]
    return data.draw(st.sampled_from(pool), label=name)


def _walk(value: Any, data: st.DataObject, seeded: Seeded) -> Any:
    if isinstance(value, list):
        return [_walk(item, data, seeded) for item in value]
    if not isinstance(value, dict):
        return value
    walked = {}
    for name, item in value.items():
        if name in _KEYED_BY_UNIT and isinstance(item, dict):
            item = _rekey(item, data, seeded)
        elif isinstance(item, str | list):
            item = _maybe_existing(name, item, data, seeded)
        walked[name] = _walk(item, data, seeded)
    return walked


def _rekey(ratings: dict[str, Any], data: st.DataObject, seeded: Seeded) -> dict[str, Any]:
    units = seeded.pool("unit_id")
    if not units or not data.draw(st.booleans(), label="ratings for existing units"):
        return ratings
    return {data.draw(st.sampled_from(units), label="rated unit"): v for v in ratings.values()}
