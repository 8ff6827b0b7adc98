"""Every way the bundle reader refuses a damaged bundle says why in Chinese first, the English
after it: the offices and auditors who run `pingyi audit verify` read the reason, not only
the label before it. The bundles are damaged as tests/audit/test_bundle_manifest.py damages
them, and in the ways it does not (each a refusal of its own in `read_bundle`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import MANIFEST, MAX_MANIFEST, BundleError, read_bundle, writing
from shared.canonical import canonical_json
from tests.audit.bundle_helpers import rezip, write_round, zip_bomb
from tests.audit.stores import scored_history
from tests.audit.test_bundle_manifest import CASES, STATEMENTS

Change = Callable[[dict[str, bytes]], None]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("words")
    data = folder / "pingyi-data"
    scored_history(data, runs=False)
    write_round(data, folder / "good.zip")
    return folder / "good.zip"


def _manifest(change: Callable[[dict[str, Any]], None]) -> Change:
    def edit(entries: dict[str, bytes]) -> None:
        manifest = json.loads(entries[MANIFEST])
        change(manifest)
        entries[MANIFEST] = canonical_json(manifest)

    return edit


def _part(name: str, content: bytes) -> Change:
    """The part replaced, and its manifest entry made to match: only its content is wrong."""

    def edit(entries: dict[str, bytes]) -> None:
        entries[name] = content
        _matched(entries, name)

    return edit


def _matched(entries: dict[str, bytes], name: str) -> None:
    manifest = json.loads(entries[MANIFEST])
    manifest["parts"][name] = {
        "sha256": hashlib.sha256(entries[name]).hexdigest(),
        "bytes": len(entries[name]),
    }
    entries[MANIFEST] = canonical_json(manifest)


def _survey_first_line(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Change:
    def edit(entries: dict[str, bytes]) -> None:
        lines = entries["messages/survey.jsonl"].splitlines(keepends=True)
        lines[0] = canonical_json(change(json.loads(lines[0]))) + b"\n"
        entries["messages/survey.jsonl"] = b"".join(lines)
        _matched(entries, "messages/survey.jsonl")

    return edit


def _drop_origin(origin: str) -> Callable[[dict[str, Any]], None]:
    def change(manifest: dict[str, Any]) -> None:
        manifest["origins"].remove(origin)

    return change


MORE: list[tuple[str, Change]] = [
    ("manifest not JSON", lambda e: e.__setitem__(MANIFEST, b"{")),
    ("another format", _manifest(lambda m: m.update(format="zip"))),
    ("another version", _manifest(lambda m: m.update(version=9))),
    ("parts not a dict", _manifest(lambda m: m.update(parts=[]))),
    ("results unlisted", _manifest(lambda m: m["parts"].pop("results.json"))),
    ("origins unknown", _manifest(lambda m: m.update(origins=["finance"]))),
    ("origin without part", _manifest(lambda m: m["origins"].append("inspection"))),
    ("part of no origin", _manifest(_drop_origin("survey"))),
    ("no sha256", _manifest(lambda m: m["parts"]["scheme.json"].pop("sha256"))),
    ("size misstated", _manifest(lambda m: m["parts"]["scheme.json"].update(bytes=1 << 20))),
    ("count misstated", _manifest(lambda m: m["logs"]["survey"].update(count=99))),
    ("scheme not JSON", _part("scheme.json", b"{")),
    ("scheme not an object", _part("scheme.json", b"[]")),
    ("scheme not canonical", _part("scheme.json", b'{ "a": 1 }')),
    ("line not a message", _part("messages/survey.jsonl", b"{}\n")),
    ("line from another origin", _survey_first_line(lambda m: m | {"origin": "registry"})),
]
"""Refusals test_bundle_manifest.py's CASES and STATEMENTS do not reach."""

KINDS = [(c[0], c[1]) for c in CASES] + [(s[0], s[1]) for s in STATEMENTS] + MORE


def _refused(bundle: Path) -> BundleError:
    with pytest.raises(BundleError) as refused:
        read_bundle(bundle)
    return refused.value


def _chinese_first(reason: str) -> bool:
    """Chinese words before the English in brackets at the end (the reason may open with a
    field, a number or a hash all the same: `about.round 0 不是轮次 (…)`)."""
    if not reason.endswith(")"):
        return False
    depth, at = 0, len(reason)
    while at > 0 and (depth > 0 or at == len(reason)):
        at -= 1
        depth += {")": 1, "(": -1}.get(reason[at], 0)
    return any("\u3400" <= c <= "\u9fff" for c in reason[:at])


@pytest.mark.parametrize("change", [k[1] for k in KINDS], ids=[k[0] for k in KINDS])
def test_each_refusal_of_a_damaged_bundle_is_chinese_first(
    good: Path, tmp_path: Path, change: Change
) -> None:
    reason = _refused(rezip(good, tmp_path / "bad.zip", change)).reason
    assert _chinese_first(reason), reason


def test_the_refusals_of_what_is_not_read_are_chinese_first(good: Path, tmp_path: Path) -> None:
    """A part or manifest larger than it may be is refused before it is inflated."""
    survey = "messages/survey.jsonl"
    for bomb in (
        zip_bomb(good, tmp_path / "a.zip", survey, MAX_MANIFEST, manifest_matches=False),
        zip_bomb(good, tmp_path / "b.zip", MANIFEST, MAX_MANIFEST + (1 << 20)),
        tmp_path / "absent.zip",
    ):
        reason = _refused(bomb).reason
        assert _chinese_first(reason), reason


def test_a_writer_asked_out_of_order_says_so_chinese_first(tmp_path: Path) -> None:
    unknown = r"^不是计分的上游: finance \(not an upstream of scoring"
    with pytest.raises(ValueError, match=unknown), writing(tmp_path / "a.zip", ["finance"], {}):
        pass
    next_one = r"^下一个应写 registry 的日志, 不是 survey 的 \(registry's log is next"
    with (
        pytest.raises(ValueError, match=next_one),
        writing(tmp_path / "b.zip", ["registry", "survey"], {}) as writer,
        writer.log("survey"),
    ):
        pass
    assert list(tmp_path.iterdir()) == []
