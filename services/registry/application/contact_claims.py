"""The contacts of evaluation representatives, as registering one meets them: sealed before
anything is stored (the vault: `contacts`), refused when given twice in one request or held by
a representative the caller may see, and claimed (`ContactClaim`) otherwise. A mixin of
`PeopleCommands`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from services.registry.application.contacts import (
    CONTACT_KEY_ENV,
    ContactVault,
    contact_secret,
    mask_contact,
    normalise_contact,
)
from services.registry.application.units import UnitCommands
from services.registry.domain.people import (
    ContactClaim,
    ContactKeyMissing,
    DuplicateContact,
    Person,
)
from shared.principals import Principal as Caller


class ContactCommands(UnitCommands):
    @cached_property
    def contact_vault(self) -> ContactVault | None:
        secret = contact_secret(self.env)
        return ContactVault(secret) if secret else None

    def masked_contact(self, person: Person) -> str | None:
        if person.contact_sealed is None or self.contact_vault is None:
            return None
        opened = self.contact_vault.open(person.contact_sealed)
        return mask_contact(opened) if opened is not None else None

    def _sealed_contact(self, spec: Mapping[str, Any], field: str) -> tuple[str, str, str] | None:
        raw = spec.get("contact")
        if raw is None or not str(raw).strip():
            return None
        if self.contact_vault is None:
            raise ContactKeyMissing(
                f"暂不能保存联系方式, 请运维人员设置 {CONTACT_KEY_ENV} "
                f"(contacts cannot be stored: set {CONTACT_KEY_ENV})",
                field=f"{field}contact",
            )
        contact = normalise_contact(str(raw), f"{field}contact")
        vault = self.contact_vault
        return vault.fingerprint(contact), vault.seal(contact), vault.key_id

    def _unclaimed_in_sight(
        self, caller: Caller, contact_hash: str, first_row: dict[str, int], index: int, field: str
    ) -> ContactClaim | None:
        """Refuse a contact given twice in this request, or held by a representative the
        caller may see; otherwise the contact's claim, if representatives out of the
        caller's sight hold it (the new person joins them), else None."""
        if contact_hash in first_row:
            raise DuplicateContact(
                f"与第 {first_row[contact_hash]} 行的联系方式相同 "
                f"(the same contact as row {first_row[contact_hash]})",
                field=field,
            )
        first_row[contact_hash] = index
        claim = self.contact_claim(contact_hash)
        if claim is None:
            return None
        for holder in claim.holders:
            if self.sees_jurisdiction(caller, holder.jurisdiction_id):
                raise DuplicateContact(
                    "已有使用该联系方式的代表 "
                    "(a representative with this contact is already registered)",
                    field=field,
                    person_id=str(holder.person_id),
                    jurisdiction_id=str(holder.jurisdiction_id),
                )
        return claim

    def contact_claim(self, contact_hash: str) -> ContactClaim | None:
        try:
            claim: ContactClaim = self.repository.get(ContactClaim.id_for(contact_hash))
        except AggregateNotFoundError:
            return None
        return claim

    def contact_held_in_sight(self, caller: Caller, contact_hash: str) -> bool:
        """Whether a representative the caller may see has this contact (the import's dry
        run asks, as registration refuses)."""
        claim = self.contact_claim(contact_hash)
        return claim is not None and any(
            self.sees_jurisdiction(caller, holder.jurisdiction_id) for holder in claim.holders
        )
