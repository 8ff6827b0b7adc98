"""The composition root's list of services: adding a service is one line here.

A service is imported only when it is asked for: `pingyi serve registry`, its relay and its
view consumers load the registry and nothing else. Building a service's models and routes
costs seconds of CPU, so a production process that loaded all five paid it five times over,
three processes per service (measured: `tests/pingyi/test_catalog.py`).
"""

from __future__ import annotations

import importlib

from shared.service.definition import ServiceDefinition

_MODULES: dict[str, str] = {
    "registry": "services.registry.main",
    "survey": "services.survey.main",
    "inspection": "services.inspection.main",
    "scoring": "services.scoring.main",
    "reporting": "services.reporting.main",
}

NAMES: tuple[str, ...] = tuple(_MODULES)


def definition(name: str) -> ServiceDefinition:
    module = _MODULES.get(name)
    if module is None:
        raise KeyError(f"unknown service {name!r}; choose from {', '.join(NAMES)}")
    service: ServiceDefinition = importlib.import_module(module).SERVICE
    return service


def every_service() -> tuple[ServiceDefinition, ...]:
    """Every service's definition, in `NAMES` order (loads them all: for the embedded
    runner, the policy matrix and the tests)."""
    return tuple(definition(name) for name in NAMES)
