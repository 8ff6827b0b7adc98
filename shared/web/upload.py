"""Files sent as the raw request body (not multipart): CSV in UTF-8 (with or without BOM) or
GB18030, or XLSX. Read with a size cap that is enforced while reading, so an oversized
upload is refused (413) before it is held whole."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from shared.tabular import CSV, XLSX, too_large


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str | None


def upload_reader(max_bytes: int) -> Callable[[Request], Awaitable[Upload]]:
    """A dependency reading the body as an `Upload` of at most `max_bytes`."""

    async def read_upload(request: Request) -> Upload:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large(max_bytes)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_bytes:
                raise too_large(max_bytes)
        return Upload(bytes(body), request.headers.get("content-type"))

    return read_upload


def upload_body(example: str) -> dict[str, Any]:
    """The OpenAPI request body of a route that takes a file as its body."""
    return {
        "requestBody": {
            "required": True,
            "description": "The file itself as the request body (not multipart): CSV in UTF-8 "
            "(with or without BOM) or GB18030, or XLSX. 文件本身作为请求体.",
            "content": {
                CSV: {"schema": {"type": "string", "format": "binary"}, "example": example},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
