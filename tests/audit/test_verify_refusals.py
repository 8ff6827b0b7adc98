"""What `pingyi audit verify` refuses: nothing compared is no pass; a manifest that
misstates the bundle, a broken bundle; the file's hash is printed first. As an auditor runs the
commands (a process of its own, no PINGYI_* settings, data the real services wrote): exit 2
with one line naming the problem, never a traceback (whose exit 1 would read as
"different"), never a pass when nothing was compared, and nothing written. 0 identical,
1 different, 2 could not check (docs/audit.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle, write_bundle
from services.scoring.engine import score_round
from shared.canonical import canonical_json
from shared.persistence.message_log import read_messages
from tests.audit.bundle_helpers import rezip
from tests.audit.refusal_helpers import (
    INVALID_JSON,
    NOBODY,
    Reason,
    about_changed,
    refused,
)
from tests.audit.stores import embedded, run_pingyi


def test_verify_of_a_bundle_with_no_unit_is_nothing_to_check(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A bundle of a campaign the logs do not know, its results (no unit) recomputed
    byte-identically: a check that compared nothing."""
    data, _ = refusal_history
    common = embedded(data)
    scheme = read_bundle(data.parent / "final.zip").scheme
    logs = {o: list(read_messages(common, o)) for o in ("registry", "survey")}
    messages = [m.message for found in logs.values() for m in found]
    results = score_round(scheme, messages, campaign_id=NOBODY, round=1)
    assert results["units"] == []
    write_bundle(
        tmp_path / "empty.zip",
        scheme=scheme,
        messages={o: (m.data for m in found) for o, found in logs.items()},
        results=results,
        about={"campaign_id": NOBODY, "round": 1, "read_to": results["upstream_positions"]},
    )
    done = run_pingyi("audit", "verify", "empty.zip", cwd=tmp_path)
    refused(
        done,
        f"无可核对 nothing to check: 评议活动 {NOBODY} 第 1 轮没有单位, 审计包的结果中没有, "
        f"由其消息重算也没有: 无可比较 (campaign {NOBODY} round 1 has no unit, in the bundle's "
        "results or recomputed from its messages: nothing to compare)",
    )
    assert "identical" not in done.stdout


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            about_changed(round=0),
            "about.round 0 不是轮次 (从 1 起的整数) (about.round 0 is not a round",
        ),
        (
            about_changed(round=2),
            "about.round 是 2, 结果却属于第 1 轮 (about.round is 2, the results ",
        ),
        (
            about_changed(read_to={"registry": 1}),
            "about.read_to.registry 是 1, 审计包中的 registry 日志到位置 ",
        ),
        (about_changed(campaign_id=NOBODY), f"about.campaign_id 是 {NOBODY}, 结果却属于评议活动 "),
    ],
    ids=["round 0", "another round", "read_to short", "another campaign"],
)
def test_verify_refuses_a_manifest_that_misstates_the_bundle(
    refusal_history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], None],
    reason: str,
) -> None:
    data, _ = refusal_history
    rezip(data.parent / "final.zip", tmp_path / "b.zip", change)
    done = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    refused(done, "bundle refused: manifest.json: " + reason)


def test_verify_prints_the_files_sha256_first(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The content verdict is the entries'; the file's hash is what to compare with the
    published one, and a bundle re-zipped with other metadata has another."""
    data, _ = refusal_history
    exported = data.parent / "final.zip"
    shutil.copy(exported, tmp_path / "b.zip")
    rezipped = rezip(exported, tmp_path / "rezipped.zip", lambda entries: None)
    for path, note in ((tmp_path / "b.zip", False), (rezipped, True)):
        done = run_pingyi("audit", "verify", path.name, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == f"{path.name}  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}"
        rezipped = "注意 note: 此压缩包不是 pingyi audit export 写出的样子 (entry dates"
        assert (rezipped in done.stdout) is note
        assert lines[-1] == (
            "一致 identical: 重算的结果与审计包中的结果逐字节相同 "
            "(the recomputed results are byte-identical to the bundle's)"
        )


def _manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def edit(entries: dict[str, bytes]) -> None:
        manifest = json.loads(entries["manifest.json"])
        change(manifest)
        entries["manifest.json"] = json.dumps(manifest).encode()

    return edit


def _results(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    """The results changed, and the manifest made to match them."""

    def edit(entries: dict[str, bytes]) -> None:
        results = json.loads(entries["results.json"])
        change(results)
        entries["results.json"] = canonical_json(results)
        _manifest(lambda m: m["parts"].update({"results.json": _entry(entries["results.json"])}))(
            entries
        )

    return edit


def _cut_survey_line(entries: dict[str, bytes]) -> None:
    """The survey log's first line cut in the middle of a string; the manifest made to match."""
    log = entries["messages/survey.jsonl"]
    end = log.index(b"\n")
    entries["messages/survey.jsonl"] = log[: end // 2] + log[end:]
    part = {"messages/survey.jsonl": _entry(entries["messages/survey.jsonl"])}
    _manifest(lambda m: m["parts"].update(part))(entries)


def _entry(content: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}


BROKEN: list[tuple[str, Callable[[dict[str, bytes]], None], Reason]] = [
    (
        "a message line cut short",
        _cut_survey_line,
        (
            "messages/survey.jsonl: 第 1 行不是消息 (line 1 is not a message: ",
            f"{INVALID_JSON}EOF while parsing",
        ),
    ),
    (
        "origins holding an object",
        _manifest(lambda m: m.update(origins=[{"registry": 1}])),
        "manifest.json: 来源 [{'registry': 1}] 不都在 registry, survey, inspection, scoring 之中 "
        "(origins [{'registry': 1}] are not among",
    ),
    (
        "a part's size as text",
        _manifest(
            lambda m: m["parts"]["scheme.json"].update(
                bytes=str(m["parts"]["scheme.json"]["bytes"])
            )
        ),
        ("字节, 清单写的是 '", "bytes, the manifest says '"),
    ),
    (
        "an engine revision as text",
        _results(lambda r: r.update(engine_revision="x")),
        "无法重算 cannot recompute: results.json: engine_revision 'x' 不是计分引擎的版本号 "
        "(engine_revision 'x' is not a revision)",
    ),
]


@pytest.mark.parametrize(("change", "reason"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_bundle_is_refused_in_one_line_naming_what(
    refusal_history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], None],
    reason: Reason,
) -> None:
    """The file's hash, then one line naming the part and what is wrong with it: not
    pydantic's several lines, not a TypeError, not a stand-in value."""
    data, _ = refusal_history
    rezip(data.parent / "final.zip", tmp_path / "b.zip", change)
    done = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    (_, refusal) = done.stdout.splitlines()
    for part in (reason,) if isinstance(reason, str) else reason:
        assert part in refusal, done.stdout


def test_a_refusal_is_one_line_however_long(tmp_path: Path) -> None:
    """Written to a pipe (not a terminal), a long message stays one line, not cut at 80."""
    missing = tmp_path / ("一个很长的审计包文件名" * 6 + ".zip")
    done = run_pingyi("audit", "verify", str(missing), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = [row for row in done.stdout.splitlines() if "bundle refused" in row]
    assert len(line) > 80 and str(missing) in line
