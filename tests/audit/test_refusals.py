"""What the auditors' commands refuse, as an auditor runs them (a process of its own, no
PINGYI_* settings, data the real services wrote): exit 2 with one line naming the problem,
never a traceback (whose exit 1 would read as "different"), never a pass when nothing was
compared, and nothing written. 0 identical, 1 different, 2 could not check (docs/audit.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle, write_bundle
from services.scoring.engine import score_round
from shared.canonical import canonical_json
from shared.persistence.message_log import read_messages
from tests.audit.stores import copy_of, embedded, run_pingyi, scored_history

SCHEME = Path(__file__).parent / "schemes" / "satisfaction.yaml"
NOBODY = "00000000-0000-0000-0000-000000000000"
"""A campaign id no registry log knows."""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The data directory (two round-1 runs of one campaign) and, beside it, `final.zip`:
    the final run's bundle as `pingyi audit export` writes it."""
    data = tmp_path_factory.mktemp("refusals") / "pingyi-data"
    facts = scored_history(data)
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", "final.zip",
        "--data-dir", str(data), cwd=data.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return data, facts


def _refused(done: Any, *reasons: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for reason in reasons:
        assert reason in done.stdout, done.stdout


def _rezipped(source: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    change(entries)
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return target


def _about(**changes: Any) -> Callable[[dict[str, bytes]], None]:
    def change(entries: dict[str, bytes]) -> None:
        manifest = json.loads(entries["manifest.json"])
        for key, value in changes.items():
            manifest["about"][key] = value
        entries["manifest.json"] = json.dumps(manifest).encode()

    return change


# --- export: a run of that campaign and round, a round that exists -----------------------


@pytest.mark.parametrize("which", ["another round", "another campaign"])
def test_export_refuses_a_run_not_of_the_campaign_and_round(
    history: tuple[Path, dict[str, Any]], tmp_path: Path, which: str
) -> None:
    data, facts = history
    run_id = facts["runs"][1]["run_id"]  # round 1, final
    asked = (
        ["--campaign", facts["campaign_id"], "--round", "2"]
        if which == "another round"
        else ["--campaign", NOBODY]
    )
    done = run_pingyi(
        "audit", "export", *asked, "--run", run_id, "--out", "b.zip", "--data-dir", str(data),
        cwd=tmp_path,
    )  # fmt: skip
    _refused(
        done,
        f"无法导出 export cannot run: 计分 {run_id} 属于评议活动 {facts['campaign_id']} 第 1 轮, "
        "不属于评议活动 ",
        f"(round run {run_id} is of campaign {facts['campaign_id']} round 1, not of campaign ",
    )
    assert list(tmp_path.iterdir()) == []


def test_export_of_a_run_takes_its_round(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    run_id = facts["runs"][0]["run_id"]  # the provisional one
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"].upper(), "--run", run_id,
        "--out", "b.zip", "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    about = read_bundle(tmp_path / "b.zip").manifest["about"]
    assert (about["campaign_id"], about["round"], about["run_id"]) == (
        facts["campaign_id"],  # as every contract prints it, however it was typed
        1,
        run_id,
    )


@pytest.mark.parametrize(
    ("campaign", "round_", "reason"),
    [
        (NOBODY, "1", f"中没有评议活动 {NOBODY}: 无可导出 (the registry log (to position "),
        (None, "3", "没有第 3 轮: 无可导出 (campaign "),
    ],
    ids=["unknown campaign", "round past the cycle"],
)
def test_export_under_a_scheme_refuses_a_round_with_nothing_to_score(
    history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    campaign: str | None,
    round_: str,
    reason: str,
) -> None:
    data, facts = history
    done = run_pingyi(
        "audit", "export", "--campaign", campaign or facts["campaign_id"], "--round", round_,
        "--scheme", str(SCHEME), "--out", "b.zip", "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    _refused(done, reason)
    assert list(tmp_path.iterdir()) == []


# --- verify: nothing compared is no pass; the manifest's statements; the file's hash ------


def test_verify_of_a_bundle_with_no_unit_is_nothing_to_check(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A bundle of a campaign the logs do not know, its results (no unit) recomputed
    byte-identically: a check that compared nothing."""
    data, _ = history
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
    _refused(
        done,
        f"无可核对 nothing to check: 评议活动 {NOBODY} 第 1 轮没有单位, 审计包的结果中没有, "
        f"由其消息重算也没有: 无可比较 (campaign {NOBODY} round 1 has no unit, in the bundle's "
        "results or recomputed from its messages: nothing to compare)",
    )
    assert "identical" not in done.stdout


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_about(round=0), "about.round 0 不是轮次 (从 1 起的整数) (about.round 0 is not a round"),
        (_about(round=2), "about.round 是 2, 结果却属于第 1 轮 (about.round is 2, the results "),
        (
            _about(read_to={"registry": 1}),
            "about.read_to.registry 是 1, 审计包中的 registry 日志到位置 ",
        ),
        (_about(campaign_id=NOBODY), f"about.campaign_id 是 {NOBODY}, 结果却属于评议活动 "),
    ],
    ids=["round 0", "another round", "read_to short", "another campaign"],
)
def test_verify_refuses_a_manifest_that_misstates_the_bundle(
    history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], None],
    reason: str,
) -> None:
    data, _ = history
    _rezipped(data.parent / "final.zip", tmp_path / "b.zip", change)
    done = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    _refused(done, "bundle refused: manifest.json: " + reason)


def test_verify_prints_the_files_sha256_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The content verdict is the entries'; the file's hash is what to compare with the
    published one, and a bundle re-zipped with other metadata has another."""
    data, _ = history
    exported = data.parent / "final.zip"
    shutil.copy(exported, tmp_path / "b.zip")
    rezipped = _rezipped(exported, tmp_path / "rezipped.zip", lambda entries: None)
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


# --- no traceback, ever ------------------------------------------------------------------


def _garbage_stores(data: Path, tmp_path: Path) -> Path:
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    for service in ("registry", "survey", "inspection", "scoring"):
        (garbage / f"{service}.sqlite").write_text("garbage")
    return garbage


def _replay_of_garbage(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
    return ["replay", "--verify", "--data-dir", str(_garbage_stores(data, tmp_path))]


def _export_of_garbage(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
    garbage = _garbage_stores(data, tmp_path)
    return ["audit", "export", "--campaign", facts["campaign_id"], "--out", "b.zip",
            "--data-dir", str(garbage)]  # fmt: skip


def _export_of_undecodable(*extra: str) -> Callable[[Path, dict[str, Any], Path], list[str]]:
    """The stored body of B-00000's batch part cut by one byte: no longer JSON. Said with
    its place (it was pydantic's `ValidationError`, with a link, and no place)."""

    def args(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
        cut = copy_of(data, tmp_path / "cut")
        with sqlite3.connect(cut / "survey.sqlite") as db:
            (position, body) = db.execute(
                "SELECT rowid, message FROM stored_events WHERE instr(message, ?) > 0",
                (b"B-00000",),
            ).fetchone()
            db.execute(
                "UPDATE stored_events SET message = ? WHERE rowid = ?", (body[:-1], position)
            )
        return ["audit", "export", "--campaign", facts["campaign_id"], "--out", "b.zip",
                "--data-dir", str(cut), *extra]  # fmt: skip

    return args


def _export(*extra: str) -> Callable[[Path, dict[str, Any], Path], list[str]]:
    def args(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
        return ["audit", "export", "--out", "b.zip", "--data-dir", str(data), *extra]

    return args


def _scheme_file(content: bytes) -> Callable[[Path, dict[str, Any], Path], list[str]]:
    def args(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
        (tmp_path / "scheme.yaml").write_bytes(content)
        return _export("--campaign", facts["campaign_id"], "--scheme", "scheme.yaml")(
            data, facts, tmp_path
        )

    return args


def _verify_flipped(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
    damaged = bytearray((data.parent / "final.zip").read_bytes())
    damaged[100] ^= 0xFF  # inside the first entry's compressed bytes
    (tmp_path / "b.zip").write_bytes(bytes(damaged))
    return ["audit", "verify", "b.zip"]


def _verify_round_one(data: Path, facts: dict[str, Any], tmp_path: Path) -> list[str]:
    _rezipped(data.parent / "final.zip", tmp_path / "b.zip", _about(round="one"))
    return ["audit", "verify", "b.zip"]


_INVALID_JSON = "Invalid JSON: "
"""Pydantic's words for a body that does not decode, after their Chinese or alone
(`shared.reasons.first_problem`): asserted in the same line as what names the body."""
Reason = str | tuple[str, ...]
"""What the refusal's one line says: a text, or texts all in that line."""

CRASHES: list[tuple[str, Callable[[Path, dict[str, Any], Path], list[str]], Reason]] = [
    ("replay, stores not databases", _replay_of_garbage, "cannot be read: DatabaseError: file"),
    (
        "export, stores not databases",
        _export_of_garbage,
        (
            "export cannot run: registry 的事件库 ",
            " 无法读取 (the registry event store at ",
            "cannot be read: DatabaseError: file",
        ),
    ),
    (
        "export, campaign not a UUID",
        _export("--campaign", "foo"),
        "'foo' 不是评议活动编号 (UUID) (campaign 'foo' is not a campaign id (a UUID))",
    ),
    (
        "export, a stored body that no longer decodes",
        _export_of_undecodable(),
        (
            "export cannot run: messages/survey.jsonl: 位置 8 之后的 survey 消息 (第 3 行)无法解码"
            " (the survey message after position 8 (line 3) does not decode): ",
            _INVALID_JSON,
        ),
    ),
    (
        "export under a scheme, a stored body that no longer decodes",
        _export_of_undecodable("--scheme", str(SCHEME)),
        (
            "export cannot run: survey 位置 13 的消息无法解码 "
            "(survey position 13 does not decode): ",
            _INVALID_JSON,
        ),
    ),
    (
        "export, scheme the engine refuses",
        _scheme_file(b"scheme_id: incomplete\nversion: 1\n"),
        "方案文件 scheme.yaml 不是有效的计分方案 (scheme.yaml is not a valid scheme): ",
    ),
    (
        "export, scheme not UTF-8",
        _scheme_file("title: 评议\n".encode("gb18030")),
        "文件 scheme.yaml 不是有效的 YAML/JSON: 文本须为 UTF-8 编码, 第 7 字节不是 (scheme.yaml"
        " is not valid YAML/JSON: the text is not UTF-8 (byte 7 is not))",
    ),
    ("verify, a byte flipped early", _verify_flipped, "bundle refused: scheme.json: "),
    ("verify, round 'one'", _verify_round_one, "about.round 'one' is not a round number"),
]


@pytest.mark.parametrize(
    ("arguments", "reason"), [c[1:] for c in CRASHES], ids=[c[0] for c in CRASHES]
)
def test_what_cannot_be_checked_is_exit_2_with_a_reason_never_a_traceback(
    history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    arguments: Callable[[Path, dict[str, Any], Path], list[str]],
    reason: Reason,
) -> None:
    data, facts = history
    args = arguments(data, facts, tmp_path)
    done = run_pingyi(*args, cwd=tmp_path)
    said = (reason,) if isinstance(reason, str) else reason
    _refused(done, *said)
    lines = done.stdout.splitlines()
    assert len([line for line in lines if all(part in line for part in said)]) == 1
    if args[:2] == ["audit", "export"]:
        assert not (tmp_path / "b.zip").exists()


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
            f"{_INVALID_JSON}EOF while parsing",
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
    history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    change: Callable[[dict[str, bytes]], None],
    reason: Reason,
) -> None:
    """The file's hash, then one line naming the part and what is wrong with it: not
    pydantic's several lines, not a TypeError, not a stand-in value."""
    data, _ = history
    _rezipped(data.parent / "final.zip", tmp_path / "b.zip", change)
    done = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    (_, refusal) = done.stdout.splitlines()
    for part in (reason,) if isinstance(reason, str) else reason:
        assert part in refusal, done.stdout


@pytest.mark.parametrize("where", ["a folder", "a folder that does not exist"])
def test_export_refuses_an_out_it_cannot_write_and_leaves_nothing(
    history: tuple[Path, dict[str, Any]], tmp_path: Path, where: str
) -> None:
    """Refused before any log is read; a folder at --out used to be found only by the
    finished bundle's rename, which left the whole bundle beside it as `<out>.partial`."""
    data, facts = history
    out = tmp_path / "审计包" if where == "a folder" else tmp_path / "没有的目录" / "第一轮.zip"
    if where == "a folder":
        out.mkdir()
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", str(out),
        "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    expected = (
        f"{out} 是文件夹: 请写出要在其中写入的审计包文件名 (--out {out} is a folder"
        if where == "a folder"
        else f"没有文件夹 {out.parent} (--out {out}: there is no folder {out.parent})"
    )
    _refused(done, "export cannot run: --out ", expected)
    assert ".partial" not in done.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == (["审计包"] if out.is_dir() else [])


# --- a store a replay or an export reads is missing, or cannot be read -------------------


def _without_inspection(data: Path, target: Path) -> Path:
    target.mkdir()
    for service in ("registry", "survey", "scoring"):
        shutil.copy(data / f"{service}.sqlite", target / f"{service}.sqlite")
    return target


def test_replay_without_the_inspection_store_checks_nothing(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, _ = history
    partial = _without_inspection(data, tmp_path / "pingyi-data")
    before = sorted(p.name for p in partial.iterdir())
    done = run_pingyi("replay", "--verify", "--data-dir", str(partial), cwd=tmp_path)
    _refused(done, "replay cannot run: no event store to verify from: inspection:")
    assert "score runs identical" not in done.stdout
    assert sorted(p.name for p in partial.iterdir()) == before


def test_a_run_whose_logs_cannot_be_read_is_not_a_difference(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A survey message stored without its body (the offline reader cannot read it): both
    runs could not be compared, which is neither identical nor different."""
    data, facts = history
    unreadable = copy_of(data, tmp_path / "pingyi-data")
    with sqlite3.connect(unreadable / "survey.sqlite") as db:
        db.execute(
            "UPDATE stored_events SET message = NULL WHERE rowid ="
            " (SELECT min(rowid) FROM stored_events WHERE length(message) > 0)"
        )
    done = run_pingyi("replay", "--verify", "--data-dir", str(unreadable), cwd=tmp_path)
    _refused(done, "0 of 2 score runs identical, 0 different, 2 could not be checked")
    for run in facts["runs"]:
        assert any(
            run["run_id"] in line and "cannot read the logs" in line
            for line in done.stdout.splitlines()
        ), done.stdout


def test_export_under_a_scheme_refuses_a_missing_store_unless_told(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    partial = _without_inspection(data, tmp_path / "pingyi-data")
    args = ["audit", "export", "--campaign", facts["campaign_id"], "--scheme", str(SCHEME),
            "--out", "b.zip", "--data-dir", str(partial)]  # fmt: skip
    done = run_pingyi(*args, cwd=tmp_path)
    _refused(
        done,
        "export cannot run: 没有 inspection 的事件库 (",
        "如要不含它导出, 请加 --allow-missing inspection (no event store of inspection",
    )
    assert not (tmp_path / "b.zip").exists()

    done = run_pingyi(*args, "--allow-missing", "inspection", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "警告 warning: 没有 inspection 的事件库: 审计包中没有 inspection 的消息 "
        "(no inspection event store: the bundle holds no inspection log)"
    ) in done.stderr
    assert read_bundle(tmp_path / "b.zip").origins == ["registry", "survey", "scoring"]


def test_a_refusal_is_one_line_however_long(tmp_path: Path) -> None:
    """Written to a pipe (not a terminal), a long message stays one line, not cut at 80."""
    missing = tmp_path / ("一个很长的审计包文件名" * 6 + ".zip")
    done = run_pingyi("audit", "verify", str(missing), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = [row for row in done.stdout.splitlines() if "bundle refused" in row]
    assert len(line) > 80 and str(missing) in line
