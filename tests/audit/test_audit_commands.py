"""`pingyi audit export` and `pingyi audit verify` as an auditor runs them: a process of its
own with no PINGYI_* settings. What is refused is refused before anything is computed or
written, with exit 2 and the reason; verify loads no store, no driver and no service."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pingyi.audit_bundle import write_bundle
from shared.persistence.message_log import read_messages
from tests.audit.stores import ROOT, embedded, run_pingyi, scored_history


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("commands") / "pingyi-data"
    scored_history(data)
    return data


CAMPAIGN = "00000000-0000-0000-0000-000000000000"


def _bundle(data: Path, path: Path) -> Path:
    """A bundle that reads (its manifest states what it holds) but whose scheme is none."""
    common = embedded(data)
    messages = {o: list(read_messages(common, o)) for o in ("registry", "survey")}
    write_bundle(
        path,
        scheme={"scheme_id": "s", "version": 1},
        messages={o: (m.data for m in found) for o, found in messages.items()},
        results={"campaign_id": CAMPAIGN, "round": 1, "units": []},
        about={
            "campaign_id": CAMPAIGN,
            "round": 1,
            "read_to": {o: found[-1].position for o, found in messages.items()},
        },
    )
    return path


def test_verify_refuses_an_edited_bundle_naming_the_part(data: Path, tmp_path: Path) -> None:
    good = _bundle(data, tmp_path / "good.zip")
    with zipfile.ZipFile(good) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["messages/survey.jsonl"] = entries["messages/survey.jsonl"].replace(
        "不满意".encode(), "满意".encode(), 1
    )
    with zipfile.ZipFile(tmp_path / "edited.zip", "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    done = run_pingyi("audit", "verify", "edited.zip", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bundle refused: messages/survey.jsonl: sha256" in done.stdout
    assert "does not match the manifest" in done.stdout


def test_verify_refuses_what_is_no_bundle(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("评议结果", encoding="utf-8")
    done = run_pingyi("audit", "verify", "notes.txt", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bundle refused: 不是可读取的审计包 (not a readable bundle: " in done.stdout
    done = run_pingyi("audit", "verify", "absent.zip", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bundle refused: 没有这个文件: absent.zip (no such file: absent.zip)" in done.stdout
    assert "Errno" not in done.stdout


def test_verify_loads_no_store_driver_or_service(data: Path, tmp_path: Path) -> None:
    bundle = _bundle(data, tmp_path / "b.zip")
    script = (
        "import json, sys\n"
        "from pingyi.cli import app\n"
        "try:\n"
        f"    app(['audit', 'verify', {str(bundle)!r}])\n"
        "except SystemExit as stop:\n"
        "    code = stop.code\n"
        "roots = ('services', 'eventsourcing', 'psycopg', 'nats', 'fastapi', 'sqlite3')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}  # no PINGYI_* at all
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 2, done.stderr  # its scheme is no scheme: the engine said so
    engine = ("services", "services.scoring", "services.scoring.engine")
    stray = [m for m in report["loaded"] if m not in engine and not m.startswith(engine[2] + ".")]
    assert stray == []


def test_export_from_the_wrong_folder_creates_nothing(tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps({"scheme_id": "s"}), encoding="utf-8")
    done = run_pingyi(
        "audit", "export", "--campaign", CAMPAIGN, "--scheme", "scheme.json", "--out", "b.zip",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "无法导出 export cannot run: " in done.stdout
    assert "没有 registry 的事件库 (no registry event store at " in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scheme.json"]


def test_export_refuses_a_scheme_file_it_cannot_read(data: Path, tmp_path: Path) -> None:
    (tmp_path / "scheme.yaml").write_text("- 不是\n- 方案\n", encoding="utf-8")
    (tmp_path / "twice.yaml").write_text("title: 甲\ntitle: 乙\n", encoding="utf-8")
    for name, reason in (
        (
            "scheme.yaml",
            "方案文件 scheme.yaml 不是有效的计分方案 (scheme.yaml is not a valid scheme): "
            "$: 方案须为键值映射 (a scheme is a mapping of keys to values)",
        ),
        (
            "twice.yaml",
            "export cannot run: 文件 twice.yaml 不是有效的 YAML/JSON: 第 2 行第 1 列: 键 'title'",
        ),
        ("twice.yaml", "(twice.yaml is not valid YAML/JSON: line 2, column 1: the key 'title'"),
        ("absent.yaml", "没有这个文件: absent.yaml (no such file: absent.yaml)"),
    ):
        done = run_pingyi(
            "audit", "export", "--campaign", CAMPAIGN, "--scheme", name, "--out", "b.zip",
            "--data-dir", str(data), cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 2, done.stdout + done.stderr
        assert reason in done.stdout
        assert not (tmp_path / "b.zip").exists()


def test_a_count_of_one_message_is_said_in_the_singular() -> None:
    from pingyi.audit_commands import _messages

    assert (_messages(1), _messages(2), _messages(0)) == ("1 message", "2 messages", "0 messages")
