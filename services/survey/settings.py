from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PINGYI_SURVEY_", extra="ignore")
    port: int = 8702
    voter_key: SecretStr | None = None
    """Key of the voters' keyed hash (online public voting); embedded mode creates one under
    the data dir, production must set it."""
