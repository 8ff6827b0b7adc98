"""The evidence store as a phone in the field uses it: the same photo sent twice at once
(a retry on a poor network while the first is still in flight) is stored once and both
uploads succeed; a HEIC photo is not taken for an M4A recording, though both come in the
same container."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from services.inspection.evidence import EvidenceStore, InvalidEvidence

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_same_file_uploaded_at_once_by_several_is_stored_once(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    failures: list[Exception] = []
    answers: list[tuple[str, int]] = []
    for _ in range(25):
        content = PNG + uuid.uuid4().bytes
        together = threading.Barrier(4)

        def send(content: bytes = content, together: threading.Barrier = together) -> None:
            upload = store.begin()
            upload.write(content)
            together.wait()  # every upload finishes at the same moment
            try:
                answers.append(upload.finish("image/png"))
            except Exception as error:  # what the route would answer with a 500
                upload.abort()
                failures.append(error)

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(answers) == 100
    for sha256, size in answers:
        assert store.verified(sha256)[1:] == ("image/png", size)
    leftovers = [p.name for p in tmp_path.rglob(".*")]
    assert leftovers == []


def _iso_media(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1", b"avif"])
def test_a_heic_photo_is_not_an_m4a_recording(tmp_path: Path, brand: bytes) -> None:
    upload = EvidenceStore(tmp_path).begin()
    upload.write(_iso_media(brand))
    with pytest.raises(InvalidEvidence) as refused:
        upload.finish("audio/mp4")
    assert (refused.value.field, refused.value.reason) == (
        "Content-Type",
        "文件内容与声明的类型 audio/mp4 不符 "
        "(the file is not an M4A recording: its bytes do not match the type declared)",
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("brand", [b"M4A ", b"mp42", b"isom"])
def test_an_m4a_recording_is_taken(tmp_path: Path, brand: bytes) -> None:
    store = EvidenceStore(tmp_path)
    upload = store.begin()
    upload.write(_iso_media(brand))
    sha256, _ = upload.finish("audio/mp4")
    assert store.content_type(sha256) == "audio/mp4"
