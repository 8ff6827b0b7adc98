"""Contacts of representatives: the plaintext exists only in the request. What is stored is
an HMAC-SHA256 of the normalised contact (duplicate detection, registry-wide) and a
Fernet-encrypted copy (masked display to offices). Both keys derive from one secret:
- PINGYI_REGISTRY_CONTACT_KEY (environment, or the eventsourcing env of the application);
- else, in embedded mode only, a random secret kept in `registry-contact-key` beside the
  registry's SQLite file, created on first use with mode 0600 (the data directory is then
  what must be protected; production must set the variable);
- else, in memory mode (tests), a random secret that lives as long as the application, as
  its in-memory events do.
Without either, registering a contact is refused with 503 and masked contacts show as null.
The vault itself is shared (shared.contact_vault): inspection seals complainants with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.registry.domain import InvalidRegistration
from shared.contact_vault import ContactVault, canonical_contact, mask_contact
from shared.secrets import service_secret

__all__ = ["ContactVault", "contact_secret", "mask_contact", "normalise_contact"]

CONTACT_KEY_ENV = "PINGYI_REGISTRY_CONTACT_KEY"
CONTACT_KEY_FILE = "registry-contact-key"


def contact_secret(env: Mapping[str, str]) -> str | None:
    return service_secret(env, CONTACT_KEY_ENV, CONTACT_KEY_FILE)


def normalise_contact(value: str, field: str) -> str:
    cleaned = canonical_contact(value)
    if not 3 <= len(cleaned) <= 100:
        raise InvalidRegistration("a contact has 3 to 100 characters", field=field)
    return cleaned
