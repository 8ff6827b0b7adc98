"""Histories the audit tests of several files share, each written once per test process
(package scope): scoring them is what costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.audit.stores import run_pingyi, scored_history


@pytest.fixture(scope="package")
def refusal_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The data directory (two round-1 runs of one campaign) and, beside it, `final.zip`:
    the final run's bundle as `pingyi audit export` writes it. For the refusal tests."""
    data = tmp_path_factory.mktemp("refusals") / "pingyi-data"
    facts = scored_history(data)
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", "final.zip",
        "--data-dir", str(data), cwd=data.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return data, facts


@pytest.fixture(scope="package")
def bundle_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory of a scored history, for the bundle tests to write bundles of."""
    data = tmp_path_factory.mktemp("bundle") / "pingyi-data"
    scored_history(data)
    return data
