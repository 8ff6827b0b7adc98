"""Aggregates of campaign-round scoring. Mutators never validate: the commands in
`rounds.application` do (refusing with `rounds.errors`), and old events must always load."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.scoring.domain import SCORING_NAMESPACE

# Re-exported: the commands, the API and the audit export find the refusals here.
from services.scoring.rounds.errors import CampaignNotFound as CampaignNotFound
from services.scoring.rounds.errors import FinalNeedsReason as FinalNeedsReason
from services.scoring.rounds.errors import RoundNotFound as RoundNotFound
from services.scoring.rounds.errors import RoundRunNotFound as RoundRunNotFound
from services.scoring.rounds.errors import SchemeIdTaken as SchemeIdTaken
from services.scoring.rounds.errors import SchemeInvalid as SchemeInvalid
from services.scoring.rounds.errors import SchemeNotAssigned as SchemeNotAssigned
from services.scoring.rounds.errors import SchemeNotFound as SchemeNotFound
from services.scoring.rounds.errors import SchemeShipped as SchemeShipped
from services.scoring.rounds.errors import SchemeVersionTaken as SchemeVersionTaken
from services.scoring.rounds.run_ids import round_run_id as round_run_id


def scheme_record_id(scheme_id: str, version: int) -> UUID:
    return uuid5(SCORING_NAMESPACE, f"scheme|{scheme_id}|{version}")


def campaign_scheme_id(campaign_id: UUID) -> UUID:
    return uuid5(SCORING_NAMESPACE, f"campaign-scheme|{campaign_id}")


def input_batch_id(upstream: str, first_position: int) -> UUID:
    return uuid5(SCORING_NAMESPACE, f"inputs|{upstream}|{first_position}")


def round_runs_id(campaign_id: UUID, round_number: int) -> UUID:
    return uuid5(SCORING_NAMESPACE, f"round-runs|{campaign_id}|{round_number}")


class SchemeRecord(Aggregate):
    """A scheme document registered by an office, pinned by its content hash.

    `jurisdiction_id` is the jurisdiction the scheme id belongs to: that of the office that
    registered its first version (None: an admin's, or a version registered before owners
    were recorded — v1 events — which no office owns)."""

    class Registered(Aggregate.Created):
        class_version = 2
        scheme_id: str
        version: int
        document: dict[str, Any]
        scheme_hash: str
        actor: str
        reason: str
        jurisdiction_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Registered before owners were recorded: no office owns the scheme id.
            state["jurisdiction_id"] = None

    @event(Registered)
    def __init__(
        self,
        scheme_id: str,
        version: int,
        document: dict[str, Any],
        scheme_hash: str,
        actor: str,
        reason: str,
        jurisdiction_id: str | None,
    ) -> None:
        self.scheme_id = scheme_id
        self.version = version
        self.document = document
        self.scheme_hash = scheme_hash
        self.actor = actor
        self.reason = reason
        self.jurisdiction_id = jurisdiction_id

    @staticmethod
    def create_id(
        scheme_id: str,
        version: int,
        *args: Any,
        **kwargs: Any,
    ) -> UUID:
        return scheme_record_id(scheme_id, version)


class SchemeCatalogue(Aggregate):
    """Every registered (scheme_id, version), in registration order: what GET /schemes lists
    without scanning the log."""

    @event("Started")
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    @staticmethod
    def create_id() -> UUID:
        return uuid5(SCORING_NAMESPACE, "scheme-catalogue")

    @event("Listed")
    def listed(self, scheme_id: str, version: int, scheme_hash: str, title: str) -> None:
        self.entries.append(
            {"scheme_id": scheme_id, "version": version, "scheme_hash": scheme_hash, "title": title}
        )


class CampaignScheme(Aggregate):
    """Which scheme version a campaign is scored by; every assignment is kept."""

    @event("Assigned")
    def __init__(
        self,
        campaign_id: UUID,
        scheme_id: str,
        version: int,
        scheme_hash: str,
        actor: str,
        reason: str,
        replaces: str | None = None,
    ) -> None:
        self.campaign_id = campaign_id
        self.assignments: list[dict[str, Any]] = []
        self._assign(scheme_id, version, scheme_hash, actor, reason)

    @staticmethod
    def create_id(
        campaign_id: UUID,
        scheme_id: str,
        version: int,
        scheme_hash: str,
        actor: str,
        reason: str,
    ) -> UUID:
        return campaign_scheme_id(campaign_id)

    @event("Reassigned")
    def reassign(
        self, scheme_id: str, version: int, scheme_hash: str, actor: str, reason: str
    ) -> None:
        self._assign(scheme_id, version, scheme_hash, actor, reason)

    def _assign(
        self, scheme_id: str, version: int, scheme_hash: str, actor: str, reason: str
    ) -> None:
        self.assignments.append(
            {
                "scheme_id": scheme_id,
                "version": version,
                "scheme_hash": scheme_hash,
                "actor": actor,
                "reason": reason,
            }
        )

    @property
    def current(self) -> dict[str, Any]:
        return self.assignments[-1]


class InputBatch(Aggregate):
    """The upstream messages of one consumed batch that the engine folds, as received
    (encoded messages): the round runs' inputs, in scoring's own log."""

    class Received(Aggregate.Created):
        upstream: str
        messages: list[dict[str, Any]]

    @event(Received)
    def __init__(self, upstream: str, messages: list[dict[str, Any]]) -> None:
        self.upstream = upstream
        self.messages = messages

    @staticmethod
    def create_id(upstream: str, messages: list[dict[str, Any]]) -> UUID:
        return input_batch_id(upstream, int(messages[0]["position"]))


class RoundRun(Aggregate):
    """One computation of a campaign round by the engine, with what it was computed from.

    `replaces`: the final run this final replaced as the round's result (v2; None for a
    provisional run, a round's first final, and every run recorded before v2)."""

    class Computed(Aggregate.Created):
        class_version = 2
        campaign_id: UUID
        round_number: int
        jurisdiction_id: UUID
        final: bool
        scheme: dict[str, Any]
        upstream_positions: dict[str, int]
        inputs_digest: str
        results: dict[str, Any]
        results_digest: str
        trigger: str
        actor: str
        reason: str
        replaces: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Recorded before finals said what they replaced: not known from the event.
            state["replaces"] = None

    @event(Computed)
    def __init__(
        self,
        campaign_id: UUID,
        round_number: int,
        jurisdiction_id: UUID,
        final: bool,
        scheme: dict[str, Any],
        upstream_positions: dict[str, int],
        inputs_digest: str,
        results: dict[str, Any],
        results_digest: str,
        trigger: str,
        actor: str,
        reason: str,
        replaces: str | None = None,
    ) -> None:
        self.campaign_id = campaign_id
        self.round_number = round_number
        self.jurisdiction_id = jurisdiction_id
        self.final = final
        self.scheme = scheme
        self.upstream_positions = upstream_positions
        self.inputs_digest = inputs_digest
        self.results = results
        self.results_digest = results_digest
        self.trigger = trigger
        self.actor = actor
        self.reason = reason
        self.replaces = replaces

    @staticmethod
    def create_id(
        campaign_id: UUID,
        round_number: int,
        jurisdiction_id: UUID,
        final: bool,
        scheme: dict[str, Any],
        upstream_positions: dict[str, int],
        *args: Any,
        **kwargs: Any,
    ) -> UUID:
        """The same round, scheme, inputs and finality always name the same run."""
        return round_run_id(campaign_id, round_number, final, scheme, upstream_positions)

    @classmethod
    def computed(cls, run_id: UUID, **fields: Any) -> RoundRun:
        """A run under the id given (`round_run_id`, which may name the final it supersedes)."""
        return cls._create(cls.Computed, id=run_id, **fields)


class RoundRuns(Aggregate):
    """A round's runs in the order they were computed (lists without scanning the log)."""

    @event("Started")
    def __init__(self, campaign_id: UUID, round_number: int) -> None:
        self.campaign_id = campaign_id
        self.round_number = round_number
        self.run_ids: list[str] = []
        self.final_run_id: str | None = None

    @staticmethod
    def create_id(campaign_id: UUID, round_number: int) -> UUID:
        return round_runs_id(campaign_id, round_number)

    @event("RunAdded")
    def add(self, run_id: str, final: bool) -> None:
        self.run_ids.append(run_id)
        if final:
            self.final_run_id = run_id
