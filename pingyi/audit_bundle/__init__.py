"""The audit bundle: one self-contained file from which anyone can recompute a campaign
round's scores offline (`pingyi audit verify`), written by `pingyi audit export`.

A ZIP archive (why ZIP, and the layout, in docs/audit.md) of these parts:

    scheme.json                 the scheme document, canonical JSON
    messages/<origin>.jsonl     every message of that upstream's log from its first position
                                to the one read to, one per line, the exact bytes published
                                (origin and position are inside each message)
    results.json                the round's results document, canonical JSON
    manifest.json               last: what the bundle is of, and each part's SHA-256 and size

The messages are fed to the computation origin by origin in the manifest's `origins` order,
each in position order. Each part is hashed over its uncompressed bytes; `read_bundle`
refuses a bundle whose parts do not match the manifest, naming the part. The bytes of a
bundle depend only on its contents (fixed entry dates, fixed order), so exporting the same
round twice gives the same file, and a bundle's own SHA-256 (`file_sha256`) can be published
with the results it backs. `read_bundle` checks the entries, not the archive's metadata (entry
dates, order, comments): a bundle re-zipped with other metadata reads the same, and only its
file hash tells it apart from the one published.

The manifest's statements about what the bundle is of (`about`) are checked against its
contents too (`check_about`): the campaign and round are the results', and `read_to` names,
for each origin, the last position of its log in the bundle.

This module needs the contract models and the standard library only: no database, no
server, no service's code.
"""

from __future__ import annotations

from shared.reasons import first_problem

from .layout import (
    FORMAT,
    MANIFEST,
    MAX_LINE,
    MAX_MANIFEST,
    ORIGINS,
    RESULTS,
    SCHEME,
    VERSION,
    Bundle,
    BundleError,
    InconsistentBundle,
    check_about,
    file_sha256,
    message_part,
)
from .read import read_bundle
from .write import BundleWriter, write_bundle, writing

__all__ = [
    "FORMAT",
    "MANIFEST",
    "MAX_LINE",
    "MAX_MANIFEST",
    "ORIGINS",
    "RESULTS",
    "SCHEME",
    "VERSION",
    "Bundle",
    "BundleError",
    "BundleWriter",
    "InconsistentBundle",
    "check_about",
    "file_sha256",
    "first_problem",
    "message_part",
    "read_bundle",
    "write_bundle",
    "writing",
]
