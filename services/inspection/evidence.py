"""Evidence files (photos, recordings, documents) stored content-addressed by SHA-256.

An upload is read in chunks into a temporary file in the store's directory while it is
hashed and counted, then moved into place under its hash (an atomic rename, so a reader
never sees half a file); a file already there is kept as it is. Each file has a sidecar
`<hash>.type` with its content type. A download hashes the file again before sending it,
so a file changed on disk is refused (409 evidence_corrupted) rather than shown altered.

Where: `PINGYI_INSPECTION_EVIDENCE_DIR`; by default `<data dir>/evidence` in embedded mode
(beside inspection.sqlite), a temporary directory in memory mode, and `pingyi-data/evidence`
otherwise. Production replicas behind one address need that directory on a shared volume
(or one replica serving evidence): a file uploaded through one replica must be found by the
others when a finding names it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal, get_args

from services.inspection.errors import InspectionError, InspectionNotFound
from shared.choices import Choices
from shared.errors import ConflictError, InvalidError

MiB = 1024 * 1024
EVIDENCE_LIMIT = 20 * MiB
CHUNK = 64 * 1024
EvidenceType = Literal["image/jpeg", "image/png", "audio/mpeg", "audio/mp4", "application/pdf"]
EVIDENCE_TYPES: tuple[str, ...] = get_args(EvidenceType)
EVIDENCE_NAMES = Choices(
    {
        "image/jpeg": "JPEG 图片",
        "image/png": "PNG 图片",
        "audio/mpeg": "MP3 录音",
        "audio/mp4": "M4A 录音",
        "application/pdf": "PDF 文件",
    }
)
"""Said in a refusal only: a Content-Type header is a media type, and only that is read."""
ENV_KEY = "PINGYI_INSPECTION_EVIDENCE_DIR"
HEAD = 16
"""Bytes of a file's start kept to check it is what its Content-Type says."""
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff"}
"""A browser shows an evidence file only as the type it was checked to be, never sniffs
another (an "image" that is really HTML must not run as a page of this origin)."""


EVIDENCE_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "description": "The file itself as the request body (not multipart), at most "
        f"{EVIDENCE_LIMIT // MiB} MB, its type in Content-Type: a photo (JPEG, PNG), a "
        "recording (MP3, M4A) or a document (PDF). 证据文件本身作为请求体.",
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}} for kind in EVIDENCE_TYPES
        },
    }
}
"""POST /evidence's body in OpenAPI; the route reads the raw stream itself, never a model."""


class EvidenceNotFound(InspectionNotFound):
    code = "evidence_not_found"
    thing = "evidence"
    thing_zh = "证据文件"


class InvalidEvidence(InspectionError, InvalidError):
    code = "invalid_evidence"


class EvidenceCorrupted(InspectionError, ConflictError):
    code = "evidence_corrupted"


def evidence_dir(env: Mapping[str, str]) -> Path:
    configured = env.get(ENV_KEY)
    if configured:
        return Path(configured)
    sqlite = env.get("SQLITE_DBNAME")
    if sqlite and sqlite != ":memory:" and "mode=memory" not in sqlite:
        return Path(sqlite).parent / "evidence"
    if "popo" in env.get("PERSISTENCE_MODULE", "") or "memory" in env.get("PERSISTENCE_MODULE", ""):
        return Path(tempfile.mkdtemp(prefix="pingyi-evidence-"))
    return Path(os.environ.get("PINGYI_DATA_DIR", "pingyi-data")) / "evidence"


IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)
"""ISO media major brands of still images (HEIC/HEIF, AVIF): a phone's photo is in the same
container as an M4A recording (`ftyp` at byte 4), and is no recording."""


def _is_m4a(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] not in IMAGE_BRANDS


def _is_mp3(head: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 sync bits set).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)


