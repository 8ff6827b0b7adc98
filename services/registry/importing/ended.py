"""A unit a sheet names that exists but is no longer active (dissolved, merged, split):
found so that a refusal says what became of it, not that it is unknown."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.domain import Unit
from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import UnitNameClaim, code_key
from services.registry.importing.finding import ReadOnce, bears, code_shaped
from services.registry.importing.lookup import name_key


def ended_unit(
    text: str, jurisdictions: list[UUID], docs: list[dict[str, Any]], reads: ReadOnce
) -> Unit | None:
    """A unit of `jurisdictions` that bears `text` but is no longer active, judged by its own
    events: a 上级单位 or a 参评单位 no active unit bears may name one dissolved, merged or
    split, which exists and must not be imported again or enrolled. Candidates come from the
    event store first: the last holder of the name's (or code's) claim in each jurisdiction,
    so a unit registered and ended a moment ago, before the views had it, is found as ended;
    then the units the views (`docs`) list under the text (former and short names, units
    registered before claims existed)."""
    coded = code_shaped(text)
    key, code = name_key(text), canonical_credit_code(text)
    claim_ids = [UnitNameClaim.id_for(j, key) for j in jurisdictions]
    claim_ids += [UnitNameClaim.id_for(j, code_key(code)) for j in jurisdictions] if coded else []
    reads.fetch(claim_ids)
    listed = [UUID(doc["unit_id"]) for doc in docs if listed_as(doc, key, code)]
    candidates = list(dict.fromkeys([*reads.last_holders(claim_ids), *listed]))
    reads.fetch(candidates)
    for unit_id in candidates:
        found = reads.unit(unit_id)
        bearing = bears(found, text, False) or (coded and bears(found, code, True))
        if bearing and not found.is_active and found.jurisdiction_id in jurisdictions:
            return found
    return None


def listed_as(doc: dict[str, Any], key: str, code: str) -> bool:
    """Whether the view lists the unit under the name `key` or the credit code `code`."""
    names = (doc["name"], doc.get("short_name"), *(doc.get("aliases") or []))
    return doc.get("credit_code") == code or key in {name_key(n) for n in names if n}
