"""`pingyi up` and `pingyi rebuild` refuse what they cannot do in one line and exit 2, before
anything starts: a port in use, a data directory that cannot be written, one a running
system holds, a rebuild pointed at no data. Never a page of tracebacks, never a store made
where there was none."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from pingyi.catalog import NAMES as SERVICES
from tests.conftest import ADMIN_KEY
from tests.e2e.processes import ROOT, Proc, pingyi_command, wait_ready
from tests.ports import quiet_ports


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    env |= {"PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY, "PINGYI_DATA_DIR": str(data_dir)}
    return env


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        pingyi_command(*args),
        cwd=ROOT,
        env=_env(data_dir) | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "Traceback" not in said, said
    for word in words:
        assert word in said, said
    return said


def test_a_port_in_use_is_named_before_anything_starts(tmp_path: Path) -> None:
    base = quiet_ports(5)[0]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base + 2))
        taken.listen()
        done = _run(tmp_path / "data", "up", "--base-port", str(base))
    _refused(done, "cannot start", f"port {base + 2}", f"({SERVICES[2]})", "--base-port")
    assert not (tmp_path / "data").exists()  # refused before anything started: no trace


def test_a_port_in_use_leaves_a_data_directory_that_was_there_as_it_was(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "registry.sqlite").write_bytes(b"")
    base = quiet_ports(5)[0]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base))
        taken.listen()
        done = _run(data, "up", "--base-port", str(base))
    _refused(done, "cannot start", f"port {base}")
    assert (data / "registry.sqlite").exists()


def test_a_port_out_of_range_is_a_bad_option(tmp_path: Path) -> None:
    done = _run(tmp_path / "data", "up", "--base-port", "70000")
    _refused(done, "--base-port")
    assert not (tmp_path / "data").exists()


def test_a_data_directory_that_cannot_be_made_is_said_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "key"
    a_file.write_text("not a directory", encoding="utf-8")
    done = _run(a_file / "data", "up", "--base-port", str(quiet_ports(5)[0]))
    _refused(done, "cannot use", "as the data directory")


def test_one_system_writes_a_data_directory_at_a_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    base = quiet_ports(5)[0]
    first = Proc(
        "pingyi up", pingyi_command("up", "--base-port", str(base)), _env(data), tmp_path / "up.log"
    )
    first.start()
    try:
        wait_ready(f"http://127.0.0.1:{base}", first)
        second = _run(data, "up", "--base-port", str(quiet_ports(5)[0]))
        assert first.process is not None
        _refused(second, "in use by pingyi up", f"pid {first.process.pid}")
        rebuild = _run(data, "rebuild", "survey")
        _refused(rebuild, "无法重建 rebuild cannot run: ", "in use by pingyi up")
    finally:
        assert first.stop() == 0, first.output()[-3000:]
    # Stopped, the directory is free again: a rebuild of the stopped service runs.
    rebuilt = _run(data, "rebuild", "survey")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    # The table's headers Chinese first, the English after each whole.
    (header,) = [line for line in rebuilt.stdout.splitlines() if "视图 view" in line]
    cells = [cell.strip() for cell in header.strip("│┃ ").split("┃")]
    assert cells == ["视图 view", "上游位置 upstream positions", "已应用的消息 messages applied"]


def test_a_rebuild_pointed_at_no_data_makes_none(tmp_path: Path) -> None:
    typo = tmp_path / "typo_dir"
    done = _run(typo, "rebuild", "reporting")
    said = _refused(
        done,
        "无法重建 rebuild cannot run: 没有重建所依据的事件库 (no event store to rebuild from): ",
    )
    assert "--data-dir" in said, said
    assert not typo.exists() or not any(typo.iterdir())


def test_a_service_that_cannot_start_stops_the_system_in_a_few_lines(tmp_path: Path) -> None:
    """A damaged file in the data directory: one service's start fails. It was a page of
    tracebacks (uvicorn's SystemExit inside one of five tasks, the others cancelled with a
    traceback each, the store's error in full); now the reason in one line, the system
    stopped, exit 3 (a failed start, as `pingyi serve` exits)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "reporting-views.sqlite").write_bytes(b"not a database, whatever it was" * 4)
    done = _run(data, "up", "--base-port", str(quiet_ports(5)[0]))
    said = done.stdout + done.stderr
    assert done.returncode == 3, said
    assert "Traceback" not in said, said
    assert len(said.strip().splitlines()) <= 4, said
    assert "cannot start: reporting" in said and "file is not a database" in said, said
    assert str(data) in said, said
    assert "pingyi up stopped: reporting did not start" in said, said
