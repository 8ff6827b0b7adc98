"""POST /evidence declares its raw body in OpenAPI (each accepted media type, as binary)
while the route still streams the request itself: a file sent as documented is stored."""

from __future__ import annotations

import hashlib

from services.inspection.evidence import EVIDENCE_TYPES
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
