"""Read models for campaigns and their enrolments, fed from the registry's own published log.

A campaign document has the shape the write side returns (application.campaigns.campaign_out);
an enrolment document adds its history. Unit names are not copied in: they are joined from
the units view when read (one query per page), so a renamed unit shows its current name.

Listing fields (not part of the API shapes): a campaign's `list_order` (newest cycle first,
then by name in dictionary (pinyin) order: `campaign_order`), the categories it ever enrolled
units in (`enrolled_categories`), and an enrolment's `list_order` (enrolment order) and
`is_key_target`, so lists filter and page in SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.registry.domain.unit_names import name_key
from shared.contracts import IntegrationMessage
from shared.contracts import registry_campaigns as contract
from shared.messaging.inbox import ViewHandler
from shared.text_order import pinyin_sort_text
from shared.views import Document, ViewReader, ViewTransaction

CAMPAIGNS = "campaigns"
ENROLMENTS = "campaign_enrolments"
ORDER_NAME_LIMIT = 100
"""Characters of a name the order compares (names may have 200): each becomes about ten
bytes of sort text, and the whole must stay inside PostgreSQL's limit for an index entry.
Names alike that far are ordered by id."""
_LATER_FIRST = str.maketrans("0123456789", "9876543210")


def campaign_order(starts_on: date, name: str) -> str:
    """Newest cycle first, then by name as a Chinese reader looks it up, in one text listed
    ascending: a date whose every digit d is written 9 - d sorts the later day first (a
    descending list would reverse the names too)."""
    newest_first = starts_on.isoformat().translate(_LATER_FIRST)
    return f"{newest_first}\u0001{pinyin_sort_text(name[:ORDER_NAME_LIMIT])}"


def enrolment_key(campaign_id: object, unit_id: object) -> str:
    return f"{campaign_id}:{unit_id}"


def _opened(tx: ViewTransaction, p: contract.CampaignOpened, m: IntegrationMessage) -> None:
    doc = p.model_dump(mode="json", exclude={"actor"}) | {
        "enrolment_counts": dict.fromkeys(p.categories, 0),
        "key_target_count": 0,
        "amendments": [],
        "opened_by": p.actor,
        "list_order": campaign_order(p.cycle.starts_on, p.name),
        "enrolled_categories": [],
    }
    tx.put(CAMPAIGNS, str(p.campaign_id), doc)


def _update_campaign(tx: ViewTransaction, campaign_id: object, change: dict[str, Any]) -> Document:
    doc = tx.get(CAMPAIGNS, str(campaign_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"campaign {campaign_id} was never opened")
    doc = doc | change
    tx.put(CAMPAIGNS, str(campaign_id), doc)
    return doc


def _amendment(kind: str, reason: str, actor: str) -> dict[str, str]:
    return {"kind": kind, "reason": reason, "actor": actor}


def _phases_amended(
    tx: ViewTransaction, p: contract.CampaignPhasesAmended, m: IntegrationMessage
) -> None:
    doc = tx.get(CAMPAIGNS, str(p.campaign_id)) or {}
    _update_campaign(
        tx,
        p.campaign_id,
        {
            "phases": [phase.model_dump(mode="json") for phase in p.phases],
            "amendments": [*doc.get("amendments", []), _amendment("phases", p.reason, p.actor)],
        },
    )


def _categories_amended(
    tx: ViewTransaction, p: contract.CampaignCategoriesAmended, m: IntegrationMessage
) -> None:
    doc = tx.get(CAMPAIGNS, str(p.campaign_id)) or {}
    counts = doc.get("enrolment_counts", {})
    _update_campaign(
        tx,
        p.campaign_id,
        {
            "categories": list(p.categories),
            "enrolment_counts": {c: counts.get(c, 0) for c in p.categories},
            "amendments": [
                *doc.get("amendments", []),
                _amendment("categories", p.reason, p.actor),
            ],
        },
    )


def _count(tx: ViewTransaction, campaign_id: object, category: str, by: int) -> None:
    doc = tx.get(CAMPAIGNS, str(campaign_id)) or {}
    counts = dict(doc.get("enrolment_counts", {}))
    counts[category] = counts.get(category, 0) + by
    _update_campaign(tx, campaign_id, {"enrolment_counts": counts})


def _key_targets(tx: ViewTransaction, campaign_id: object, by: int) -> None:
    doc = tx.get(CAMPAIGNS, str(campaign_id)) or {}
    _update_campaign(tx, campaign_id, {"key_target_count": doc.get("key_target_count", 0) + by})


def _history(m: IntegrationMessage, what: str, actor: str, **details: str) -> dict[str, str]:
    return {"event": what, "at": m.occurred_at.isoformat(), "actor": actor, **details}


def _put_enrolment(tx: ViewTransaction, key: str, doc: Document) -> None:
    tx.put(ENROLMENTS, key, doc | {"is_key_target": doc["key_target"] is not None})


def _enrolled(tx: ViewTransaction, p: contract.UnitEnrolled, m: IntegrationMessage) -> None:
    key = enrolment_key(p.campaign_id, p.unit_id)
    earlier = tx.get(ENROLMENTS, key)
    _put_enrolment(
        tx,
        key,
        {
            "campaign_id": str(p.campaign_id),
            "unit_id": str(p.unit_id),
            "category": p.category,
            "status": "enrolled",
            "withdrawn_reason": None,
            "key_target": None,
            # Listing order: the order units were (last) enrolled in.
            "sequence": m.position,
            "list_order": f"{m.position:020d}",
            "history": [
                *(earlier or {}).get("history", []),
                _history(m, "enrolled", p.actor, category=p.category),
            ],
        },
    )
    _count(tx, p.campaign_id, p.category, +1)
    campaign = tx.get(CAMPAIGNS, str(p.campaign_id)) or {}
    seen = campaign.get("enrolled_categories", [])
    if p.category not in seen:
        _update_campaign(tx, p.campaign_id, {"enrolled_categories": [*seen, p.category]})


def _change_enrolment(
    tx: ViewTransaction, campaign_id: object, unit_id: object, change: dict[str, Any], entry: Any
) -> Document:
    key = enrolment_key(campaign_id, unit_id)
    doc = tx.get(ENROLMENTS, key)
    if doc is None:
        raise LookupError(f"{unit_id} was never enrolled in {campaign_id}")
    _put_enrolment(tx, key, doc | change | {"history": [*doc["history"], entry]})
    return doc


def _withdrawn(tx: ViewTransaction, p: contract.UnitWithdrawn, m: IntegrationMessage) -> None:
    before = _change_enrolment(
        tx,
        p.campaign_id,
        p.unit_id,
        {"status": "withdrawn", "withdrawn_reason": p.reason, "key_target": None},
        _history(m, "withdrawn", p.actor, reason=p.reason),
    )
    _count(tx, p.campaign_id, before["category"], -1)
    if before["key_target"] is not None:
        _key_targets(tx, p.campaign_id, -1)


def _designated(
    tx: ViewTransaction, p: contract.KeyTargetDesignated, m: IntegrationMessage
) -> None:
    target = {
        "reason_code": p.reason_code,
        "reason_label": p.reason_label,
        "reason": p.reason,
        "designated_by": p.actor,
    }
    _change_enrolment(
        tx,
        p.campaign_id,
        p.unit_id,
        {"key_target": target},
        _history(m, "key_target_designated", p.actor, reason_code=p.reason_code, reason=p.reason),
    )
    _key_targets(tx, p.campaign_id, +1)


def _revoked(tx: ViewTransaction, p: contract.KeyTargetRevoked, m: IntegrationMessage) -> None:
    _change_enrolment(
        tx,
        p.campaign_id,
        p.unit_id,
        {"key_target": None},
        _history(m, "key_target_revoked", p.actor, reason=p.reason),
    )
    _key_targets(tx, p.campaign_id, -1)


HANDLERS: dict[Any, ViewHandler] = {
    contract.CampaignOpened: _opened,
    contract.CampaignPhasesAmended: _phases_amended,
    contract.CampaignCategoriesAmended: _categories_amended,
    contract.UnitEnrolled: _enrolled,
    contract.UnitWithdrawn: _withdrawn,
    contract.KeyTargetDesignated: _designated,
    contract.KeyTargetRevoked: _revoked,
}


class CampaignReadModel:
    """Queries over the documents above."""

    def __init__(self, views: ViewReader) -> None:
        self._views = views

    def campaign(self, campaign_id: str) -> Document | None:
        return self._views.get(CAMPAIGNS, campaign_id)

    def enrolment(self, campaign_id: str, unit_id: str) -> Document | None:
        return self._views.get(ENROLMENTS, enrolment_key(campaign_id, unit_id))

    def campaign_ids_in(self, jurisdiction_id: UUID) -> list[UUID]:
        """The campaigns of one jurisdiction (for the one-campaign-per-cycle rule, which
        finds campaigns opened before it claimed theirs here)."""
        where = {"jurisdiction_id": str(jurisdiction_id)}
        return [UUID(doc["campaign_id"]) for doc in self._views.everything(CAMPAIGNS, where=where)]

    def enrolments(self, campaign: Document) -> list[Document]:
        """All of them, in listing order, for an export (GET .../enrolments pages instead):
        every category's pages read as one state, or a unit enrolled, withdrawn or re-sorted
        between two reads is listed in neither or in two places (a snapshot only when longer
        than a page, `everything`)."""
        segments = enrolment_segments(campaign, {})
        with self._views.snapshot() as views:
            return [
                doc for _, where in segments for doc in views.everything(ENROLMENTS, where=where)
            ]


def enrolment_segments(
    campaign: Document, where: dict[str, str | set[str] | None]
) -> list[tuple[str, dict[str, str | set[str] | None]]]:
    """How a campaign's enrolments are listed: grouped by the campaign's category order (which
    an amendment may change, so it cannot be stored with each enrolment), each category in
    enrolment order, then those of categories since dropped (withdrawn units), in enrolment
    order. One (label, where) per group, for `Paging.fetch_in_turn`; "" labels the last.
    A `category` filter is compared as the campaign compares categories (`name_key`)."""
    base = {**where, "campaign_id": campaign["campaign_id"]}
    current = list(campaign["categories"])
    wanted = where.get("category")
    keys = None if wanted is None else {name_key(w) for w in _as_set(wanted)}

    def kept(category: str) -> bool:
        return keys is None or name_key(category) in keys

    segments = [(c, base | {"category": c}) for c in current if kept(c)]
    dropped = {c for c in campaign.get("enrolled_categories", []) if c not in current and kept(c)}
    if dropped:
        segments.append(("", base | {"category": dropped}))
    return segments


def _as_set(value: str | set[str]) -> set[str]:
    return {value} if isinstance(value, str) else value
