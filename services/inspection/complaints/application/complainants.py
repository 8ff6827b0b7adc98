"""The complainant's name and contact: sealed before anything is stored
(shared.contact_vault, key PINGYI_INSPECTION_CONTACT_KEY), shown to offices masked, to units
and in published messages never."""

from __future__ import annotations

from functools import cached_property

from services.inspection.complaints.domain import Complaint, InvalidComplaint
from services.inspection.errors import InspectionError
from shared.contact_vault import ContactVault, canonical_contact, mask_contact
from shared.errors import UnavailableError
from shared.secrets import service_secret
from shared.service.application import PublishingApplication

CONTACT_KEY_ENV = "PINGYI_INSPECTION_CONTACT_KEY"
CONTACT_KEY_FILE = "inspection-contact-key"
NAME_MAX = 50


class ContactKeyMissing(InspectionError, UnavailableError):
    code = "contact_key_missing"


class Complainants(PublishingApplication):
    """Sealing and masking complainants (a mixin of the inspection application)."""

    @cached_property
    def complaint_vault(self) -> ContactVault | None:
        secret = service_secret(self.env, CONTACT_KEY_ENV, CONTACT_KEY_FILE)
        return ContactVault(secret) if secret else None

    def _seal_complainant(
        self, name: str | None, contact: str | None
    ) -> tuple[str, str, str, str] | None:
        if name is None and contact is None:
            return None
        if name is None or not name.strip():
            raise InvalidComplaint(
                "实名投诉须填写投诉人姓名 (a named complaint needs the complainant's name)",
                field="complainant.name",
            )
        if contact is None:
            raise InvalidComplaint(
                "实名投诉须填写联系方式 (a named complaint needs a contact)",
                field="complainant.contact",
            )
        cleaned_name = name.strip()
        if len(cleaned_name) > NAME_MAX:
            raise InvalidComplaint(
                f"不能超过 {NAME_MAX} 个字 (must be at most {NAME_MAX} characters)",
                field="complainant.name",
            )
        normal = canonical_contact(contact)
        if not 3 <= len(normal) <= 100:
            raise InvalidComplaint(
                "联系方式须为 3 至 100 个字符 (a contact has 3 to 100 characters)",
                field="complainant.contact",
            )
        vault = self.complaint_vault
        if vault is None:
            raise ContactKeyMissing(
                f"暂不能记录投诉人信息, 须设置 {CONTACT_KEY_ENV} "
                f"(complainants cannot be recorded: set {CONTACT_KEY_ENV})",
                field="complainant",
            )
        return vault.seal(cleaned_name), vault.seal(normal), vault.fingerprint(normal), vault.key_id

    def _complainant_fingerprint(
        self, sealed: tuple[str, str, str, str] | None, name: str | None
    ) -> str | None:
        """What an Idempotency-Key record keeps of the complainant (`sealed` from
        `_seal_complainant`, `name` as sent): keyed hashes of the name and of the contact,
        never plaintext, so a retry naming someone else is another request (409), not the
        first one's answer."""
        vault = self.complaint_vault
        if sealed is None or vault is None:
            return None
        return f"{vault.fingerprint((name or '').strip())}:{sealed[2]}"

    def _masked(self, complaint: Complaint) -> dict[str, str | None] | None:
        if complaint.anonymous:
            return None
        vault = self.complaint_vault
        name = contact = None
        if vault is not None and complaint.complainant_name_sealed is not None:
            opened = vault.open(complaint.complainant_name_sealed)
            name = None if opened is None else opened[:1] + "*" * max(len(opened) - 1, 1)
        if vault is not None and complaint.complainant_contact_sealed is not None:
            opened = vault.open(complaint.complainant_contact_sealed)
            contact = None if opened is None else mask_contact(opened)
        return {"name": name, "contact": contact}
