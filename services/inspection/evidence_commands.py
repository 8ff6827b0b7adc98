"""Evidence commands (a mixin of InspectionApplication): who uploaded a file, who may name
it on a finding, and writes naming files that keep going while others upload them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.inspection.domain import InvalidFinding, evidence_hashes
from services.inspection.evidence import EvidenceStore, evidence_dir
from services.inspection.evidence_records import EvidenceFile, Reach, evidence_record_id
from shared.idempotency import Response
from shared.principals import Principal as Caller
from shared.service.application import PublishingApplication


@dataclass
class Naming:
    """What one attempt at a write naming files read, by id, at the version it read:
    the files' records, and the aggregate the write is about (a finding gaining files)."""

    files: dict[UUID, int] = field(default_factory=dict)
    subject: dict[UUID, int] = field(default_factory=dict)


class EvidenceCommands(PublishingApplication):
    @cached_property
    def evidence_store(self) -> EvidenceStore:
        return EvidenceStore(evidence_dir(self.env))

    def evidence_file(self, sha256: str) -> EvidenceFile | None:
        """The file's record of uploaders and namings; None for a file never uploaded, or
        stored before records were kept."""
        try:
            found: Any = self.repository.get(evidence_record_id(sha256))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, EvidenceFile) else None

    def record_upload(self, uploader: Caller, sha256: str, content_type: str, size: int) -> None:
        """The uploader of a file just stored, however many upload it at once: a conflict
        means another writer's event landed first, so the record is read again with it and
        this uploader added to that (the same one twice changes nothing). Retried only
        while the record moves on, so there is no bound to exceed under contention and no
        endless loop when a conflict has some other cause."""
        seen: int | None = None
        while True:
            record = self.evidence_file(sha256)
            if record is None:
                record = EvidenceFile.upload(sha256, content_type, size, uploader)
            else:
                record.upload_again(uploader)
            if not record.pending_events:
                return
            version = record.pending_events[0].originator_version
            if version == seen:  # nothing landed since the last conflict: not a race
                raise IntegrityError(f"the record of evidence {sha256} cannot be written")
            seen = version
            try:
                self.save(record)
                return
            except IntegrityError:
                continue

    def evidence_readable(self, sha256: str, reach: Reach) -> bool:
        record = self.evidence_file(sha256)
        return reach.everything or (record is not None and record.readable_by(reach))

    def nameable_evidence(
        self, hashes: Sequence[str], reach: Reach | None, naming: Naming
    ) -> list[EvidenceFile]:
        """The records of the files a finding is to name: each uploaded by the caller or in
        its jurisdiction. Any other file is refused exactly as one never uploaded, so a hash
        cannot be used to learn that a file exists elsewhere. Each record's version is
        noted in `naming`, for `naming_files`."""
        checked = evidence_hashes(hashes)
        records = [self.evidence_file(h) for h in checked]
        refused = [
            h
            for h, record in zip(checked, records, strict=True)
            if reach is None
            or record is None
            or not record.nameable_by(reach)
            or not self.evidence_store.has(h)
        ]
        if refused:
            raise InvalidFinding(
                "请先上传每个文件 (POST /evidence), 问题记录只能引用你本人或你辖区内上传的文件 "
                "(upload each file first (POST /evidence): a finding names only files "
                "uploaded by you or within your jurisdiction)",
                field="evidence",
                files=refused,
            )
        found = [record for record in records if record is not None]
        naming.files |= {record.id: record.version for record in found}
        return found

    def naming_files(self, write: Callable[[Naming], Response]) -> Response:
        """`write` (a finding naming files, saved with their records so that a finding never
        names a file its readers cannot read), run again when it lost only to a change of
        one of those records: an upload of the same file by someone else, or another
        finding naming it. Neither is a conflict with this write, and running it again
        applies it to the record as it now stands. A conflict on the finding itself, or
        one where no record moved, is the caller's: retried only while the records move
        on, so never endlessly."""
        while True:
            naming = Naming()
            try:
                return write(naming)
            except IntegrityError:
                if not (self._moved(naming.files) and not self._moved(naming.subject)):
                    raise

    def _moved(self, read: dict[UUID, int]) -> bool:
        for aggregate_id, version in read.items():
            try:
                if self.repository.get(aggregate_id).version != version:
                    return True
            except AggregateNotFoundError:
                return True
        return False


def named(
    files: list[EvidenceFile], finding_id: UUID, jurisdiction_id: UUID, actor: str
) -> list[EvidenceFile]:
    """Each file's record, noting the finding that names it: callers in the finding's
    jurisdiction read the file from now on."""
    for record in files:
        record.name_on(finding_id, jurisdiction_id, actor)
    return files
