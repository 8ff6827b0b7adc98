"""Every service's copy of campaigns, enrolments and key evaluation targets (重点评议对象),
fed from the registry's published log alongside the rest of the registry copy, so that
scoring and reporting can see who is enrolled in which category and who is singled out."""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.registry_campaigns import (
    CampaignCategoriesAmended,
    CampaignOpened,
    KeyTargetDesignated,
    KeyTargetRevoked,
    UnitEnrolled,
    UnitWithdrawn,
)
from shared.contracts.registry_people import (
    PanelDrawn,
    RepresentativeAppointed,
    RepresentativeDisqualified,
)
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, ViewStore, ViewTransaction

CAMPAIGNS = "copy_campaigns"
ENROLMENTS = "copy_enrolments"
PANELS = "copy_panels"
APPOINTMENTS = "copy_appointments"
DISQUALIFIED = "copy_disqualified"
CAMPAIGN_COLLECTIONS = (
    Collection(CAMPAIGNS, index=("jurisdiction_id",), sort="name", sort_as="pinyin"),
    Collection(ENROLMENTS, index=("campaign_id", "unit_id", "status")),
    Collection(PANELS, index=("campaign_id", "jurisdiction_id")),
    Collection(APPOINTMENTS, index=("body_id", "cycle"), sort="person_id"),
    Collection(DISQUALIFIED),
)


def _key(campaign_id: object, unit_id: object) -> str:
    return f"{campaign_id}|{unit_id}"


def _opened(tx: ViewTransaction, p: CampaignOpened, m: IntegrationMessage) -> None:
    tx.put(
        CAMPAIGNS,
        str(p.campaign_id),
        {
            "campaign_id": str(p.campaign_id),
            "jurisdiction_id": str(p.jurisdiction_id),
            "name": p.name,
            "pattern": p.pattern.code,
            "categories": list(p.categories),
            "round_windows": [w.model_dump(mode="json") for w in p.cycle.round_windows],
        },
    )


def _categories(tx: ViewTransaction, p: CampaignCategoriesAmended, m: IntegrationMessage) -> None:
    doc = tx.get(CAMPAIGNS, str(p.campaign_id))
    if doc is not None:
        tx.put(CAMPAIGNS, str(p.campaign_id), doc | {"categories": list(p.categories)})


def _enrolled(tx: ViewTransaction, p: UnitEnrolled, m: IntegrationMessage) -> None:
    tx.put(
        ENROLMENTS,
        _key(p.campaign_id, p.unit_id),
        {
            "campaign_id": str(p.campaign_id),
            "unit_id": str(p.unit_id),
            "category": p.category,
            "status": "enrolled",
            "key_target": None,
        },
    )


def _update(tx: ViewTransaction, campaign_id: object, unit_id: object, **changes: Any) -> None:
    doc = tx.get(ENROLMENTS, _key(campaign_id, unit_id))
    if doc is not None:
        tx.put(ENROLMENTS, _key(campaign_id, unit_id), doc | changes)


def _withdrawn(tx: ViewTransaction, p: UnitWithdrawn, m: IntegrationMessage) -> None:
    # The registry ends a key-target designation together with the enrolment.
    _update(tx, p.campaign_id, p.unit_id, status="withdrawn", key_target=None)


def _designated(tx: ViewTransaction, p: KeyTargetDesignated, m: IntegrationMessage) -> None:
    target = {"reason_code": p.reason_code, "reason_label": p.reason_label, "reason": p.reason}
    _update(tx, p.campaign_id, p.unit_id, key_target=target)


def _revoked(tx: ViewTransaction, p: KeyTargetRevoked, m: IntegrationMessage) -> None:
    _update(tx, p.campaign_id, p.unit_id, key_target=None)


def _panel(tx: ViewTransaction, p: PanelDrawn, m: IntegrationMessage) -> None:
    """Who was drawn: a representative evaluation wave takes its voters from here."""
    tx.put(
        PANELS,
        str(p.draw_id),
        {
            "draw_id": str(p.draw_id),
            "jurisdiction_id": str(p.jurisdiction_id),
            "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
            "cycle": p.cycle,
            "chosen": [str(person) for person in p.chosen],
        },
    )


def _appointed(tx: ViewTransaction, p: RepresentativeAppointed, m: IntegrationMessage) -> None:
    """Who sits on an office's or a department's panel in a cycle (聘任的评议代表)."""
    tx.put(
        APPOINTMENTS,
        f"{p.body_id}|{p.cycle}|{p.person_id}",
        {
            "body_id": str(p.body_id),
            "body_kind": p.body_kind,
            "cycle": p.cycle,
            "person_id": str(p.person_id),
            "purpose": p.purpose,
        },
    )


def _disqualified(
    tx: ViewTransaction, p: RepresentativeDisqualified, m: IntegrationMessage
) -> None:
    tx.put(DISQUALIFIED, str(p.person_id), {"person_id": str(p.person_id), "reason": p.reason})


CAMPAIGN_VIEW_HANDLERS: dict[Any, ViewHandler] = {
    CampaignOpened: _opened,
    CampaignCategoriesAmended: _categories,
    UnitEnrolled: _enrolled,
    UnitWithdrawn: _withdrawn,
    KeyTargetDesignated: _designated,
    KeyTargetRevoked: _revoked,
    PanelDrawn: _panel,
    RepresentativeAppointed: _appointed,
    RepresentativeDisqualified: _disqualified,
}


class CampaignView:
    def __init__(self, views: ViewStore) -> None:
        self._views = views

    def campaign(self, campaign_id: str) -> dict[str, Any] | None:
        return self._views.get(CAMPAIGNS, campaign_id)

    def enrolments(self, campaign_id: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self._views.scan(ENROLMENTS, f"{campaign_id}|")]

    def panel(self, draw_id: str) -> dict[str, Any] | None:
        return self._views.get(PANELS, draw_id)

    def appointed(self, body_id: str, cycle: str) -> list[str]:
        """The people appointed to a body's panel for a cycle and not disqualified since."""
        where = {"body_id": body_id, "cycle": cycle}
        # One state for both reads: a member disqualified and replaced meanwhile would
        # otherwise be left out with the replacement missing (a panel one short).
        with self._views.snapshot() as views:
            people = [doc["person_id"] for doc in views.everything(APPOINTMENTS, where=where)]
            out = views.get_many(DISQUALIFIED, people)
        return [person for person in people if person not in out]

    def enrolment(self, campaign_id: str, unit_id: str) -> dict[str, Any] | None:
        return self._views.get(ENROLMENTS, _key(campaign_id, unit_id))

    def key_targets(self, campaign_id: str) -> list[dict[str, Any]]:
        return [
            doc
            for doc in self.enrolments(campaign_id)
            if doc["status"] == "enrolled" and doc["key_target"] is not None
        ]
