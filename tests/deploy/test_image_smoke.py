"""The image built and run for real: scripts/image-smoke.sh, end to end, from the suite.

The script builds deploy/Dockerfile with a private dockerd, runs the five services from the
image against the suite's PostgreSQL and NATS, and checks probes, one event crossing
services, the HEALTHCHECK and a graceful stop (see its header). This test runs it and then
checks, from outside, that it left nothing behind: no database, no streams, no dockerd, no
work directory. It is skipped only where the script cannot run at all — not root, or no apt
to install the engine with — and says why.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import nats
import psycopg
import pytest

from tests.conftest import NATS_URL, PG_ADMIN_URL
from tests.deploy.compose_checks import ROOT

pytestmark = [pytest.mark.container, pytest.mark.infra]

SCRIPT = ROOT / "scripts" / "image-smoke.sh"
# A fresh machine also installs docker.io and debootstraps the base (cached afterwards).
TIMEOUT_SECONDS = 900
# A build in progress finishes before the script's trap runs, then the trap removes it all.
CLEANUP_SECONDS = 240
STEPS = [
    "private dockerd up",
    "base image python:3.11-slim imported",
    "HEALTHCHECK",
    "/healthz 200 on every service",
    "/readyz 200 on every service",
    "reached survey, inspection, scoring and reporting through NATS",
    "the image's HEALTHCHECK reports every container healthy",
    "exited 0",
    "docker stop during start-up: exited 0",
    "passed, cleaned up",
]


def _cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "the image smoke test needs root (it installs packages and runs a dockerd)"
    engine = Path("/usr/sbin/dockerd").exists() and Path("/usr/bin/docker").exists()
    if not (engine and shutil.which("debootstrap")) and not shutil.which("apt-get"):
        return "no docker.io/debootstrap and no apt-get to install them"
    return None


async def _streams(prefix: str) -> list[str]:
    nc = await nats.connect(NATS_URL)
    try:
        names = [info.config.name for info in await nc.jetstream().streams_info()]
    finally:
        await nc.close()
    return [name for name in names if name and name.startswith(prefix)]


def _left_behind(smoke_id: str, work_dir: str) -> list[str]:
    left = []
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [smoke_id]).fetchone()
    if row:
        left.append(f"database {smoke_id}")
    left += [f"stream {name}" for name in asyncio.run(_streams(smoke_id.upper() + "_"))]
    if Path(work_dir).exists():
        left.append(f"work directory {work_dir}")
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if work_dir in cmdline:
            left.append(f"process {proc.name}: {cmdline[:200]}")
    return left


def _run_script() -> subprocess.CompletedProcess[str]:
    """The script, stopped with SIGTERM (never SIGKILL) if it overruns, so that its trap
    still removes what it made; then the overrun fails the test."""
    env = {**os.environ, "PINGYI_SMOKE_PG": PG_ADMIN_URL, "PINGYI_SMOKE_NATS": NATS_URL}
    with subprocess.Popen(
        ["bash", str(SCRIPT)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=CLEANUP_SECONDS)
            pytest.fail(f"image-smoke.sh overran {TIMEOUT_SECONDS}s\n{stdout}\n{stderr[-4000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


# pytest-timeout's default (pyproject) is shorter than a build; leave room for the cleanup.
@pytest.mark.timeout(TIMEOUT_SECONDS + CLEANUP_SECONDS + 60)
def test_image_builds_runs_and_stops_cleanly() -> None:
    reason = _cannot_run()
    if reason:
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    result = _run_script()
    output = result.stdout + result.stderr
    # The script's own lines first (they name the failed step), then the containers' logs.
    steps = "\n".join(line for line in output.splitlines() if line.startswith("[image-smoke"))
    assert result.returncode == 0, f"{steps}\n--- output (end):\n{output[-5000:]}"

    missing = [step for step in STEPS if step not in result.stdout]
    assert not missing, f"steps not reported: {missing}\n{output[-4000:]}"

    smoke_id = re.search(r"database and NATS namespace (smoke[0-9a-f]+)", result.stdout)
    work_dir = re.search(r"work directory (/tmp/pingyi-smoke\.\w+)", result.stdout)
    assert smoke_id and work_dir, output[-4000:]
    assert _left_behind(smoke_id.group(1), work_dir.group(1)) == []
