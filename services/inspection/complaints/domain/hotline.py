"""A unit on the conduct hotline (政风行风热线上线): one recorded appearance, counted toward
a campaign's round when the office names one."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.complaints.domain.rules import TOPIC_MAX, counted_in
from services.inspection.dates import Window, not_future, within
from services.inspection.errors import InspectionError, checked_text
from shared.errors import InvalidError


class InvalidHotlineAppearance(InspectionError, InvalidError):
    code = "invalid_hotline_appearance"


def _topic(topic: str | None) -> str | None:
    if topic is None or not topic.strip():
        return None
    return checked_text(topic, "topic", TOPIC_MAX, InvalidHotlineAppearance)


class HotlineAppearance(Aggregate):
    """A unit on the conduct hotline (政风行风热线上线) on a day, recorded by an office."""

    class Recorded(Aggregate.Created):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID | None
        round: int | None
        appeared_on: str
        topic: str | None
        actor: str

    @classmethod
    def record(
        cls,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        appeared_on: date,
        topic: str | None,
        actor: str,
        today: date,
        window: Window | None = None,
    ) -> HotlineAppearance:
        """`window`: the campaign round's days (its cycle's, with no round named)."""
        day = not_future(appeared_on, today, "appeared_on", InvalidHotlineAppearance)
        within(day, window, "appeared_on", InvalidHotlineAppearance)
        campaign, counted_round = counted_in(campaign_id, round, InvalidHotlineAppearance)
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign,
            round=counted_round,
            appeared_on=day.isoformat(),
            topic=_topic(topic),
            actor=actor,
        )

    @event(Recorded)
    def __init__(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        appeared_on: str,
        topic: str | None,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.round = round
        self.appeared_on = appeared_on
        self.topic = topic
        self.recorded_by = actor
