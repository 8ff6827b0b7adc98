"""The audit bundle: what is written is read back byte for byte, the same contents give the
same file, and a bundle whose parts do not match its manifest is refused naming the part."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import MANIFEST, BundleError, read_bundle, write_bundle
from shared.canonical import canonical_json
from shared.persistence.message_log import read_messages
from tests.audit.stores import embedded, scored_history

SCHEME = {"scheme_id": "luohe-2024", "version": 1, "title": "民主评议政风行风"}
RESULTS = {"units": [{"unit_id": "u1", "components": []}], "results_digest": "sha256:00"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("bundle") / "pingyi-data"
    scored_history(data)
    return data


def _write(data: Path, path: Path) -> dict[str, Any]:
    common = embedded(data)
    messages = {
        origin: (m.data for m in read_messages(common, origin))
        for origin in ("survey", "registry", "scoring")  # fed in ORIGINS order regardless
    }
    about = {"campaign_id": "c1", "round": 1}
    return write_bundle(path, scheme=SCHEME, messages=messages, results=RESULTS, about=about)


def test_a_bundle_reads_back_as_written(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "round.zip"
    manifest = _write(data, path)
    bundle = read_bundle(path)
    assert bundle.manifest == manifest
    assert bundle.origins == ["registry", "survey", "scoring"]
    assert bundle.scheme == SCHEME and bundle.results == RESULTS
    assert bundle.manifest["about"] == {"campaign_id": "c1", "round": 1}
    common = embedded(data)
    for origin in bundle.origins:
        stored = [m.data for m in read_messages(common, origin)]
        assert list(bundle.message_lines(origin)) == stored
        assert manifest["logs"][origin]["count"] == len(stored)
    fed = list(bundle.messages())
    assert [m.origin for m in fed] == sorted(
        (m.origin for m in fed), key=["registry", "survey", "scoring"].index
    )
    with zipfile.ZipFile(path) as archive:
        for name, entry in manifest["parts"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
    assert not path.with_name("round.zip.partial").exists()


def test_the_same_contents_give_the_same_file(data: Path, tmp_path: Path) -> None:
    _write(data, tmp_path / "a.zip")
    _write(data, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def _rewritten(source: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    change(entries)
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return target


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
    data: Path,
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], None],
    part: str,
    reason: str,
) -> None:
    good = tmp_path / "good.zip"
    _write(data, good)
    bad = _rewritten(good, tmp_path / "bad.zip", change)
    with pytest.raises(BundleError) as refused:
        read_bundle(bad)
    assert refused.value.part == part
    first = next(read_messages(embedded(data), "survey")).position
    assert reason.format(first=first) in refused.value.reason


def test_a_file_that_is_no_bundle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("不是审计包", encoding="utf-8")
    with pytest.raises(BundleError, match="not a readable bundle") as refused:
        read_bundle(path)
    assert refused.value.part is None
    with pytest.raises(BundleError, match="not a readable bundle"):
        read_bundle(tmp_path / "absent.zip")


def test_messages_of_another_origin_or_out_of_order_are_not_written(
    data: Path, tmp_path: Path
) -> None:
    survey = [m.data for m in read_messages(embedded(data), "survey")]
    with pytest.raises(ValueError, match="a survey message among registry's"):
        write_bundle(
            tmp_path / "x.zip", scheme=SCHEME, messages={"registry": survey}, results={}, about={}
        )
    with pytest.raises(ValueError, match="after"):
        write_bundle(
            tmp_path / "y.zip",
            scheme=SCHEME,
            messages={"survey": survey[::-1]},
            results={},
            about={},
        )
