"""The round replay benchmark still runs end to end (a tiny round, and no assertion about
speed: only that every measurement ran over every row, verify and the shipped replay
(`pingyi replay --verify`'s `replay_round`) found the replay identical to the live fold's
stored results, and the database is gone)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from bench.round_replay import main
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.infra


def _bench_databases() -> set[str]:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pingyi_bench_%'"
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    ("grain", "survey_rows"),
    # the wave, the questionnaires (the withdrawn push of 200 and a push of 500: one part
    # each; or 700 messages), 10 decisions, the batch withdrawal and the close
    [("parts", 15), ("single", 713)],
)
def test_round_replay_measures_every_row_and_verifies(
    tmp_path: Path, grain: str, survey_rows: int
) -> None:
    before = _bench_databases()
    output = tmp_path / "round_replay.json"
    args = ["--questionnaires", "700", "--units", "5", "--findings", "20", "--decisions", "10"]
    # The shipped replay counts even this small survey log in ranges side by side.
    args += ["--grain", grain, "--split-mib", "0", "--pairs", "2"]
    assert main([*args, "--pg", PG_ADMIN_URL, "--output", str(output)]) == 0
    [result] = json.loads(output.read_text(encoding="utf-8"))
    # registry: the campaign, and each unit registered and enrolled
    assert result["rows"] == {"registry": 11, "survey": survey_rows, "inspection": 20}
    for kind in ("raw", "parse"):
        assert result[kind]["rows"] == 31 + survey_rows
    assert result["verify"]["identical"] is True
    # pingyi replay --verify's own replay, reading the same tables where a store's are
    assert result["shipped"]["identical"] is True
    assert result["shipped"]["positions_reached"] is True
    assert result["shipped"]["survey_ranges"] >= 2
    assert result["shipped_one"]["identical"] is True
    assert result["shipped_one"]["survey_ranges"] == 1
    # alternated raw reads and shipped replays (each checked identical), their medians
    paired = result["alternated"]
    assert len(paired["raw_seconds"]) == len(paired["shipped_seconds"]) == 2
    assert paired["ratio_of_medians"] == paired["shipped_median"] / paired["raw_median"]
    assert result["replay"]["results_bytes"] == result["live"]["results_bytes"] > 0
    assert result["shipped"]["results_bytes"] == result["live"]["results_bytes"]
    # the first pass named the decided questionnaires, whichever the grain
    assert result["replay"]["records_kept"] == 206  # the withdrawn 200, 6 decided besides
    assert _bench_databases() <= before
