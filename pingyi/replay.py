"""Auditors' replay, composed: scoring's verifier given the upstream logs to read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from pingyi.composition import open_outbox
from services.scoring.replay import VerifyResult
from services.scoring.replay import verify as verify_runs
from shared.settings import CommonSettings


def verify(
    common: CommonSettings, run_ids: Iterable[UUID] | None = None, **options: Any
) -> list[VerifyResult]:
    """Every stored score run (or the given ones) recomputed from the stored logs."""
    return verify_runs(
        common, run_ids, open_log=lambda service: open_outbox(service, common), **options
    )


def verify_run(common: CommonSettings, run_id: UUID, **options: Any) -> VerifyResult:
    return verify(common, [run_id], **options)[0]
