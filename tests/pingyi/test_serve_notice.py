"""`pingyi serve` is production's command. Run with no PINGYI_MODE it serves embedded mode:
it says so in one line on stderr (with where the data goes and what production needs), and
says nothing when the mode was chosen."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.conftest import ADMIN_KEY
from tests.e2e.processes import Proc, pingyi_command, wait_ready
from tests.ports import quiet_ports

NOTICE = "PINGYI_MODE is not set: serving registry in embedded mode"


def _serve_registry(tmp_path: Path, **mode: str) -> str:
    """What `pingyi serve registry` printed by the time it was ready."""
    port = quiet_ports(1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    env |= {
        "PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "PINGYI_DATA_DIR": str(tmp_path / "data"),
        "PINGYI_REGISTRY_PORT": str(port),
        **mode,
    }
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    proc.start()
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc)
    finally:
        proc.stop()
    return proc.output()


def test_serve_without_a_mode_says_it_serves_embedded(tmp_path: Path) -> None:
    said = _serve_registry(tmp_path)
    notices = [line for line in said.splitlines() if NOTICE in line]
    assert len(notices) == 1, said
    assert str((tmp_path / "data").resolve()) in notices[0]
    assert "PINGYI_MODE=production" in notices[0]


def test_serve_with_the_mode_chosen_says_nothing_of_it(tmp_path: Path) -> None:
    said = _serve_registry(tmp_path, PINGYI_MODE="embedded")
    assert "PINGYI_MODE is not set" not in said, said


def test_a_port_in_use_is_refused_in_one_line_before_anything_starts(tmp_path: Path) -> None:
    """Found by uvicorn, it came after "service started" and the children's start, then a
    shutdown and exit 3; now one line naming the port and the variable, exit 2."""
    port = quiet_ports(1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    env |= {
        "PINGYI_MODE": "embedded",
        "PINGYI_DATA_DIR": str(tmp_path / "data"),
        "PINGYI_REGISTRY_PORT": str(port),
    }
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
        code, output = proc.run_to_exit()
    assert code == 2, output
    [said] = output.strip().splitlines()
    assert said.startswith(f"pingyi serve cannot start: port {port} on 127.0.0.1 cannot be used")
    assert "PINGYI_REGISTRY_PORT" in said and "service started" not in output
