from __future__ import annotations

from services.inspection.application import InspectionApplication
from services.inspection.finding_view import FindingIndex, finding_view_inbox
from services.inspection.integration import to_payload
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import PayloadMapper
from shared.registry_view import registry_view_inbox
from shared.runtime import ServiceRuntime


class InspectionRuntime(ServiceRuntime):
    name = "inspection"
    application_class = InspectionApplication

    @staticmethod
    def payload_mapper() -> PayloadMapper:
        return to_payload

    def subscriptions(self) -> dict[str, Inbox]:
        # The finding list is read from our own published log, like the registry's and
        # survey's lists: it holds what other services can also see.
        return {
            "registry": registry_view_inbox(self.views),
            "inspection": finding_view_inbox(self.views),
        }

    @property
    def inspection_app(self) -> InspectionApplication:
        app = self.application
        assert isinstance(app, InspectionApplication)
        return app

    @property
    def finding_index(self) -> FindingIndex:
        return FindingIndex(self.views)
