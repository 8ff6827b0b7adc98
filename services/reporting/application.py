"""Reporting has no commands yet: it only reads. The application exists so the service has
its own (empty) log like every other service, ready for when publishing results becomes a
recorded decision (发布) rather than a view."""

from __future__ import annotations

from shared.service.application import PublishingApplication


class ReportingApplication(PublishingApplication):
    name = "reporting"
