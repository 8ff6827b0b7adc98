"""The HTTP edge's limits, read from the environment with the prefix `PINGYI_`.

`shared.settings.CommonSettings` inherits these, so every service and every test cluster
carries them. The defaults are meant for production and are loose enough that the test
suite, which calls thousands of times from one address, never meets them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


def _rate(text: str) -> str:
    # Imported here: every process reads these settings, only an API process limits rates.
    from limits import parse

    try:
        parse(text)
    except ValueError:
        raise ValueError(f"not a rate such as 20/minute or 5 per 10 seconds: {text!r}") from None
    return text


Rate = Annotated[str, AfterValidator(_rate)]
"""A rate in the `limits` notation: `20/minute`, `50/second`, `5 per 10 seconds`."""

_ORIGIN = re.compile(r"^https?://[^/\s?#@]+$")


def _origins(text: str) -> str:
    for origin in (part.strip() for part in text.split(",") if part.strip()):
        if origin != "*" and not _ORIGIN.match(origin):
            raise ValueError(
                f"not a web origin such as https://pingyi.example.gov.cn (scheme and host,"
                f" no path): {origin!r}"
            )
    return text


Origins = Annotated[str, AfterValidator(_origins)]


class HttpLimits(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PINGYI_", extra="ignore")

    body_limit: int = Field(default=1 * MiB, ge=1024)
    """Largest request body in bytes on most routes (PINGYI_BODY_LIMIT)."""
    body_limit_large: int = Field(default=64 * MiB, ge=1024)
    """On batch and upload routes (PINGYI_BODY_LIMIT_LARGE)."""
    rate_auth_failures: Rate = "120/minute"
    """Wrong or revoked API keys per client address; past it every keyed request from that
    address is refused 429 until the window frees (PINGYI_RATE_AUTH_FAILURES)."""
    rate_public: Rate = "50/second"
    """Requests per client address to routes that need no key (PINGYI_RATE_PUBLIC)."""
    rate_positions: Rate = "50/second"
    """`GET /positions` calls per principal (PINGYI_RATE_POSITIONS)."""
    public_origins: Origins = ""
    """Comma-separated web origins (`https://pingyi.example.gov.cn`, or `*`) whose pages may
    call the services from a browser (CORS; PINGYI_PUBLIC_ORIGINS): the public voting page
    an office hosts on its own site. Only what public routes take is allowed across origins
    (GET, HEAD, POST; Content-Type and Idempotency-Key), never `X-API-Key`, so no keyed route
    can be called from another origin's page. Empty (the default): none."""

    def origins(self) -> list[str]:
        return [part.strip() for part in self.public_origins.split(",") if part.strip()]

    trusted_proxies: str = "127.0.0.1"
    """Comma-separated addresses or networks (CIDR) of the proxies in front of the service
    (an ingress, a load balancer) whose `X-Forwarded-For` and `X-Forwarded-Proto` are
    believed (PINGYI_TRUSTED_PROXIES). Behind a proxy that is not listed, every public
    caller has the proxy's address and all of them share one address's rate limit. `*`
    trusts any peer: only where nothing but the proxy can reach the port."""

    def server_options(self) -> dict[str, Any]:
        """What uvicorn needs to see clients as the trusted proxies report them."""
        return {"proxy_headers": True, "forwarded_allow_ips": self.trusted_proxies}
