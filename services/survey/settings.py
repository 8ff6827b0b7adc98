from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PINGYI_SURVEY_", extra="ignore")
    port: int = 8702
    voter_key: SecretStr | None = None
    """Key of the voters' keyed hash (online public voting); embedded mode creates one under
    the data dir, production must set it."""
    sms_gateway_url: str | None = None
    """Where voters' codes are posted (`{"phone", "text"}` as JSON): the operator's SMS
    gateway. Unset: embedded mode writes them to a local outbox, not sent; production sends
    none, and waves that need codes take no votes (docs/survey.md, *Voter verification*)."""
    sms_gateway_token: SecretStr | None = None
    """Sent to the gateway as `Authorization: Bearer <token>`."""
    sms_gateway_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    sms_codes_per_wave_hour: int = Field(default=20_000, ge=1)
    """Codes sent for one wave in an hour at most (the SMS budget against generated
    numbers); each phone has its own limits besides (one a minute, five an hour)."""
