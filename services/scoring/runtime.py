from __future__ import annotations

from services.scoring.application import ScoringApplication
from services.scoring.inboxes import FanOutInbox, ScoringInbox
from services.scoring.integration import to_payload
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import PayloadMapper
from shared.registry_view import registry_view_inbox
from shared.runtime import ServiceRuntime


class ScoringRuntime(ServiceRuntime):
    name = "scoring"
    application_class = ScoringApplication

    @staticmethod
    def payload_mapper() -> PayloadMapper:
        return to_payload

    def subscriptions(self) -> dict[str, Inbox]:
        events = ScoringInbox(self.scoring_app)
        # The authentication copy goes first: keys keep working even while a bad batch
        # holds the roster back.
        return {"registry": FanOutInbox(registry_view_inbox(self.views), events), "survey": events}

    @property
    def scoring_app(self) -> ScoringApplication:
        app = self.application
        assert isinstance(app, ScoringApplication)
        return app
