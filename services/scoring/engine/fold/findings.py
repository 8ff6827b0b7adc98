"""An `inspection.finding.recorded` v2 payload read straight from its decoded JSON, as
`plain` reads a questionnaire: a province's round holds tens of thousands of findings, and
the model's reading (pydantic, then each UUID made text again) was most of what a replay's
own process spent on them while its ranges counted the survey log.

What the fold keeps of a finding (`inspection.InspectionFold.record_finding`) is read here
only where the model (read as every consumer reads it: `parse_payload`, which ignores
fields it does not know) accepts the payload, and to the same values; anything else
returns None and the caller parses the model, which reads it or refuses it
(tests/scoring/engine/test_fold_findings.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, get_args

from shared.contracts.inspection import (
    EvaluationContent,
    FindingRecorded,
    InspectionMethod,
    Severity,
)
from shared.contracts.registry import china_date

from ..inputs import FindingFact
from .plain import DATETIME, uuid_text

CONTRACT = (FindingRecorded.event_type, FindingRecorded.schema_version)
_METHODS = frozenset(get_args(InspectionMethod))
_ITEMS = frozenset([None, *get_args(EvaluationContent)])
_SEVERITIES = frozenset([None, *get_args(Severity)])
_DATETIME = re.compile(DATETIME)
_POINTS = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
"""A deduction's text read plainly: plain digits, as inspection writes a Decimal."""
_MISSING = object()


def plain_finding(payload: Mapping[str, Any]) -> tuple[str, str, FindingFact] | None:
    """(finding id, unit id, the fact) if the payload is in the plain form, else None."""
    get = payload.get
    finding_id: Any = get("finding_id")
    unit_id: Any = get("unit_id")
    method, item, severity = get("method"), get("item"), get("severity")
    found_at, evidence = get("found_at"), get("evidence", ())
    if not (
        uuid_text(finding_id)
        and uuid_text(unit_id)
        and type(method) is str
        and method in _METHODS
        and (item is None or (type(item) is str and item in _ITEMS))
        and (severity is None or (type(severity) is str and severity in _SEVERITIES))
        and type(get("summary")) is str
        and type(get("actor")) is str
        and _uuid_or_none(get("jurisdiction_id"))
        and _uuid_or_none(get("visit_id"))
        and type(found_at) is str
        and _DATETIME.fullmatch(found_at) is not None
        and (type(evidence) in (list, tuple) and all(type(e) is str for e in evidence))
    ):
        return None
    deduction = _points(get("deduction"))
    if not (deduction is None or type(deduction) is str):
        return None
    try:
        found_on = china_date(datetime.fromisoformat(found_at)).isoformat()
    except ValueError:  # a month 13, an offset of 25 hours, …
        return None
    fact: FindingFact = {
        "finding_id": finding_id,
        "method": method,
        "item": item,
        "severity": severity,
        "deduction": deduction,
        "found_on": found_on,
    }
    return finding_id, unit_id, fact


def _uuid_or_none(value: object) -> bool:
    return value is None or uuid_text(value)


def _points(value: object) -> str | object | None:
    """The deduction as the fact states it (`format(Decimal, "f")`), None, or `_MISSING`
    where the model must read it (a float, an exponent, a sign)."""
    if value is None:
        return None
    if type(value) is int:
        return format(Decimal(value), "f")
    if type(value) is str and _POINTS.fullmatch(value):
        return format(Decimal(value), "f")
    return _MISSING
