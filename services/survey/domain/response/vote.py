"""The public vote claim: one person, one unit, one campaign round."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.survey.domain.response.questionnaire import RESPONSE_NAMESPACE


class VoteClaim(Aggregate):
    """One person's vote on one unit in one campaign round (网上评议: 一人一单位一票). The
    person is known only by a keyed hash; the claim's id derives from it, so a second vote
    collides in the event store."""

    class Claimed(Aggregate.Created):
        wave_id: UUID
        response_id: UUID

    @event(Claimed)
    def __init__(self, wave_id: UUID, response_id: UUID) -> None:
        self.wave_id = wave_id
        self.response_id = response_id

    @staticmethod
    def create_id(round_key: str, voter_hash: str, unit_id: str) -> UUID:
        return uuid5(RESPONSE_NAMESPACE, f"vote|{round_key}|{voter_hash}|{unit_id}")

    @classmethod
    def claim(cls, round_key: str, voter_hash: str, unit_id: str, **fields: Any) -> VoteClaim:
        claim_id = cls.create_id(round_key, voter_hash, unit_id)
        return cls._create(cls.Claimed, id=claim_id, **fields)
