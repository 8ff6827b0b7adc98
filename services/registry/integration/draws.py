"""Published facts about draws (issue 3)."""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationPayload


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    return None
