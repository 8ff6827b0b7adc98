"""Contacts of representatives: the plaintext exists only in the request. What is stored is
an HMAC-SHA256 of the normalised contact (duplicate detection among the representatives the
registering caller may see: `domain.people.ContactClaim`) and a Fernet-encrypted copy
(masked display to offices). Both keys derive from one secret:
- PINGYI_REGISTRY_CONTACT_KEY (environment, or the eventsourcing env of the application);
- else, in embedded mode only, a random secret kept in `registry-contact-key` beside the
  registry's SQLite file, created on first use with mode 0600 (the data directory is then
  what must be protected; production must set the variable);
- else, in memory mode (tests), a random secret that lives as long as the application, as
  its in-memory events do.
Without either, registering a contact is refused with 503 and masked contacts show as null.
The vault itself is shared (shared.contact_vault): inspection seals complainants with it.

A contact is something an office can reach a representative by: a mainland mobile number
(the rule survey applies to voters' numbers), a landline with its area code, or an email
address. Anything else ("abc", a name, a number cut short) is refused, since it would be
stored sealed where no one can see it is useless.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from services.registry.domain import InvalidRegistration
from shared.contact_vault import ContactVault, canonical_contact, mask_contact
from shared.secrets import service_secret

__all__ = ["ContactVault", "contact_secret", "mask_contact", "normalise_contact"]

CONTACT_KEY_ENV = "PINGYI_REGISTRY_CONTACT_KEY"
CONTACT_KEY_FILE = "registry-contact-key"
NOT_A_CONTACT = (
    "联系方式应为手机号码 (以 13–19 开头的 11 位, 可带 +86、86 或 0086)、带区号的固定电话 "
    "(0395-3123456) 或电子邮箱 (not a contact: give a mainland mobile number (11 digits "
    "starting 13–19, optionally after +86, 86 or 0086), a landline with its area code "
    "(0395-3123456) or an email address)"
)
# Written after separators are dropped and a mobile's country code is removed
# (canonical_contact), so "(0395) 312-3456" and "+86 138 1234 5678" reach these whole.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes are 010 and 02x (three digits) or 03xx–09xx (four); local numbers 7 or 8
# digits, never starting 0 or 1.
_LANDLINE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})[2-9][0-9]{6,7}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def contact_secret(env: Mapping[str, str]) -> str | None:
    return service_secret(env, CONTACT_KEY_ENV, CONTACT_KEY_FILE)


def normalise_contact(value: str, field: str) -> str:
    """The contact as it is hashed and sealed; full-width digits (NFKC) count as digits."""
    cleaned = canonical_contact(unicodedata.normalize("NFKC", value))
    if not 3 <= len(cleaned) <= 100:
        raise InvalidRegistration(
            "联系方式为 3 至 100 个字符 (a contact has 3 to 100 characters)", field=field
        )
    if not any(shape.fullmatch(cleaned) for shape in (_MOBILE, _LANDLINE, _EMAIL)):
        raise InvalidRegistration(NOT_A_CONTACT, field=field)
    return cleaned
