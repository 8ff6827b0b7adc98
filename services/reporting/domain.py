"""Publication (发布) of campaign-round results: reporting's own decisions.

A round's results stay embargoed until an office publishes a final run. Each publication is
a version of the round's `Publication`; a correction is a later version with a reason, and
every earlier version stays on record as superseded. A withdrawal (撤回) takes a publication
made in error back out of public view: every version published before it is withdrawn, and
publishing the round again later is a new publication. The commands here validate; the
mutators only assign (old events must always load).
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.reporting.errors import (
    ALREADY_WITHDRAWN,
    CORRECTION_NEEDS_REASON,
    NOTHING_TO_WITHDRAW,
    RUN_NOT_FINAL,
    RUN_OF_ANOTHER_ROUND,
    RUN_REPLACED,
    WITHDRAWAL_NEEDS_REASON,
    AlreadyWithdrawn,
    CategoryNotFound,
    DigestMismatch,
    JurisdictionNotFound,
    NothingToWithdraw,
    NotPublished,
    PublicationChanged,
    PublicationWithdrawn,
    ReasonRequired,
    ReportingError,
    RoundNotFound,
    RoundNotScored,
    RoundRunNotFound,
    RunNotFinal,
    RunOfAnotherRound,
    RunReplaced,
)

# The errors are `errors`' (with their reasons); read through here as before they moved.
__all__ = [
    "AlreadyWithdrawn",
    "CategoryNotFound",
    "DigestMismatch",
    "JurisdictionNotFound",
    "NotPublished",
    "NothingToWithdraw",
    "Publication",
    "PublicationChanged",
    "PublicationWithdrawn",
    "ReasonRequired",
    "ReportingError",
    "RoundNotFound",
    "RoundNotScored",
    "RoundRunNotFound",
    "RunNotFinal",
    "RunOfAnotherRound",
    "RunReplaced",
    "check_publishable",
    "publication_id",
]

REPORTING_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/reporting")


def publication_id(campaign_id: UUID, round_number: int) -> UUID:
    return uuid5(REPORTING_NAMESPACE, f"publication|{campaign_id}|{round_number}")


class Publication(Aggregate):
    """Every publication of one campaign round, oldest first; the last is in force unless
    withdrawn since (`withdrawn`), and every withdrawal (`withdrawals`)."""

    class Started(Aggregate.Created):
        campaign_id: UUID
        round_number: int
        jurisdiction_id: UUID

    class Published(Aggregate.Event):
        campaign_id: UUID
        round_number: int
        jurisdiction_id: UUID
        version: int
        run_id: UUID
        results_digest: str
        snapshot_digest: str
        scheme: dict[str, Any]
        supersedes: int | None
        reason: str | None
        actor: str

    class Withdrawn(Aggregate.Event):
        """The publication in force taken out of public view; its time is the event's."""

        campaign_id: UUID
        round_number: int
        jurisdiction_id: UUID
        version: int
        run_id: UUID
        reason: str
        actor: str

    @classmethod
    def start(cls, campaign_id: UUID, round_number: int, jurisdiction_id: UUID) -> Publication:
        return cls(campaign_id, round_number, jurisdiction_id)

    @event(Started)
    def __init__(self, campaign_id: UUID, round_number: int, jurisdiction_id: UUID) -> None:
        self.campaign_id = campaign_id
        self.round_number = round_number
        self.jurisdiction_id = jurisdiction_id
        self.versions: list[dict[str, Any]] = []
        self.withdrawn: dict[str, Any] | None = None
        """The withdrawal in force, if any: set by `Withdrawn`, cleared by `Published`."""
        self.withdrawals: list[dict[str, Any]] = []

    @staticmethod
    def create_id(campaign_id: UUID, round_number: int, jurisdiction_id: UUID) -> UUID:
        return publication_id(campaign_id, round_number)

    @property
    def current(self) -> dict[str, Any] | None:
        return self.versions[-1] if self.versions else None

    @property
    def in_force(self) -> dict[str, Any] | None:
        """The version the public reads: the current one, unless it was withdrawn."""
        return None if self.withdrawn is not None else self.current

    def publish(
        self,
        run: dict[str, Any],
        snapshot_digest: str,
        round_final: str | None,
        actor: str,
        reason: str | None,
    ) -> bool:
        """Publishes the run (a view document of a `scoring.round.scored` run) as the next
        version; False when it is already the version in force (a retry). After a withdrawal
        nothing is in force: publishing again is a new publication, not a correction.
        `round_final` is the round's latest final run as reporting has seen it."""
        check_publishable(run, self.campaign_id, self.round_number)
        current = self.in_force
        if current is not None and current["run_id"] == run["run_id"]:
            # A repeat changes nothing, so it is answered even when a later final has come
            # since: refusing it would not take the version in force out of public view.
            return False
        check_not_replaced(run, round_final)
        if current is not None and not (reason or "").strip():
            raise ReasonRequired(CORRECTION_NEEDS_REASON, field="reason")
        self._published(
            campaign_id=self.campaign_id,
            round_number=self.round_number,
            jurisdiction_id=UUID(run["jurisdiction_id"]),
            version=len(self.versions) + 1,
            run_id=UUID(run["run_id"]),
            results_digest=run["results_digest"],
            snapshot_digest=snapshot_digest,
            scheme=dict(run["scheme"]),
            supersedes=None if current is None else current["version"],
            reason=(reason or "").strip() or None,
            actor=actor,
        )
        return True

    @event(Published)
    def _published(
        self,
        campaign_id: UUID,
        round_number: int,
        jurisdiction_id: UUID,
        version: int,
        run_id: UUID,
        results_digest: str,
        snapshot_digest: str,
        scheme: dict[str, Any],
        supersedes: int | None,
        reason: str | None,
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.withdrawn = None
        self.versions.append(
            {
                "version": version,
                "run_id": str(run_id),
                "results_digest": results_digest,
                "snapshot_digest": snapshot_digest,
                "scheme": scheme,
                "supersedes": supersedes,
                "reason": reason,
                "actor": actor,
            }
        )

    def withdraw(self, actor: str, reason: str) -> None:
        """Takes the publication in force out of public view (撤回), with a reason."""
        if not reason.strip():
            raise ReasonRequired(WITHDRAWAL_NEEDS_REASON, field="reason")
        if self.withdrawn is not None:
            raise AlreadyWithdrawn(
                ALREADY_WITHDRAWN,
                field="path.round_number",
                version=self.withdrawn["version"],
                withdrawal_reason=self.withdrawn["reason"],
            )
        current = self.current
        if current is None:
            raise NothingToWithdraw(NOTHING_TO_WITHDRAW, field="path.round_number")
        self._withdrawn(
            campaign_id=self.campaign_id,
            round_number=self.round_number,
            jurisdiction_id=self.jurisdiction_id,
            version=current["version"],
            run_id=UUID(current["run_id"]),
            reason=reason.strip(),
            actor=actor,
        )

    @event(Withdrawn)
    def _withdrawn(
        self,
        campaign_id: UUID,
        round_number: int,
        jurisdiction_id: UUID,
        version: int,
        run_id: UUID,
        reason: str,
        actor: str,
    ) -> None:
        withdrawal = {"version": version, "run_id": str(run_id), "reason": reason, "actor": actor}
        self.withdrawn = withdrawal
        self.withdrawals.append(withdrawal)


def check_publishable(run: dict[str, Any], campaign_id: UUID, round_number: int) -> None:
    if run["campaign_id"] != str(campaign_id) or run["round"] != round_number:
        raise RunOfAnotherRound(
            RUN_OF_ANOTHER_ROUND,
            field="run_id",
            campaign_id=run["campaign_id"],
            round=run["round"],
        )
    if not run["final"]:
        raise RunNotFinal(RUN_NOT_FINAL, field="run_id")


def check_not_replaced(run: dict[str, Any], round_final: str | None) -> None:
    """A final that a later final of the round replaced is no longer the round's result:
    scoring's current run, and the audit export, are the later one, so publishing the
    earlier would show the public a run nobody audits. Reporting judges by the finals it
    has seen (its `round_results` view, in the order scoring published them), which the
    publish route first brings up to scoring's head as of the request
    (`rounds.catch_up`), so a final recorded a moment ago is among them."""
    if round_final is not None and run["run_id"] != round_final:
        raise RunReplaced(RUN_REPLACED, field="run_id", current_run_id=round_final)
