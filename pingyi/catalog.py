"""The composition root's list of services: adding a service is one line here."""

from __future__ import annotations

from services.inspection.main import SERVICE as INSPECTION
from services.registry.main import SERVICE as REGISTRY
from services.reporting.main import SERVICE as REPORTING
from services.scoring.main import SERVICE as SCORING
from services.survey.main import SERVICE as SURVEY
from shared.service.definition import ServiceDefinition

SERVICES: tuple[ServiceDefinition, ...] = (REGISTRY, SURVEY, INSPECTION, SCORING, REPORTING)
NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)


def definition(name: str) -> ServiceDefinition:
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(f"unknown service {name!r}; choose from {', '.join(NAMES)}")
