"""Every operation of every service, read from the services' own OpenAPI specs.

Schemathesis is used as a generator only: its pytest plugin names every item after the
test function on pytest 9 and its lazy loader fails there, so the tests parametrize over
these operations themselves and send cases through the cluster's in-process clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode, SerializationContext
from schemathesis.transport.serialization import serialize_binary

from services.wiring import SERVICES
from shared.settings import CommonSettings
from tests.harness import create_app

SEED = 20260512

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            # Every request carries the admin key; generated keys would only exercise auth.
            "with-security-parameters": False,
        },
    }
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer("text/csv", XLSX)
def _file_body(ctx: SerializationContext, value: Any) -> bytes:
    """The import endpoints take the file itself as the body; send whatever was generated."""
    return serialize_binary(value)


# Twenty examples rarely land on the calendar's edges, where date arithmetic and timezone
# conversion overflow; half of all generated dates and date-times are drawn from there.
EDGE_DAYS = [
    *("0001-01-01", "1970-01-01", "1999-12-31", "2000-01-01", "2000-02-29", "2026-05-12"),
    *("2100-12-31", "2101-01-01", "9999-12-31"),
]
EDGE_TIMES = ["00:00:00", "08:00:00", "23:59:59", "23:59:59.999999"]
EDGE_OFFSETS = ["Z", "+00:00", "+08:00", "-00:01", "+23:59", "-23:59"]
_DAYS = st.one_of(st.sampled_from(EDGE_DAYS), st.dates().map(str))
_TIMES = st.one_of(st.sampled_from(EDGE_TIMES), st.times().map(lambda t: t.isoformat()))
_OFFSETS = st.sampled_from(EDGE_OFFSETS)
schemathesis.openapi.format("date", _DAYS)
schemathesis.openapi.format("date-time", st.builds("{}T{}{}".format, _DAYS, _TIMES, _OFFSETS))


def _spec(service: str) -> dict[str, Any]:
    # Building an app opens nothing (services/*/main.py), so specs are read at collection.
    common = CommonSettings(mode="embedded", data_dir=Path("unused"), log_json=False)
    spec: dict[str, Any] = create_app(service, common).openapi()
    return spec


def _operations() -> list[tuple[str, APIOperation]]:
    found = []
    for service in SERVICES:
        schema = schemathesis.openapi.from_dict(_spec(service), config=CONFIG)
        found.extend((service, result.ok()) for result in schema.get_all_operations())
    return found


OPERATIONS = _operations()
IDS = [f"{service} {operation.label}" for service, operation in OPERATIONS]
TEMPLATED = [(service, op) for service, op in OPERATIONS if op.path_parameters]
TEMPLATED_IDS = [f"{service} {operation.label}" for service, operation in TEMPLATED]


def boundary_cases(operation: APIOperation) -> Iterator[Case]:
    """Schemathesis' coverage phase: deterministic valid and invalid values at each
    constraint's edges (missing fields, wrong types, lengths, formats, unexpected methods)."""
    schema = operation.schema
    config = schema.config.generation_for(operation=operation, phase="coverage")
    return schema.iter_coverage_cases(
        operation, generation_modes=list(GenerationMode), generation_config=config
    )
