"""The live-scoring latency benchmark still runs end to end (a tiny load, and no assertion
about speed: only that every push was accepted, found in survey's log, seen applied by
scoring and counted in the round's standings, and that the database and streams are gone)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import psycopg
import pytest

from bench.score_latency import main
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


def test_score_latency_follows_every_push_into_the_standings(tmp_path: Path) -> None:
    output = tmp_path / "score_latency.json"
    args = ["--questionnaires", "60", "--units", "5", "--batch", "20", "--min-probes", "3"]
    assert main([*args, "--pg", PG_ADMIN_URL, "--nats", NATS_URL, "--output", str(output)]) == 0
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["pushes"]["load"] == 3
    probes = result["pushes"]["probe"]
    assert probes >= 3
    assert result["accepted"] == 60 + probes
    assert result["pushes_without_position"] == 0
    # every push was seen on the stream, applied and in the standings
    for what in ("published", "applied", "standings"):
        assert result[what]["load"]["count"] == 3
        assert result[what]["probe"]["count"] == probes
    assert result["counted_before"] == 0
    assert result["counted_after"] == result["accepted"] - result["quarantined"]
    assert result["standings_units"] == 5
    assert result["scoring_peak_rss_mib"] > 0
    # its own database and streams are gone (other benchmarks may run beside it)
    assert result["database"].startswith("pingyi_bench_")
    assert result["database"] not in _bench_databases()
    assert not {s for s in _bench_streams() if s.startswith(result["namespace"].upper() + "_")}
