"""A bundle whose parts do not match its manifest, or whose manifest's statements its
contents do not bear out, is refused naming the part; so is every damaged byte that matters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import (
    MANIFEST,
    BundleError,
    read_bundle,
)
from shared.canonical import canonical_json
from shared.persistence.message_log import read_messages
from tests.audit.bundle_helpers import CAMPAIGN, rezip, write_round
from tests.audit.stores import embedded


def _edit_survey_line(entries: dict[str, bytes]) -> None:
    lines = entries["messages/survey.jsonl"].splitlines(keepends=True)
    lines[1] = lines[1].replace("满意".encode(), "很满意".encode(), 1)
    entries["messages/survey.jsonl"] = b"".join(lines)


def _with_manifest_updated(change: Callable[[dict[str, bytes]], None]) -> Any:
    """The change, and the manifest made to match it: the hashes alone cannot catch it."""

    def both(entries: dict[str, bytes]) -> None:
        change(entries)
        manifest = json.loads(entries[MANIFEST])
        for name, entry in manifest["parts"].items():
            entry["sha256"] = hashlib.sha256(entries[name]).hexdigest()
            entry["bytes"] = len(entries[name])
        entries[MANIFEST] = canonical_json(manifest)

    return both


def _drop_survey_line(entries: dict[str, bytes]) -> None:
    """A line from the middle (a push is one line, a batch part, so there may be only 3)."""
    lines = entries["messages/survey.jsonl"].splitlines(keepends=True)
    assert len(lines) >= 3
    entries["messages/survey.jsonl"] = b"".join(lines[:1] + lines[2:])


def _reencode_survey_line(entries: dict[str, bytes]) -> None:
    lines = entries["messages/survey.jsonl"].splitlines(keepends=True)
    lines[0] = json.dumps(json.loads(lines[0]), ensure_ascii=True).encode() + b"\n"
    entries["messages/survey.jsonl"] = b"".join(lines)


CASES: list[tuple[str, Callable[[dict[str, bytes]], None], str | None, str]] = [
    ("edited message", _edit_survey_line, "messages/survey.jsonl", "does not match the manifest"),
    (
        "edited results",
        lambda e: e.__setitem__("results.json", e["results.json"].replace(b"u1", b"u2")),
        "results.json",
        "does not match the manifest",
    ),
    ("missing part", lambda e: e.pop("scheme.json"), "scheme.json", "not in the bundle"),
    (
        "extra part",
        lambda e: e.__setitem__("messages/extra.jsonl", b""),
        "messages/extra.jsonl",
        "not listed in the manifest",
    ),
    ("no manifest", lambda e: e.pop(MANIFEST), MANIFEST, "missing"),
    (
        "dropped message, manifest updated",
        _with_manifest_updated(_drop_survey_line),
        "messages/survey.jsonl",
        "a message is missing or out of order",
    ),
    (
        "re-encoded message, manifest updated",
        _with_manifest_updated(_reencode_survey_line),
        "messages/survey.jsonl",
        "line 1 (survey position {first}) is not the canonical encoding",
    ),
]


@pytest.mark.parametrize(
    ("change", "part", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_bundle_not_matching_its_manifest_is_refused_naming_the_part(
    bundle_data: Path,
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], None],
    part: str,
    reason: str,
) -> None:
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    bad = rezip(good, tmp_path / "bad.zip", change)
    with pytest.raises(BundleError) as refused:
        read_bundle(bad)
    assert refused.value.part == part
    first = next(read_messages(embedded(bundle_data), "survey")).position
    assert reason.format(first=first) in refused.value.reason


def _about_changed(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    """The manifest's `about` changed (the manifest is no part: no hash to recompute)."""

    def edit(entries: dict[str, bytes]) -> None:
        manifest = json.loads(entries[MANIFEST])
        change(manifest["about"])
        entries[MANIFEST] = canonical_json(manifest)

    return edit


