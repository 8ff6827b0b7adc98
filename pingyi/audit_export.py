"""Writing a campaign round's audit bundle from the stored logs (`pingyi audit export`):
the upstream logs read with the offline reader (`shared.persistence.message_log`), each up
to the position it had when the export began, the results computed from exactly those
messages, and all of it written with `pingyi.audit_bundle`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from pingyi.audit_bundle import ORIGINS, write_bundle
from pingyi.audit_verify import Compute
from shared.contracts.envelope import IntegrationMessage
from shared.persistence.message_log import (
    StoreMissing,
    has_store,
    last_position,
    read_messages,
    store_location,
)
from shared.settings import CommonSettings

REQUIRED = ("registry", "survey")
"""Without these there is no round to score; inspection and scoring are read when present."""


class SchemeFileError(Exception):
    pass


def load_scheme(path: Path) -> dict[str, Any]:
    """A scheme document from a JSON or YAML file (the engine validates its content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SchemeFileError(f"cannot read the scheme file {path}: {error}") from None
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise SchemeFileError(f"{path} is not JSON or YAML: {error}") from None
    if not isinstance(document, dict):
        raise SchemeFileError(f"{path} holds no scheme document (a mapping)")
    return document


def origins_to_export(common: CommonSettings) -> list[str]:
    """The upstream logs present, checked before anything is computed or written."""
    for service in REQUIRED:
        if not has_store(common, service):
            raise StoreMissing(f"no {service} event store at {store_location(common, service)}")
    return [origin for origin in ORIGINS if has_store(common, origin)]


def export_bundle(
    common: CommonSettings,
    *,
    campaign_id: str,
    round_: int,
    scheme: Mapping[str, Any],
    out: Path,
    compute: Compute,
) -> dict[str, Any]:
    """Compute the round from the logs as they stand and write its bundle; the manifest."""
    origins = origins_to_export(common)
    # Logs only grow: reading each twice up to the same position gives the same messages.
    read_to = {origin: last_position(common, origin) or 0 for origin in origins}

    def decoded() -> Iterator[IntegrationMessage]:
        for origin in origins:
            for message in read_messages(common, origin, stop=read_to[origin]):
                yield message.message

    results = compute(scheme, decoded(), campaign_id, round_)
    encoded = {
        origin: (m.data for m in read_messages(common, origin, stop=read_to[origin]))
        for origin in origins
    }
    about = {"campaign_id": campaign_id, "round": round_, "read_to": read_to}
    return write_bundle(out, scheme=scheme, messages=encoded, results=results, about=about)


def file_sha256(path: Path) -> str:
    hashed = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            hashed.update(chunk)
    return hashed.hexdigest()
