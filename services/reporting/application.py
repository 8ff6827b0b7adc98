"""Reporting's commands: publishing campaign-round results (发布) and correcting them.

A publication is recorded in reporting's own log, so who released which run, when and why
is on record for good, and the `reporting.results.published` message it publishes lets
anyone check a published report against scoring's log.
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.reporting.domain import Publication, PublicationChanged, publication_id
from shared.auth import Principal
from shared.service.application import PublishingApplication


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
        run: dict[str, Any],
        snapshot_digest: str,
        reason: str | None,
    ) -> tuple[dict[str, Any], bool]:
        """Publishes the final run as the round's next version; (the version, whether it is
        new). Publishing the version in force again changes nothing.

        Versions are numbered from the state read, so two replicas publishing the same round
        at once would both number theirs n + 1: the store keeps only the first save, and the
        other finds out here. When what won is the run asked for, the request was a retry
        (200, nothing new); otherwise it is a clean 409 naming the version now in force."""
        with self.lock:
            publication = self.publication(campaign_id, round_number)
            if publication is None:
                publication = Publication.start(
                    campaign_id, round_number, UUID(run["jurisdiction_id"])
                )
            created = publication.publish(run, snapshot_digest, caller.actor, reason)
            if created:
                try:
                    self.save(publication)
                except IntegrityError:
                    return self._after_conflict(campaign_id, round_number, run), False
        current = publication.current
        assert current is not None  # publish() either added a version or found it in force
        return dict(current), created

    def _after_conflict(
        self, campaign_id: UUID, round_number: int, run: dict[str, Any]
    ) -> dict[str, Any]:
        won = self.publication(campaign_id, round_number)
        current = None if won is None else won.current
        if current is not None and current["run_id"] == run["run_id"]:
            return dict(current)
        raise PublicationChanged(
            "another publication of this round was saved at the same time; read the "
            "round's publications and publish again if this run should replace it",
            field="run_id",
            version=None if current is None else current["version"],
            run_id=None if current is None else current["run_id"],
        )