def _log_summary_changed(entries: dict[str, bytes]) -> None:
    """The registry log's last position and read_to lowered together: the lines say otherwise."""
    manifest = json.loads(entries[MANIFEST])
    manifest["logs"]["registry"]["last"] = 1
    manifest["about"]["read_to"]["registry"] = 1
    entries[MANIFEST] = canonical_json(manifest)


STATEMENTS: list[tuple[str, Callable[[dict[str, bytes]], None], str]] = [
    ("round 0", _about_changed(lambda a: a.update(round=0)), "about.round 0 is not a round"),
    ("round 'one'", _about_changed(lambda a: a.update(round="one")), "about.round 'one' is not"),
    ("round true", _about_changed(lambda a: a.update(round=True)), "about.round True is not"),
    ("no round", _about_changed(lambda a: a.pop("round")), "about.round None is not"),
    (
        "another round",
        _about_changed(lambda a: a.update(round=2)),
        "about.round is 2, the results are of round 1",
    ),
    (
        "not a campaign id",
        _about_changed(lambda a: a.update(campaign_id="c1")),
        "about.campaign_id 'c1' is not a campaign id",
    ),
    (
        "another campaign",
        _about_changed(lambda a: a.update(campaign_id="00000000-0000-0000-0000-000000000000")),
        f"the results are of campaign '{CAMPAIGN}'",
    ),
    (
        "read_to short of the log",
        _about_changed(lambda a: a["read_to"].update(registry=1)),
        "about.read_to.registry is 1, the bundle's registry log runs to {registry}",
    ),
    (
        "read_to missing an origin",
        _about_changed(lambda a: a["read_to"].pop("survey")),
        "about.read_to has no survey, the bundle's survey log runs to {survey}",
    ),
    (
        "read_to of an origin not in the bundle",
        _about_changed(lambda a: a["read_to"].update(inspection=5)),
        "about.read_to.inspection is 5, the bundle holds no inspection message",
    ),
    ("no read_to", _about_changed(lambda a: a.pop("read_to")), "about.read_to None is not"),
]


@pytest.mark.parametrize(
    ("change", "reason"), [c[1:] for c in STATEMENTS], ids=[c[0] for c in STATEMENTS]
)
def test_the_manifests_statements_are_checked_against_the_contents(
    bundle_data: Path, tmp_path: Path, change: Callable[[dict[str, bytes]], None], reason: str
) -> None:
    good = tmp_path / "good.zip"
    manifest = write_round(bundle_data, good)
    bad = rezip(good, tmp_path / "bad.zip", change)
    with pytest.raises(BundleError) as refused:
        read_bundle(bad)
    assert refused.value.part == MANIFEST
    last = {origin: log["last"] for origin, log in manifest["logs"].items()}
    assert reason.format(**last) in refused.value.reason


def test_a_log_summary_the_lines_do_not_bear_out_is_refused(
    bundle_data: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    bad = rezip(good, tmp_path / "bad.zip", _log_summary_changed)
    with pytest.raises(BundleError, match="manifest says") as refused:
        read_bundle(bad)
    assert refused.value.part == "messages/registry.jsonl"


def test_every_flipped_byte_is_refused_or_read(bundle_data: Path, tmp_path: Path) -> None:
    """Whatever byte of a bundle is damaged, reading it raises `BundleError` (never zlib's or
    zipfile's own errors, which the command would show as a traceback and exit 1), or reads
    the same contents: a byte of the archive's metadata (a date, the central directory) that
    the entries do not depend on. The file's SHA-256 is what tells those apart."""
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    original = good.read_bytes()
    expected = read_bundle(good)
    damaged = tmp_path / "damaged.zip"
    refused = read = 0
    for at in range(len(original)):
        flipped = bytearray(original)
        flipped[at] ^= 0x01
        damaged.write_bytes(bytes(flipped))
        try:
            bundle = read_bundle(damaged)
        except BundleError:
            refused += 1
            continue
        read += 1
        assert (bundle.manifest, bundle.scheme, bundle.results) == (
            expected.manifest,
            expected.scheme,
            expected.results,
        )
    assert refused > read > 0
