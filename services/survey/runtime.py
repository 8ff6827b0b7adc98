from __future__ import annotations

from services.survey.application import SurveyApplication
from services.survey.integration import to_payload
from services.survey.wave_view import survey_view_inbox
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import PayloadMapper
from shared.registry_view import registry_view_inbox
from shared.runtime import ServiceRuntime


class SurveyRuntime(ServiceRuntime):
    name = "survey"
    application_class = SurveyApplication

    @staticmethod
    def payload_mapper() -> PayloadMapper:
        return to_payload

    def subscriptions(self) -> dict[str, Inbox]:
        # The wave list is read from our own published log, so it holds only what others
        # can also see; the runtime reads that log locally.
        return {
            "registry": registry_view_inbox(self.views),
            "survey": survey_view_inbox(self.views),
        }

    @property
    def survey_app(self) -> SurveyApplication:
        app = self.application
        assert isinstance(app, SurveyApplication)
        return app
