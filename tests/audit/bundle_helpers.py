"""What the bundle tests share: a bundle of a scored history's logs written with fixed scheme
and results (`write_round`), a bundle re-zipped with its entries changed (`rezip`), and
one with a part that inflates without end (`zip_bomb`)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pingyi.audit_bundle import MANIFEST, write_bundle
from shared.canonical import canonical_json
from shared.persistence.message_log import read_messages
from tests.audit.stores import embedded

SCHEME = {"scheme_id": "luohe-2024", "version": 1, "title": "民主评议政风行风"}
CAMPAIGN = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
RESULTS = {
    "campaign_id": CAMPAIGN,
    "round": 1,
    "units": [{"unit_id": "u1", "components": []}],
    "results_digest": "sha256:00",
}


def write_round(data: Path, path: Path) -> dict[str, Any]:
    common = embedded(data)
    messages = {
        origin: [m.data for m in read_messages(common, origin)]
        for origin in ("survey", "registry", "scoring")  # fed in ORIGINS order regardless
    }
    about = {"campaign_id": CAMPAIGN, "round": 1, "read_to": _read_to(common, messages)}
    return write_bundle(path, scheme=SCHEME, messages=messages, results=RESULTS, about=about)


def _read_to(common: Any, messages: dict[str, list[bytes]]) -> dict[str, int]:
    """Each origin's last position, as the manifest must state it."""
    return {
        o: list(read_messages(common, o))[-1].position for o, lines in messages.items() if lines
    }


def rezip(source: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """`source`'s entries, changed, written to `target` as a plain ZIP (not as `pingyi audit
    export` writes one)."""
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    change(entries)
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return target


def zip_bomb(good: Path, target: Path, part: str, size: int, manifest_matches: bool = True) -> Path:
    """`good` with `part` replaced by `size` bytes of zeros and no newline (deflated about a
    thousandfold), streamed in; the manifest made to match it, or left as it was."""
    with zipfile.ZipFile(good) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(entries[MANIFEST])
    zeros, hashed = b"0" * (1 << 20), hashlib.sha256()
    for _ in range(size >> 20):
        hashed.update(zeros)
    if manifest_matches:
        manifest["parts"][part] = {"sha256": hashed.hexdigest(), "bytes": size}
    entries[MANIFEST] = canonical_json(manifest)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            if name != part:
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                for _ in range(size >> 20):
                    stream.write(zeros)
    return target
