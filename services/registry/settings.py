from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PINGYI_REGISTRY_", extra="ignore")
    port: int = 8701
    contact_key: SecretStr | None = None
    """Key that seals representatives' contacts; embedded mode creates one under the data dir."""
