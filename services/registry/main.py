"""The registry service (登记): jurisdictions, units, campaigns, representatives and keys."""

from __future__ import annotations

from services.registry.application import RegistryApplication
from services.registry.integration import to_payload
from services.registry.projections import REGISTRY_MODELS
from services.registry.settings import RegistrySettings
from shared.principals import PrincipalLookup
from shared.registry_view import SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.settings import ServiceSettings


def contact_key_env(settings: ServiceSettings) -> dict[str, str]:
    key = getattr(settings, "contact_key", None)
    return {} if key is None else {"PINGYI_REGISTRY_CONTACT_KEY": key.get_secret_value()}


def own_store(runtime: ServiceRuntime) -> PrincipalLookup:
    """The registry checks keys against its own event store: a key works the moment it is
    issued and stops the moment it is revoked."""
    application = runtime.application
    assert isinstance(application, RegistryApplication)
    return application


def api() -> ServiceApi:
    # Imported here, not at the top: only the API process needs the HTTP side.
    from services.registry.api import router
    from services.registry.api.scopes import RESOLVERS

    return ServiceApi(routers=(router,), resolvers=RESOLVERS)


SERVICE = ServiceDefinition(
    name="registry",
    title="Pingyi registry 登记",
    description="Jurisdictions, units under evaluation (参评单位), campaigns, evaluation "
    "representatives and API principals.",
    application=RegistryApplication,
    settings=RegistrySettings,
    payload_mapper=to_payload,
    api=api,
    views=(SECURITY_VIEW, REGISTRY_MODELS),
    scope_nouns={
        "jurisdiction": "jurisdiction",
        "known_jurisdiction": "jurisdiction",
        "unit_ever": "unit",
        "campaign": "campaign",
        "principal": "API key",
        "person": "evaluation representative",
        "draw": "panel draw",
        "appointing_body": "appointing body",
        "unit": "unit",
    },
    principal_authority=own_store,
    extra_env=contact_key_env,
)
