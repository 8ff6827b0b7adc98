"""Reporting's commands: publishing campaign-round results (发布), correcting them, and
withdrawing (撤回) a publication made in error.

A publication is recorded in reporting's own log, so who released which run, when and why
is on record for good, and the `reporting.results.published` message it publishes lets
anyone check a published report against scoring's log; a withdrawal likewise, as
`reporting.results.withdrawn`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.reporting.domain import Publication, publication_id
from services.reporting.errors import (
    CHANGED_BEFORE_WITHDRAWAL,
    NOTHING_TO_WITHDRAW,
    PUBLISHED_AT_ONCE,
    WITHDRAWN_AT_ONCE,
    AlreadyWithdrawn,
    NothingToWithdraw,
    PublicationChanged,
)
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal
from shared.service.application import PublishingApplication

Release = Callable[[], tuple[dict[str, Any], str, str | None]]
"""What a publication releases, read when the command runs (not for a keyed retry, which
answers from its record): the run's view document, its snapshot digest, and the round's
latest final run as the view knows it (a run replaced since may not be published)."""

IDEMPOTENCY_SCOPE = "publication"
"""One scope for every round: a key names one publication request of its caller, and the
same key sent for another round is another request (409), not a second publication."""
WITHDRAWAL_SCOPE = "publication-withdrawal"
"""Withdrawals' keys, apart from publications': a key names one withdrawal request."""


class ReportingApplication(PublishingApplication):
    name = "reporting"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        # One publication at a time per process; across processes (replicas) the event
        # store's unique (aggregate, version) key decides, see `publish`.
        self.lock = threading.Lock()

    def publication(self, campaign_id: UUID, round_number: int) -> Publication | None:
        try:
            found: Any = self.repository.get(publication_id(campaign_id, round_number))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Publication) else None

    def publish(
        self,
        caller: Principal,
        campaign_id: UUID,
        round_number: int,
        release: Release,
        reason: str | None,
        *,
        key: str | None = None,
        request: dict[str, Any] | None = None,
        catch_up: Callable[[], None] | None = None,
    ) -> Response:
        """Publishes the final run `release` reads as the round's next version; answers
        `{"status_code": 201 or 200, "body": the version}`. Publishing the version in force
        again changes nothing (200). With an Idempotency-Key the first answer is recorded
        with the publication, and a retry gets it back instead of publishing again: a
        retried first publication must not undo a correction made since.

        Versions are numbered from the state read, so two replicas publishing the same round
        at once would both number theirs n + 1: the store keeps only the first save, and the
        other finds out here. When what won is the run asked for, the request was a retry
        (200, nothing new); otherwise it is a clean 409 naming the version now in force.

        `catch_up`: makes sure what `release` reads is current (reporting has applied
        scoring's log up to its head, `rounds.catch_up`), or raises. It may wait, so it runs
        before the lock is taken, and not for a keyed retry, which answers its first answer
        whatever scoring's log holds now."""
        released: list[dict[str, Any]] = []

        def command(_: None = None) -> tuple[list[Any], Response]:
            run, snapshot_digest, round_final = release()
            released.append(run)
            publication = self.publication(campaign_id, round_number)
            if publication is None:
                publication = Publication.start(
                    campaign_id, round_number, UUID(run["jurisdiction_id"])
                )
            created = publication.publish(run, snapshot_digest, round_final, caller.actor, reason)
            answer = {"status_code": 201 if created else 200, "body": version_out(publication)}
            return ([publication] if created else []), answer

        try:
            return run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope=IDEMPOTENCY_SCOPE,
                key=key,
                request=request or {},
                command=command,
                prepare=catch_up or _nothing,
                lock=self.lock,
            )
        except IntegrityError:
            # Not the key's record (run_idempotent replays that): the round's.
            with self.lock:
                won = self._after_conflict(campaign_id, round_number, released[-1])
            return {"status_code": 200, "body": version_out(won)}

    def _after_conflict(
        self, campaign_id: UUID, round_number: int, run: dict[str, Any]
    ) -> Publication:
        won = self.publication(campaign_id, round_number)
        current = None if won is None else won.in_force
        if won is not None and current is not None and current["run_id"] == run["run_id"]:
            return won
        raise PublicationChanged(
            PUBLISHED_AT_ONCE,
            field="run_id",
            version=None if current is None else current["version"],
            run_id=None if current is None else current["run_id"],
        )

    def withdraw(
        self,
        caller: Principal,
        campaign_id: UUID,
        round_number: int,
        reason: str,
        *,
        key: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> Response:
        """撤回: takes the round's publication in force out of public view; answers
        `{"status_code": 201, "body": the withdrawal}`. Nothing published, or withdrawn
        already, is a 409: a withdrawal is never a silent no-op, since it is what the public
        is told. A keyed retry answers its first answer. A replica that saved first decides
        as for publications: the loser reads what won and is refused by it."""

        def command() -> tuple[list[Any], Response]:
            publication = self.publication(campaign_id, round_number)
            if publication is None:
                raise NothingToWithdraw(NOTHING_TO_WITHDRAW, field="path.round_number")
            publication.withdraw(caller.actor, reason)
            return [publication], {"status_code": 201, "body": withdrawal_out(publication)}

        def attempt() -> Response:
            return run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope=WITHDRAWAL_SCOPE,
                key=key,
                request=request or {},
                command=command,
            )

        with self.lock:
            try:
                try:
                    return attempt()
                except AlreadyWithdrawn:
                    if key is None:
                        raise
                    # The same keyed request, sent to another replica too, may have withdrawn
                    # the round between this one's look at the key and its read of the round:
                    # the key's record, saved with that withdrawal, is then this request's
                    # answer. Another request's withdrawal is refused again, as it was.
                    return attempt()
            except IntegrityError:
                won = self.publication(campaign_id, round_number)
                if won is not None and won.withdrawn is not None:
                    raise AlreadyWithdrawn(
                        WITHDRAWN_AT_ONCE,
                        field="path.round_number",
                        version=won.withdrawn["version"],
                        withdrawal_reason=won.withdrawn["reason"],
                    ) from None
                current = None if won is None else won.current
                raise PublicationChanged(
                    CHANGED_BEFORE_WITHDRAWAL,
                    field="path.round_number",
                    version=None if current is None else current["version"],
                    run_id=None if current is None else current["run_id"],
                ) from None


