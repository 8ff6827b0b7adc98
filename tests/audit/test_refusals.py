"""What the auditors' commands cannot check is said, never a traceback. As an auditor runs the
commands (a process of its own, no PINGYI_* settings, data the real services wrote): exit 2
with one line naming the problem, never a traceback (whose exit 1 would read as
"different"), never a pass when nothing was compared, and nothing written. 0 identical,
1 different, 2 could not check (docs/audit.md)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.audit.bundle_helpers import rezip
from tests.audit.refusal_helpers import (
    INVALID_JSON,
    SCHEME,
    Reason,
    about_changed,
    refused,
)
from tests.audit.stores import copy_of, run_pingyi


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
    rezip(data.parent / "final.zip", tmp_path / "b.zip", about_changed(round="one"))
    return ["audit", "verify", "b.zip"]


CRASHES: list[tuple[str, Callable[[Path, dict[str, Any], Path], list[str]], Reason]] = [
    (
        "replay, stores not databases",
        _replay_of_garbage,
        (
            "无法重放 replay cannot run: scoring 的事件库 ",
            " 无法读取 (the scoring event store at ",
            "cannot be read: DatabaseError: file",
        ),
    ),
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
            INVALID_JSON,
        ),
    ),
    (
        "export under a scheme, a stored body that no longer decodes",
        _export_of_undecodable("--scheme", str(SCHEME)),
        (
            "export cannot run: survey 位置 13 的消息无法解码 "
            "(survey position 13 does not decode): ",
            INVALID_JSON,
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
    refusal_history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    arguments: Callable[[Path, dict[str, Any], Path], list[str]],
    reason: Reason,
) -> None:
    data, facts = refusal_history
    args = arguments(data, facts, tmp_path)
    done = run_pingyi(*args, cwd=tmp_path)
    said = (reason,) if isinstance(reason, str) else reason
    refused(done, *said)
    lines = done.stdout.splitlines()
    assert len([line for line in lines if all(part in line for part in said)]) == 1
    if args[:2] == ["audit", "export"]:
        assert not (tmp_path / "b.zip").exists()
