"""Composition: which transport a mode uses, and how to open any service's log (outbox)
from outside that service, for embedded consumers and for `pingyi replay`."""

from __future__ import annotations

import importlib
from typing import Any

from shared.messaging.outbox import Outbox
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from shared.transport import JetStreamTransport, LocalTransport, Transport

SERVICES = ("registry", "survey", "inspection", "scoring", "reporting")
_RUNTIME_CLASSES = {
    "registry": "services.registry.runtime:RegistryRuntime",
    "survey": "services.survey.runtime:SurveyRuntime",
    "inspection": "services.inspection.runtime:InspectionRuntime",
    "scoring": "services.scoring.runtime:ScoringRuntime",
    "reporting": "services.reporting.runtime:ReportingRuntime",
}
_SETTINGS_CLASSES = {
    name: f"services.{name}.settings:{name.capitalize()}Settings" for name in SERVICES
}


def _load(path: str) -> Any:
    module, attr = path.split(":")
    return getattr(importlib.import_module(module), attr)


def runtime_class(service: str) -> Any:
    return _load(_RUNTIME_CLASSES[service])


def settings_class(service: str) -> type[ServiceSettings]:
    cls: type[ServiceSettings] = _load(_SETTINGS_CLASSES[service])
    return cls


def open_outbox(service: str, common: CommonSettings) -> Outbox:
    """A reader over another service's stored event log, in either mode."""
    runtime_cls = runtime_class(service)
    settings = settings_class(service)()
    env = eventsourcing_env(common, service, settings.postgres_schema)
    application = runtime_cls.application_class(env)
    return Outbox(service, application, runtime_cls.payload_mapper())


def default_transport(common: CommonSettings) -> Transport:
    if common.mode == "production":
        return JetStreamTransport(common.nats_url, common.namespace)
    return LocalTransport(lambda upstream: open_outbox(upstream, common))
