"""Registry HTTP API: thin routers; every decision is in the application and domain."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.api import (
    campaigns,
    draws,
    imports,
    jurisdictions,
    people,
    principals,
    units,
)

router = APIRouter()
for module in (jurisdictions, units, principals, campaigns, people, draws, imports):
    router.include_router(module.router)