def _nothing() -> None:
    return None


def withdrawal_out(publication: Publication) -> dict[str, Any]:
    """The withdrawal in force as the route answers it; its time is the aggregate's last
    event's, the `Withdrawn` (the view's `withdrawn_at`, read from its message)."""
    withdrawn = publication.withdrawn
    assert withdrawn is not None  # withdraw() either withdrew or raised
    return {
        "campaign_id": str(publication.campaign_id),
        "round": publication.round_number,
        "version": withdrawn["version"],
        "run_id": withdrawn["run_id"],
        "reason": withdrawn["reason"],
        "withdrawn_by": withdrawn["actor"],
        "withdrawn_at": publication.modified_on.astimezone(UTC).isoformat(),
        "status": "withdrawn",
    }


def version_out(publication: Publication) -> dict[str, Any]:
    """The version in force as the publications route shows it. Its time is the time of the
    aggregate's last event, which is that version's `Published` (the view's `published_at`,
    read from the same event's message)."""
    current = publication.current
    assert current is not None  # publish() either added a version or found it in force
    return {
        **{key: value for key, value in current.items() if key != "actor"},
        "campaign_id": str(publication.campaign_id),
        "round": publication.round_number,
        "published_by": current["actor"],
        "published_at": publication.modified_on.astimezone(UTC).isoformat(),
        "status": "current",
    }
