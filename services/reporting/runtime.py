from __future__ import annotations

from services.reporting.application import ReportingApplication
from services.reporting.integration import to_payload
from services.reporting.views import RankingsView, scoring_view_inbox
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import PayloadMapper
from shared.registry_view import registry_view_inbox
from shared.runtime import ServiceRuntime


class ReportingRuntime(ServiceRuntime):
    name = "reporting"
    application_class = ReportingApplication

    @staticmethod
    def payload_mapper() -> PayloadMapper:
        return to_payload

    def subscriptions(self) -> dict[str, Inbox]:
        return {
            "registry": registry_view_inbox(self.views),
            "scoring": scoring_view_inbox(self.views),
        }

    @property
    def rankings(self) -> RankingsView:
        return RankingsView(self.views)
