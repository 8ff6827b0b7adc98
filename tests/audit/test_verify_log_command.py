"""`pingyi audit verify-log` never says a log is intact when nothing in it was checked: a log
holding rows of which none is sealed (its checkpoints removed, or written without its
sealer) is named as not verified, and the command exits 2, as the other audit commands do
when they checked nothing (docs/audit.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.integrity.keys import public_bytes, verifying_key
from tests.audit.stores import copy_of, embedded, run_pingyi
from tests.integrity.helpers import history, sealing


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A data directory every service sealed to its last row, and the auditor's settings
    (the public key only)."""
    data = tmp_path_factory.mktemp("verify-log") / "pingyi-data"
    common = sealing(embedded(data))
    history(common)
    key = verifying_key(common)
    assert key is not None
    return data, {"PINGYI_SEAL_PUBLIC_KEY": public_bytes(key).hex()}


def test_sealed_logs_are_intact(sealed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    data, auditor = sealed
    done = run_pingyi("audit", "verify-log", "--data-dir", str(data), cwd=tmp_path, env=auditor)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not verified" not in done.stdout


def test_a_log_whose_checkpoints_are_gone_is_not_verified(
    sealed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """Survey's checkpoints deleted (one file in embedded mode): its rows were all listed as
    "not sealed yet" under "intact", and the command exited 0 — the removal of every proof
    passed as a clean bill."""
    data, auditor = sealed
    copy = copy_of(data, tmp_path / "pingyi-data")
    (copy / "survey-seals.sqlite").unlink()
    done = run_pingyi("audit", "verify-log", "--data-dir", str(copy), cwd=tmp_path, env=auditor)
    assert done.returncode == 2, done.stdout + done.stderr
    (survey,) = [line for line in done.stdout.splitlines() if line.startswith("survey: ")]
    assert "未校验 not verified: no row is sealed yet" in survey and "intact" not in survey
    summary = done.stdout.splitlines()[-1]
    assert summary.endswith("logs intact; not verified (no row sealed): survey"), summary
    assert not summary.startswith("4 of 4")


def test_only_unsealed_logs_are_nothing_verified(
    sealed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data, auditor = sealed
    copy = copy_of(data, tmp_path / "pingyi-data")
    for seals in copy.glob("*-seals.sqlite"):
        seals.unlink()
    done = run_pingyi("audit", "verify-log", "--data-dir", str(copy), cwd=tmp_path, env=auditor)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    for line in done.stdout.splitlines()[:-1]:  # a log without rows has nothing to seal
        assert "not verified" in line or line.endswith(
            ": 0 rows, 0 checkpoints — intact, 0 rows sealed"
        )
    assert "not verified (no row sealed): registry, survey, scoring" in done.stdout
