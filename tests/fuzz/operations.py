"""Every operation of every service, read from the services' own OpenAPI specs.

Schemathesis is used as a generator only: its pytest plugin names every item after the
test function on pytest 9 and its lazy loader fails there, so the tests parametrize over
these operations themselves and send cases through the cluster's in-process clients.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode, SerializationContext
from schemathesis.core.result import Ok
from schemathesis.transport.serialization import serialize_binary

from pingyi.catalog import NAMES as SERVICES
from services.inspection.evidence import EVIDENCE_TYPES
from shared.settings import CommonSettings
from tests.harness import create_app

# CI runs 10 per operation and kind of case (generated, boundary, random path): five minutes
# on 2 cores with 20, the suite's largest file; set PINGYI_FUZZ_EXAMPLES=100 to hunt deeper.
MAX_EXAMPLES = int(os.environ.get("PINGYI_FUZZ_EXAMPLES", "10"))
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is reported as generated, and a hand-made regression test in
    # test_regressions.py is the minimal example; shrinking a request can take minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "all",
            # Every request carries the admin key; generated keys would only exercise auth.
            "with-security-parameters": False,
        },
    }
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer("text/csv", XLSX, *EVIDENCE_TYPES)
def _file_body(ctx: SerializationContext, value: Any) -> bytes:
    """The import and evidence endpoints take the file itself as the body; send whatever
    was generated."""
    return serialize_binary(value)


# Twenty examples rarely land on the calendar's edges, where date arithmetic and timezone
# conversion overflow; a quarter of all generated dates and date-times are drawn from there.
EDGE_DAYS = [
    *("0001-01-01", "1970-01-01", "1999-12-31", "2000-01-01", "2000-02-29", "2026-05-12"),
    *("2100-12-31", "2101-01-01", "9999-12-31"),
]
EDGE_TIMES = ["00:00:00", "08:00:00", "23:59:59", "23:59:59.999999"]
EDGE_OFFSETS = ["Z", "+00:00", "+08:00", "-00:01", "+23:59", "-23:59"]
# Otherwise dates lie in 2000–2100, which the services accept (shared/types.py), so that
# generated requests also get past date validation.
_DAYS = st.integers(0, 3).flatmap(
    lambda pick: (
        st.sampled_from(EDGE_DAYS)
        if pick == 0
        else st.dates(date(2000, 1, 1), date(2100, 12, 31)).map(str)
    )
)
_TIMES = st.one_of(st.sampled_from(EDGE_TIMES), st.times().map(lambda t: t.isoformat()))
_OFFSETS = st.sampled_from(EDGE_OFFSETS)
schemathesis.openapi.format("date", _DAYS)
schemathesis.openapi.format("date-time", st.builds("{}T{}{}".format, _DAYS, _TIMES, _OFFSETS))


def _spec(service: str) -> dict[str, Any]:
    # Building an app opens nothing (services/*/main.py), so specs are read at collection.
    common = CommonSettings(mode="embedded", data_dir=Path("unused"), log_json=False)
    spec: dict[str, Any] = create_app(service, common).openapi()
    return spec


Operation = APIOperation[Any, Any, Any, Any]
FuzzCase = Case[Any]


def _operations() -> list[tuple[str, Operation]]:
    found: list[tuple[str, Operation]] = []
    for service in SERVICES:
        schema = schemathesis.openapi.from_dict(_spec(service), config=CONFIG)
        for result in schema.get_all_operations():
            if not isinstance(result, Ok):
                raise result.err()  # a spec schemathesis cannot read is a failure, not a skip
            found.append((service, result.ok()))
    return found


OPERATIONS = _operations()
IDS = [f"{service} {operation.label}" for service, operation in OPERATIONS]
TEMPLATED = [(service, op) for service, op in OPERATIONS if op.path_parameters]
TEMPLATED_IDS = [f"{service} {operation.label}" for service, operation in TEMPLATED]


def boundary_cases(operation: Operation) -> Iterator[FuzzCase]:
    """Schemathesis' coverage phase: deterministic valid and invalid values at each
    constraint's edges (missing fields, wrong types, lengths, formats, unexpected methods)."""
    schema = operation.schema
    config = schema.config.generation_for(operation=operation, phase="coverage")
    cases: Iterator[FuzzCase] = schema.iter_coverage_cases(
        operation, generation_modes=list(GenerationMode), generation_config=config
    )
    return cases
