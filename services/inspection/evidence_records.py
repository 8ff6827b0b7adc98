"""Who uploaded an evidence file, and which findings named it: the record that decides who
may name a file on a finding and who may read it.

A file is stored once under its SHA-256 (services/inspection/evidence.py), but a hash is no
secret: anyone holding a copy of a photo can compute it. So knowing a hash grants nothing.
A file may be named on a finding only by a caller who uploaded it, or in whose jurisdiction
its uploader was when uploading it (an office names what its inspectors uploaded); it may be
read by those callers and by callers in whose jurisdiction a finding lies that named it
under that rule (`Named`). Everyone else gets the answer for a file that does not exist.

One record per file (its id derived from the hash), never published: an upload by a further
principal and each naming are further events. Files stored before records were kept (no
`Uploaded`) have no record at all: nobody but an admin or auditor reaches them until their
owner uploads them again, which records the uploader and stores nothing twice; findings that
named them before keep naming them but grant no reading (what they named was never checked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.principals import Authenticator, Principal

_NAMESPACE = uuid5(NAMESPACE_URL, "pingyi:inspection:evidence")


def evidence_record_id(sha256: str) -> UUID:
    return uuid5(_NAMESPACE, sha256)


@dataclass(frozen=True)
class Reach:
    """Whose files a caller reaches: its own uploads, and those made (or named on findings)
    in a jurisdiction within its own (`in_scope`); admins and auditors every file."""

    principal_id: UUID
    everything: bool
    in_scope: Callable[[UUID], bool]

    @classmethod
    def of(cls, caller: Principal, auth: Authenticator) -> Reach:
        return cls(
            caller.principal_id,
            caller.sees_everything,
            lambda place: auth.in_scope(caller, place),
        )


class EvidenceFile(Aggregate):
    """One stored file's uploaders and the findings that named it."""

    class Uploaded(Aggregate.Created):
        sha256: str
        content_type: str
        size: int
        principal_id: UUID
        jurisdiction_id: UUID | None
        actor: str

    class UploadedAgain(Aggregate.Event):
        """The same bytes uploaded by a further principal."""

        principal_id: UUID
        jurisdiction_id: UUID | None
        actor: str

    class Named(Aggregate.Event):
        """A finding (in `jurisdiction_id`) named the file, its uploader in the namer's reach."""

        finding_id: UUID
        jurisdiction_id: UUID
        actor: str

    @classmethod
    def upload(cls, sha256: str, content_type: str, size: int, uploader: Principal) -> EvidenceFile:
        return cls._create(
            cls.Uploaded,
            id=evidence_record_id(sha256),
            sha256=sha256,
            content_type=content_type,
            size=size,
            principal_id=uploader.principal_id,
            jurisdiction_id=uploader.jurisdiction_id,
            actor=uploader.actor,
        )

    @event(Uploaded)
    def __init__(
        self,
        sha256: str,
        content_type: str,
        size: int,
        principal_id: UUID,
        jurisdiction_id: UUID | None,
        actor: str,
    ) -> None:
        self.sha256 = sha256
        self.content_type = content_type
        self.size = size
        self.uploads: list[tuple[UUID, UUID | None]] = [(principal_id, jurisdiction_id)]
        self.namings: list[tuple[UUID, UUID]] = []

    def upload_again(self, uploader: Principal) -> None:
        """Records a further uploader; the same one again changes nothing."""
        if all(principal != uploader.principal_id for principal, _ in self.uploads):
            self._uploaded_again(
                principal_id=uploader.principal_id,
                jurisdiction_id=uploader.jurisdiction_id,
                actor=uploader.actor,
            )

    @event(UploadedAgain)
    def _uploaded_again(self, principal_id: UUID, jurisdiction_id: UUID | None, actor: str) -> None:
        self.uploads.append((principal_id, jurisdiction_id))

    def name_on(self, finding_id: UUID, jurisdiction_id: UUID, actor: str) -> None:
        self._named(finding_id=finding_id, jurisdiction_id=jurisdiction_id, actor=actor)

    @event(Named)
    def _named(self, finding_id: UUID, jurisdiction_id: UUID, actor: str) -> None:
        self.namings.append((finding_id, jurisdiction_id))

    def nameable_by(self, reach: Reach) -> bool:
        """The caller, or someone in its jurisdiction, uploaded it."""
        return reach.everything or any(
            principal == reach.principal_id or (place is not None and reach.in_scope(place))
            for principal, place in self.uploads
        )

    def readable_by(self, reach: Reach) -> bool:
        return self.nameable_by(reach) or any(reach.in_scope(place) for _, place in self.namings)