SIGNATURES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "image/jpeg": ("a JPEG image", lambda head: head.startswith(b"\xff\xd8\xff")),
    "image/png": ("a PNG image", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "audio/mpeg": ("an MP3 recording", _is_mp3),
    "audio/mp4": ("an M4A recording", _is_m4a),
    "application/pdf": ("a PDF document", lambda head: head.startswith(b"%PDF-")),
}
"""What each accepted type's files start with (their magic numbers), and its name."""


def check_signature(kind: str, head: bytes) -> None:
    name, matches = SIGNATURES[kind]
    if not matches(head):
        raise InvalidEvidence(
            f"文件内容与声明的类型 {kind} 不符 "
            f"(the file is not {name}: its bytes do not match the type declared)",
            field="Content-Type",
        )


def content_type(value: str | None) -> str:
    """The media type of an upload (parameters such as `; charset` dropped)."""
    kind = (value or "").split(";", 1)[0].strip().lower()
    if kind not in EVIDENCE_TYPES:
        raise InvalidEvidence(
            f"须为以下类型之一: {EVIDENCE_NAMES.listed} "
            f"(must be one of {', '.join(EVIDENCE_TYPES)})",
            field="Content-Type",
        )
    return kind


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def begin(self) -> Upload:
        return Upload(self)

    def content_type(self, sha256: str) -> str:
        try:
            return self.path(sha256).with_suffix(".type").read_text("ascii").strip()
        except FileNotFoundError:
            raise EvidenceNotFound(field="sha256") from None

    def verified(self, sha256: str) -> tuple[Path, str, int]:
        """The file, its content type and size, after checking its bytes still hash to its
        name."""
        target = self.path(sha256)
        digest = hashlib.sha256()
        try:
            with target.open("rb") as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            raise EvidenceNotFound(field="sha256") from None
        if digest.hexdigest() != sha256:
            raise EvidenceCorrupted(
                "存储的文件与其哈希值不再相符 (the stored file no longer matches its hash)",
                field="sha256",
            )
        return target, self.content_type(sha256), target.stat().st_size

    def missing(self, hashes: Iterable[str]) -> list[str]:
        return [h for h in hashes if not self.has(h)]


class Upload:
    """One upload in progress: `write` each chunk, then `finish` (or `abort`)."""

    def __init__(self, store: EvidenceStore) -> None:
        self.store = store
        descriptor, name = tempfile.mkstemp(dir=store.root, prefix=".upload-")
        self.temporary = Path(name)
        self.stream = os.fdopen(descriptor, "wb")
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > EVIDENCE_LIMIT:
            raise InvalidEvidence(
                f"文件不得超过 {EVIDENCE_LIMIT // MiB} MB "
                f"(a file is at most {EVIDENCE_LIMIT // MiB} MB)",
                field="body",
            )
        if len(self.head) < HEAD:
            self.head = (self.head + chunk)[:HEAD]
        self.digest.update(chunk)
        self.stream.write(chunk)

    def finish(self, kind: str) -> tuple[str, int]:
        self.stream.close()
        if self.size == 0:
            self.abort()
            raise InvalidEvidence("文件为空 (the file is empty)", field="body")
        try:
            check_signature(kind, self.head)
        except InvalidEvidence:
            self.abort()
            raise
        sha256 = self.digest.hexdigest()
        target = self.store.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        sidecar = target.with_suffix(".type")
        if not sidecar.is_file():  # the type first, so a file in place always has one
            # Under a name of its own: the same file uploaded twice at once (a phone
            # retrying on a poor network) writes two, each moved into place whole.
            descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=".type-")
            with os.fdopen(descriptor, "w", encoding="ascii") as stream:
                stream.write(kind)
            os.replace(partial, sidecar)
        if target.is_file():
            self.temporary.unlink(missing_ok=True)
        else:
            os.replace(self.temporary, target)
        return sha256, self.size

    def abort(self) -> None:
        self.stream.close()
        self.temporary.unlink(missing_ok=True)
