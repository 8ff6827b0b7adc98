"""The audit bundle: what is written is read back byte for byte, the same contents give the
same file, and a bundle whose parts do not match its manifest is refused naming the part."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import (
    MANIFEST,
    MAX_LINE,
    MAX_MANIFEST,
    BundleError,
    InconsistentBundle,
    file_sha256,
    read_bundle,
    write_bundle,
)
from shared.canonical import canonical_json
from shared.contracts.envelope import IntegrationMessage
from shared.persistence.message_log import read_messages
from tests.audit.stores import embedded, scored_history

SCHEME = {"scheme_id": "luohe-2024", "version": 1, "title": "民主评议政风行风"}
CAMPAIGN = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
RESULTS = {
    "campaign_id": CAMPAIGN,
    "round": 1,
    "units": [{"unit_id": "u1", "components": []}],
    "results_digest": "sha256:00",
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("bundle") / "pingyi-data"
    scored_history(data)
    return data


def _write(data: Path, path: Path) -> dict[str, Any]:
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


def test_a_bundle_reads_back_as_written(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "round.zip"
    manifest = _write(data, path)
    bundle = read_bundle(path)
    assert bundle.manifest == manifest
    assert bundle.origins == ["registry", "survey", "scoring"]
    assert bundle.scheme == SCHEME and bundle.results == RESULTS
    assert bundle.manifest["about"] == {
        "campaign_id": CAMPAIGN,
        "round": 1,
        "read_to": {o: manifest["logs"][o]["last"] for o in bundle.origins},
    }
    assert bundle.rezipped == ""
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
    data: Path, tmp_path: Path, change: Callable[[dict[str, bytes]], None], reason: str
) -> None:
    good = tmp_path / "good.zip"
    manifest = _write(data, good)
    bad = _rewritten(good, tmp_path / "bad.zip", change)
    with pytest.raises(BundleError) as refused:
        read_bundle(bad)
    assert refused.value.part == MANIFEST
    last = {origin: log["last"] for origin, log in manifest["logs"].items()}
    assert reason.format(**last) in refused.value.reason


def test_a_log_summary_the_lines_do_not_bear_out_is_refused(data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    _write(data, good)
    bad = _rewritten(good, tmp_path / "bad.zip", _log_summary_changed)
    with pytest.raises(BundleError, match="manifest says") as refused:
        read_bundle(bad)
    assert refused.value.part == "messages/registry.jsonl"


def test_an_inconsistent_bundle_is_not_written(data: Path, tmp_path: Path) -> None:
    survey = [m.data for m in read_messages(embedded(data), "survey")]
    about = {"campaign_id": CAMPAIGN, "round": 1, "read_to": {"survey": 1}}
    with pytest.raises(InconsistentBundle, match=r"about\.read_to\.survey is 1"):
        write_bundle(
            tmp_path / "x.zip",
            scheme=SCHEME,
            messages={"survey": survey},
            results=RESULTS,
            about=about,
        )
    assert list(tmp_path.iterdir()) == []


def test_a_bundle_that_cannot_take_its_name_leaves_no_partial(data: Path, tmp_path: Path) -> None:
    """The rename at the end fails (a folder holds the name): the whole bundle written under
    `<name>.partial` is removed too, not left beside it."""
    survey = [m.data for m in read_messages(embedded(data), "survey")]
    last = IntegrationMessage.decode(survey[-1]).position
    (tmp_path / "x.zip").mkdir()
    with pytest.raises(OSError):
        write_bundle(
            tmp_path / "x.zip",
            scheme=SCHEME,
            messages={"survey": survey},
            results=RESULTS,
            about={"campaign_id": CAMPAIGN, "round": 1, "read_to": {"survey": last}},
        )
    assert [p.name for p in tmp_path.iterdir()] == ["x.zip"]


def test_every_flipped_byte_is_refused_or_read(data: Path, tmp_path: Path) -> None:
    """Whatever byte of a bundle is damaged, reading it raises `BundleError` (never zlib's or
    zipfile's own errors, which the command would show as a traceback and exit 1), or reads
    the same contents: a byte of the archive's metadata (a date, the central directory) that
    the entries do not depend on. The file's SHA-256 is what tells those apart."""
    good = tmp_path / "good.zip"
    _write(data, good)
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


def test_a_rezipped_bundle_reads_the_same_and_says_so(data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    _write(data, good)
    again = _rewritten(good, tmp_path / "again.zip", lambda entries: None)
    assert file_sha256(again) != file_sha256(good)
    assert file_sha256(good) == hashlib.sha256(good.read_bytes()).hexdigest()
    bundle = read_bundle(again)
    assert bundle.manifest == read_bundle(good).manifest
    assert "entry dates" in bundle.rezipped and "compression" in bundle.rezipped


# --- ZIP bombs: a small file that inflates without end is refused, never held ------------


def _bomb(good: Path, target: Path, part: str, size: int, manifest_matches: bool = True) -> Path:
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


def test_a_line_inflating_past_any_message_is_refused_without_being_held(
    data: Path, tmp_path: Path
) -> None:
    """A 200 KiB archive whose survey log inflates to one line of 192 MiB, the manifest
    matching it: refused naming the part and line, never holding more than the longest line a
    bundle may have (it read the whole line into memory, and a bigger one killed the process
    or ended in `MemoryError`, said as nothing but its name)."""
    good = tmp_path / "good.zip"
    _write(data, good)
    bomb = _bomb(good, tmp_path / "bomb.zip", "messages/survey.jsonl", 3 * MAX_LINE)
    assert bomb.stat().st_size < MAX_LINE >> 8
    tracemalloc.start()
    try:
        with pytest.raises(BundleError) as refused:
            read_bundle(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.part == "messages/survey.jsonl"
    assert refused.value.reason == (
        "第 1 行超过 64 MiB, 比任何消息或文档可有的都长 (line 1 is longer than 64 MiB, more than "
        "any message or document may be)"
    )
    assert peak < 1.25 * MAX_LINE


def test_a_part_inflating_past_its_manifest_entry_is_not_read(data: Path, tmp_path: Path) -> None:
    """The archive says the entry inflates to 64 MiB, the manifest to a few KiB: refused before
    a byte is inflated (it was inflated and hashed, all of it, to find the hash differs)."""
    good = tmp_path / "good.zip"
    _write(data, good)
    bomb = _bomb(good, tmp_path / "bomb.zip", "messages/survey.jsonl", MAX_LINE, False)
    with pytest.raises(BundleError) as refused:
        read_bundle(bomb)
    assert refused.value.part == "messages/survey.jsonl"
    assert refused.value.reason.startswith(f"解压后为 {MAX_LINE} 字节, 清单写的是 ")
    assert f"与清单不符 (未读取) (inflates to {MAX_LINE} bytes, the manifest says" in (
        refused.value.reason
    )
    assert refused.value.reason.endswith("(not read))")


def test_a_manifest_longer_than_any_manifest_is_not_read(data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    _write(data, good)
    bomb = _bomb(good, tmp_path / "bomb.zip", MANIFEST, MAX_MANIFEST + (1 << 20))
    with pytest.raises(BundleError) as refused:
        read_bundle(bomb)
    assert refused.value.part == MANIFEST
    size = MAX_MANIFEST + (1 << 20)
    assert refused.value.reason == (
        f"解压后为 {size} 字节, 超过 {MAX_MANIFEST} (未读取) "
        f"(inflates to {size} bytes, more than {MAX_MANIFEST} (not read))"
    )


def test_a_document_longer_than_a_bundle_may_hold_is_not_written(tmp_path: Path) -> None:
    """What `read_bundle` would refuse, `write_bundle` does not write."""
    huge = RESULTS | {"note": "0" * MAX_LINE}
    about = {"campaign_id": CAMPAIGN, "round": 1, "read_to": {}}
    said = r"^results\.json: 一行 \d+ 字节, 超过 64 MiB.* \(a line of .* longer than 64 MiB"
    with pytest.raises(InconsistentBundle, match=said):
        write_bundle(tmp_path / "x.zip", scheme=SCHEME, messages={}, results=huge, about=about)
    assert list(tmp_path.iterdir()) == []
