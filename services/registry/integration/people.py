"""Published facts about representatives. The contact hash and sealed copy stay internal."""

from __future__ import annotations

from typing import Any, cast

from services.registry.domain.people import Person
from shared.contracts import IntegrationPayload
from shared.contracts import registry_people as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Person.Registered):
        return contract.RepresentativeRegistered(
            person_id=domain_event.originator_id,
            jurisdiction_id=domain_event.jurisdiction_id,
            name=domain_event.name,
            sector=cast(contract.Sector, domain_event.sector),
            has_contact=domain_event.contact_hash is not None,
            actor=domain_event.actor,
        )
    if isinstance(domain_event, Person.Appointed):
        return contract.RepresentativeAppointed(
            person_id=domain_event.originator_id,
            body_kind=cast(Any, domain_event.body_kind),
            body_id=domain_event.body_id,
            cycle=domain_event.cycle,
            purpose=cast(contract.Purpose, domain_event.purpose),
            actor=domain_event.actor,
        )
    if isinstance(domain_event, Person.Disqualified):
        return contract.RepresentativeDisqualified(
            person_id=domain_event.originator_id,
            reason=domain_event.reason,
            actor=domain_event.actor,
        )
    return None
