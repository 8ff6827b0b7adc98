"""Fail loudly if anything enters psycopg's pipeline mode: with psycopg 3.3.9 a pipelined
statement with a large parameter can wait forever (docs/upstream/psycopg-pipeline-hang), so
our event-store writes must never use it. Whether a given batch hangs depends on socket
buffers and load, so tests refuse the mode itself rather than wait for a hang."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest


def forbid_pipeline_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("psycopg pipeline mode entered")

    monkeypatch.setattr(psycopg.Connection, "pipeline", refuse)
