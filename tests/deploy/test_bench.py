"""The benchmark still runs end to end against the code it measures (tiny sizes, and no
assertion about speed: only that every path ran, counted right, and cleaned up)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import psycopg
import pytest

from bench.run import main
from tests.conftest import NATS_URL, PG_ADMIN_URL

pytestmark = pytest.mark.infra


def _bench_databases() -> set[str]:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pingyi_bench_%'"
        ).fetchall()
    return {row[0] for row in rows}


def _bench_streams() -> set[str]:
    async def names() -> set[str]:
        nc = await nats.connect(NATS_URL)
        try:
            infos = await nc.jetstream().streams_info()
            return {str(i.config.name) for i in infos if (i.config.name or "").startswith("BENCH")}
        finally:
            await nc.close()

    return asyncio.run(names())


def test_bench_runs_every_path_and_cleans_up(tmp_path: Path) -> None:
    before = _bench_databases()
    streams_before = _bench_streams()
    output = tmp_path / "latest.json"
    args = ["--n", "45", "--units", "3", "--push-batch", "20", "--output", str(output)]
    # One size: each starts the production processes afresh (the sizes loop is the same code).
    args += ["--ingest-sizes", "30", "--ingest-units", "4", "--ingest-batch", "20"]
    args += ["--ingest-naive", "10", "--ingest-profile"]
    assert main([*args, "--pg", PG_ADMIN_URL, "--nats", NATS_URL]) == 0
    results = json.loads(output.read_text(encoding="utf-8"))
    names = [m["name"] for m in results["measurements"]]
    assert names == [
        "write questionnaires",
        "write questionnaires (logged)",
        "publish to JetStream",
        "apply to a view",
        "apply to the survey wave view",
        "apply to the survey wave view, batch parts",
        *(
            f"ingest over HTTP{what} (N=30, 4 units)"
            for what in (", accepted", ", end to end", " vs the library's batch save")
        ),
    ]
    counts = {m["name"]: m["count"] for m in results["measurements"]}
    assert counts["write questionnaires"] == 45
    # the wave's opening and one batch part per push (20, 20 and 5 questionnaires)
    assert counts["publish to JetStream"] == 1 + 3
    # the relay scans the wave, a claim per questionnaire, and per push the wave's
    # BatchAccepted, a Batch, its part and an idempotency record
    assert results["measurements"][2]["pingyi_count"] == 1 + 45 + 3 * 4
    # the wave's opening and one part per push of 20 (parts hold up to 500)
    assert results["measurements"][5]["details"]["messages"] == 1 + 3
    ingest = [m for m in results["measurements"] if m["name"].startswith("ingest")]
    n, first = 30, ingest[0]
    details = first["details"]
    assert first["count"] == n
    assert details["accepted"] == n, details
    assert details["requests"] == -(-n // 20)
    # one batch part per push of 20 or fewer
    assert details["published"] == details["requests"], details
    # the wave's opening and every questionnaire at least (Batch, BatchAccepted and
    # idempotency records besides; ids used up by pushes that conflicted on the wave)
    assert details["survey_head"] >= 1 + n, details
    assert details["survey_peak_rss_mib"] > 0
    assert details["library_naive_count"] == 10
    assert ingest[0]["details"]["profile"], "the sampled run counted where the time went"
    # what the processes' CPU says of capacity, whatever else ran on the machine
    assert any("cores at full use would take" in note for note in ingest[0]["notes"])
    assert all(m["ratio"] > 0 for m in results["measurements"])
    assert _bench_databases() <= before
    assert _bench_streams() <= streams_before
