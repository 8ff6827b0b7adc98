"""What the rectification routes share: the order a route names (its scope resolver), who
is a party to an order, and the application they call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.inspection.rectification.application import Commands
from services.inspection.rectification.domain import RectificationNotFound
from shared.http import application_of
from shared.policy import ScopeTarget, path, target_id
from shared.runtime import ServiceRuntime

ORDER = path("order_id", "rectification", hidden=True)
"""The order a route names: one outside the caller's scope answers exactly as no order."""
PARTIES = {"unit": "unit_principal_id"}

RectificationApp = Annotated[Commands, Depends(application_of(Commands))]


def resolve_rectification(runtime: ServiceRuntime, order_id: str, field: str) -> ScopeTarget:
    """An order is in the scope of the jurisdiction recorded at issue and is its unit's: the
    unit's keys reach it. A legacy unit key (naming no unit) reaches it only if named on it."""
    application = runtime.application
    assert isinstance(application, Commands)
    order = application.rectification(target_id(order_id, field), field)
    named = order.unit_principal_id
    return ScopeTarget(
        str(order.jurisdiction_id),
        parties={"unit": frozenset() if named is None else frozenset({str(named)})},
        unit_id=str(order.unit_id),
        not_found=RectificationNotFound(field=field),
    )
