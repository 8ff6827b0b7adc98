from __future__ import annotations

from services.registry.application import RegistryApplication
from services.registry.integration import to_payload
from services.registry.projections import REGISTRY_HANDLERS
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import PayloadMapper
from shared.registry_view import registry_view_inbox
from shared.runtime import ServiceRuntime


class RegistryRuntime(ServiceRuntime):
    name = "registry"
    application_class = RegistryApplication

    @staticmethod
    def payload_mapper() -> PayloadMapper:
        return to_payload

    def eventsourcing_env(self) -> dict[str, str]:
        env = super().eventsourcing_env()
        settings = self.settings
        key = getattr(settings, "contact_key", None)
        if key is not None:
            env["PINGYI_REGISTRY_CONTACT_KEY"] = key.get_secret_value()
        return env

    def subscriptions(self) -> dict[str, Inbox]:
        # The registry authenticates against its own published log, like everyone else.
        return {"registry": registry_view_inbox(self.views, REGISTRY_HANDLERS)}

    @property
    def registry_app(self) -> RegistryApplication:
        app = self.application
        assert isinstance(app, RegistryApplication)
        return app
