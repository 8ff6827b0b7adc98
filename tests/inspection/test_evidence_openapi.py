"""POST /evidence declares its raw body in OpenAPI (each accepted media type, as binary)
while the route still streams the request itself: a file sent as documented is stored, and
only if its first bytes are those of the type it is declared as."""

from __future__ import annotations

import hashlib

import pytest

from services.inspection.evidence import EVIDENCE_TYPES, InvalidEvidence, check_signature
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster


def test_the_evidence_body_is_declared_and_streamed(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        client = cluster["inspection"]
        operation = client.get("/openapi.json").json()["paths"]["/evidence"]["post"]
        body = operation["requestBody"]
        assert body["required"] is True
        assert list(body["content"]) == list(EVIDENCE_TYPES)
        for media in body["content"].values():
            assert media["schema"] == {"type": "string", "format": "binary"}
        pdf = b"%PDF-1.4\n" + "整改报告".encode() * 40_000  # several chunks
        stored = client.post(
            "/evidence", content=pdf, headers=ADMIN | {"Content-Type": "application/pdf"}
        )
        assert stored.status_code == 201, stored.text
        assert stored.json()["sha256"] == hashlib.sha256(pdf).hexdigest()


@pytest.mark.parametrize(
    ("kind", "head"),
    [
        ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("audio/mpeg", b"ID3\x04\x00\x00\x00\x00\x00"),
        ("audio/mpeg", b"\xff\xfb\x90\x64\x00"),
        ("audio/mp4", b"\x00\x00\x00\x20ftypM4A "),
        ("application/pdf", b"%PDF-1.7\n"),
    ],
)
def test_each_type_is_known_by_its_first_bytes(kind: str, head: bytes) -> None:
    check_signature(kind, head)
    for other in (t for t in EVIDENCE_TYPES if t != kind):
        with pytest.raises(InvalidEvidence) as caught:
            check_signature(other, head)
        assert caught.value.field == "Content-Type"
