"""What `pingyi up --demo` tells a first-time user, who has only the README and the terminal:
where the admin key is kept, how to stop, where the published results and the demo's open
voting wave are (the README sends people to both; the wave's id was printed nowhere, and
listing waves needs a key), and that everything stopped. A questionnaire count below one
is a bad option, refused before anything starts; it used to start the services, half load
the demo and end in a traceback."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from pingyi.catalog import NAMES as SERVICES
from tests.e2e.processes import ROOT, Proc, pingyi_command, wait_ready
from tests.e2e.thin_path import wait_until
from tests.ports import quiet_ports


def _env(data_dir: Path) -> dict[str, str]:
    # No PINGYI_BOOTSTRAP_ADMIN_KEY: the key is made and kept in the data directory, as it
    # is for someone following the README.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    return env | {"PINGYI_DATA_DIR": str(data_dir), "COLUMNS": "200"}


@pytest.mark.parametrize("count", ["0", "-5"])
def test_a_questionnaire_count_below_one_is_a_bad_option(tmp_path: Path, count: str) -> None:
    data = tmp_path / "data"
    args = ["up", "--demo", "--base-port", str(quiet_ports(5)[0]), "--questionnaires", count]
    done = subprocess.run(
        pingyi_command(*args),
        cwd=ROOT,
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "--questionnaires" in said and "Traceback" not in said, said
    assert not data.exists()  # refused before anything started


def _start(data: Path, log: Path) -> tuple[Proc, dict[str, str]]:
    base = quiet_ports(len(SERVICES))[0]
    urls = {s: f"http://127.0.0.1:{base + i}" for i, s in enumerate(SERVICES)}
    args = ["up", "--demo", "--questionnaires", "40", "--base-port", str(base)]
    proc = Proc("pingyi up", pingyi_command(*args), _env(data), log).start()
    for url in urls.values():
        wait_ready(url, proc)
    return proc, urls


def _public_wave(proc: Proc, urls: dict[str, str]) -> str:
    pattern = re.escape(urls["survey"]) + r"/public/waves/[0-9a-f-]{36}"
    wait_until(lambda: re.search(pattern, proc.output()) is not None, "the voting wave said")
    found = re.search(pattern, proc.output())
    assert found is not None
    return found.group(0)


def _stopped(proc: Proc) -> str:
    assert proc.stop(timeout=60) == 0, proc.output()
    said = proc.output()
    assert "已停止" in said and "Traceback" not in said, said
    return said


def test_the_demo_says_where_the_key_is_how_to_stop_and_where_to_read_and_vote(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    proc, urls = _start(data, tmp_path / "first.log")
    try:
        wave = _public_wave(proc, urls)
        said = proc.output()
        assert f"管理员密钥保存在 {(data / 'admin-key').resolve()}" in said, said
        assert "Ctrl-C" in said, said
        assert f"{urls['reporting']}/public/pages" in said, said
        shown = httpx.get(wave, timeout=30)
        assert shown.status_code == 200 and shown.json()["status"] == "open", shown.text
        assert httpx.get(f"{urls['reporting']}/public/pages", timeout=30).status_code == 200
    finally:
        _stopped(proc)

    # Started again on the same data, the demo is not loaded twice, and the same wave is said.
    again, urls = _start(data, tmp_path / "second.log")
    try:
        assert _public_wave(again, urls).rsplit("/", 1)[1] == wave.rsplit("/", 1)[1]
        assert "not loaded again" in again.output()
    finally:
        _stopped(again)
