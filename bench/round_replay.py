"""Replay and verify a province-scale round from PostgreSQL, against a raw read of the rows.

    python -m bench.round_replay [--questionnaires 100000,1000000] [--units 80] [--findings 10000]

For each size, in a fresh database (dropped at the end): the round of `bench.round_world`
stored as the services store their logs (one events table per origin, `<origin>.<origin>_
events`, the message body in its `message` column), then, each in a process of its own so
that its peak memory is its own: (a) a raw sequential read of the rows, (b) replay, (c)
verify, (d) verify as `pingyi replay --verify` does it (its own `replay_round`), and the
live fold (every record kept) that computes the results stored for (c) and (d) to compare
with. See bench/README.md ("Round replay").
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import psycopg

from bench.infra import PG_ADMIN_URL, fresh_database
from bench.report import RESULTS
from bench.round_world import RoundWorld, Row
from services.scoring.engine.compute import compute_round
from services.scoring.engine.fold import RoundFold, counting, named_responses
from services.scoring.engine.fold.decode import decode_stored
from services.scoring.engine.scheme import builtin_schemes
from services.scoring.rounds.replay import Spread, replay_round
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage
from shared.settings import CommonSettings

ORIGINS = ("registry", "survey", "inspection")
SCHEME = ("luohe-2yr-zhengfeng", 1)
ROUND = 1
QUESTIONNAIRE_PREFIXES = (
    b'{"event_type":"survey.response.recorded"',
    b'{"event_type":"survey.batch.recorded"',
)
"""How every stored questionnaire body and batch part starts (canonical JSON, keys sorted):
(b)'s first pass asks PostgreSQL for the survey rows that start with neither, the decisions
among them."""
FETCH_BYTES = 16 << 20
"""About the most one fetch holds: 5,000 single questionnaires, a few dozen batch parts."""
FETCH_ROWS = 5000
_TABLE = """CREATE TABLE {origin}.{origin}_events (
    notification_id bigint PRIMARY KEY,
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text NOT NULL,
    state bytea COMPRESSION lz4 NOT NULL,
    message bytea COMPRESSION lz4
)"""
"""As a store's events table stands (`shared.persistence.postgres_messages`: lz4 for both large
columns), less what no read here uses."""


def load(url: str, world: RoundWorld) -> dict[str, int]:
    """Every origin's rows, COPYed in binary; then VACUUM ANALYZE, so that no read pays for
    setting hint bits on rows just written. `state` is left empty: replay reads the body
    only (as the relay does), and an empty state keeps the raw read as fast as it can be."""
    world.check_recordings()
    counts: dict[str, int] = {}
    streams: dict[str, Iterator[Row]] = {
        "registry": world.registry(),
        "survey": world.survey(),
        "inspection": world.inspection(),
    }
    with psycopg.connect(url, autocommit=True) as conn:
        for origin, rows in streams.items():
            conn.execute(f"CREATE SCHEMA {origin}")
            conn.execute(_TABLE.format(origin=origin))
            counts[origin] = _copy(conn, origin, rows)
            conn.execute(f"VACUUM ANALYZE {origin}.{origin}_events")
        conn.execute("CREATE TABLE round_results (scheme text, results bytea NOT NULL)")
    return counts


def _copy(conn: psycopg.Connection[Any], origin: str, rows: Iterator[Row]) -> int:
    columns = "notification_id, originator_id, originator_version, topic, state, message"
    statement = f"COPY {origin}.{origin}_events ({columns}) FROM STDIN (FORMAT BINARY)"
    originator = UUID(int=ORIGINS.index(origin) + 1)
    n = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types(["int8", "uuid", "int8", "text", "bytea", "bytea"])
        for n, (topic, body) in enumerate(rows, 1):
            copy.write_row((n, originator, 1, topic, b"", body))
    return n


def rows(conn: psycopg.Connection[Any], origin: str, where: str = "") -> Iterator[Any]:
    """(position, body) in log order through a server-side cursor, binary, `FETCH_ROWS` a
    fetch or as many as fit in about `FETCH_BYTES` (batch parts are hundreds of KiB); the
    next fetch runs in a thread while the caller works through the current one (psycopg
    waits for the server without the GIL), as the relay reads its next page."""
    pages: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=2)

    def fetch() -> None:
        try:
            with conn.cursor(name=f"read_{origin}", binary=True) as cur:
                cur.execute(
                    f"SELECT notification_id, message FROM {origin}.{origin}_events {where} "
                    "ORDER BY notification_id",
                    {"single": QUESTIONNAIRE_PREFIXES[0], "batch": QUESTIONNAIRE_PREFIXES[1]},
                )
                size = 16
                while page := cur.fetchmany(size):
                    pages.put(page)
                    read = sum(len(body) for _, body in page) or 1
                    size = max(1, min(FETCH_ROWS, FETCH_BYTES * len(page) // read))
            pages.put(None)
        except BaseException as exc:  # handed to the reader, which raises it
            pages.put(exc)

    reader = threading.Thread(target=fetch, name=f"read-{origin}", daemon=True)
    reader.start()
    while (page := pages.get()) is not None:
        if isinstance(page, BaseException):
            raise page
        yield from page
    reader.join()


def messages(
    conn: psycopg.Connection[Any], origin: str, where: str = ""
) -> Iterator[IntegrationMessage]:
    # Every row of these tables publishes, so the previous position is the one before.
    for position, body in rows(conn, origin, where):
        yield decode_stored(origin, position, position - 1 or None, body)


def raw_read(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    count = size = 0
    for origin in ORIGINS:
        for _, body in rows(conn, origin):
            count += 1
            size += len(body)
    return {"rows": count, "bytes": size}


def parse_only(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The raw read plus orjson's parse of every body: the least any replay in Python that
    reads JSON must spend."""
    count = 0
    for origin in ORIGINS:
        for _, body in rows(conn, origin):
            orjson.loads(body)
            count += 1
    return {"rows": count}


def replay(
    conn: psycopg.Connection[Any], campaign_id: str, timings: dict[str, Any], *, keep_all: bool
) -> bytes:
    """The round's results, recomputed from the logs: a first pass over the decisions (the
    live fold, `keep_all`, skips it), the fold, the shipped scheme."""
    started = time.perf_counter()
    keep = None
    if not keep_all:
        single, batch = (len(prefix) for prefix in QUESTIONNAIRE_PREFIXES)
        where = (
            f"WHERE substring(message from 1 for {single}) <> %(single)s "
            f"AND substring(message from 1 for {batch}) <> %(batch)s"
        )
        keep = named_responses(messages(conn, "survey", where))
        timings["records_kept"] = len(keep)
    timings["first_pass_seconds"] = time.perf_counter() - started
    fold = RoundFold(campaign_id, ROUND, keep_records=keep)
    for origin in ORIGINS:
        for message in messages(conn, origin):
            fold.apply(message)
    inputs = fold.inputs()
    timings["fold_seconds"] = time.perf_counter() - started - timings["first_pass_seconds"]
    scheme = builtin_schemes()[SCHEME]
    return canonical_json(compute_round(scheme, inputs))


def shipped(
    common: CommonSettings, campaign_id: str, timings: dict[str, Any], spread: Spread = Spread()
) -> bytes:
    """The round's results as `pingyi replay --verify` recomputes a stored run: its own
    function (`services.scoring.rounds.replay.replay_round`) on these tables, which sit where
    a production store's are (`<origin>.<origin>_events`), read to each log's last position
    as a run that read everything names them. Its reader is the shipped one
    (`shared.persistence.message_log.read_bodies`: pages by keyset of at most 1,000 rows and
    about 16 MiB, the next read in a thread) and its first pass has the store leave the
    questionnaires and batch parts out."""
    with psycopg.connect(common.database_url) as conn:
        positions = {origin: _last(conn, origin) for origin in ORIGINS}
    scheme = builtin_schemes()[SCHEME]
    results = replay_round(common, scheme, campaign_id, ROUND, positions, spread)
    reached = results.pop("upstream_positions")
    timings["positions_reached"] = reached == positions
    timings["survey_ranges"] = results.pop("survey_ranges")
    return canonical_json(results)


def _last(conn: psycopg.Connection[Any], origin: str) -> int:
    row = conn.execute(f"SELECT max(notification_id) FROM {origin}.{origin}_events").fetchone()
    assert row is not None
    return int(row[0])


def child(kind: str, url: str, campaign_id: str, split_mib: int | None = None) -> dict[str, Any]:
    """One measurement, in this process: wall and CPU seconds, peak RSS. The settings are
    made before the clock starts, for every kind alike: like the imports, they are the
    command's start (their first validation imports the rate limiter, ~25 ms), not the
    reading or the replay."""
    common = CommonSettings(mode="production", database_url=url)
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0, wall0, children0 = time.process_time(), time.perf_counter(), _children_cpu()
    # Which loops counted the parts: compiled (fold/_counting.c) or the numpy fallback.
    report: dict[str, Any] = {"kind": kind, "compiled": counting.COMPILED}
    with psycopg.connect(url) as conn:
        if kind == "raw":
            report |= raw_read(conn)
        elif kind == "parse":
            report |= parse_only(conn)
        elif kind == "live":
            results = replay(conn, campaign_id, report, keep_all=True)
            conn.execute("INSERT INTO round_results VALUES (%s, %s)", (str(SCHEME), results))
            report["results_bytes"] = len(results)
        elif kind == "replay":
            report["results_bytes"] = len(replay(conn, campaign_id, report, keep_all=False))
        elif kind == "verify":
            results = replay(conn, campaign_id, report, keep_all=False)
            stored = conn.execute("SELECT results FROM round_results").fetchone()
            report["identical"] = stored is not None and bytes(stored[0]) == results
        else:  # "shipped": pingyi replay --verify's own replay, then the same comparison
            # ("shipped_one": with the survey log in one piece, as on one CPU)
            spread = Spread() if split_mib is None else Spread(split_bytes=split_mib << 20)
            if kind == "shipped_one":
                spread = Spread(workers=1)
            results = shipped(common, campaign_id, report, spread)
            stored = conn.execute("SELECT results FROM round_results").fetchone()
            report["identical"] = stored is not None and bytes(stored[0]) == results
            report["results_bytes"] = len(results)
    report["seconds"] = time.perf_counter() - wall0
    # The processes a replay forks to count the survey log in ranges included.
    report["cpu_seconds"] = time.process_time() - cpu0 + _children_cpu() - children0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report["peak_rss_mib"] = usage.ru_maxrss / 1024
    report["workers_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report["start_rss_mib"] = start_rss / 1024
    return report


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(
    kind: str, url: str, campaign_id: str, split_mib: int | None = None
) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.round_replay", "--child", kind, url, campaign_id]
    if split_mib is not None:
        command += ["--split-mib", str(split_mib)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def alternated(url: str, campaign_id: str, pairs: int, split_mib: int | None) -> dict[str, Any]:
    """`pairs` raw reads and shipped replays, one after the other: a machine whose speed
    moves by a third between minutes (a shared two-core one) moves both alike, so the
    ratio of their medians says more than one replay against the best raw read."""
    raws, shipped_runs = [], []
    for _ in range(pairs):
        raws.append(run_child("raw", url, campaign_id)["seconds"])
        done = run_child("shipped", url, campaign_id, split_mib)
        if not done["identical"]:
            raise RuntimeError("the shipped replay differed from the stored results")
        shipped_runs.append(done["seconds"])
    ratios = sorted(b / a for a, b in zip(raws, shipped_runs, strict=True))
    return {
        "raw_seconds": raws,
        "shipped_seconds": shipped_runs,
        "raw_median": statistics.median(raws),
        "shipped_median": statistics.median(shipped_runs),
        "ratio_of_medians": statistics.median(shipped_runs) / statistics.median(raws),
        "pair_ratios": ratios,
    }


def measure_size(
    admin_url: str,
    world: RoundWorld,
    raw_runs: int,
    split_mib: int | None = None,
    pairs: int = 0,
) -> dict[str, Any]:
    with fresh_database(admin_url) as url:
        started = time.perf_counter()
        counts = load(url, world)
        loaded = time.perf_counter() - started
        campaign_id = str(world.campaign_id)
        raws = [run_child("raw", url, campaign_id) for _ in range(raw_runs)]
        parsed = run_child("parse", url, campaign_id)
        live = run_child("live", url, campaign_id)
        replayed = run_child("replay", url, campaign_id)
        verified = run_child("verify", url, campaign_id)
        as_shipped = run_child("shipped", url, campaign_id, split_mib)
        in_one_piece = run_child("shipped_one", url, campaign_id)
        raws.append(run_child("raw", url, campaign_id))
        paired = alternated(url, campaign_id, pairs, split_mib) if pairs else None
    raw = min(raws, key=lambda r: r["seconds"])
    return {
        "questionnaires": world.questionnaires,
        "grain": world.grain,
        "units": world.units,
        "findings": world.findings,
        "rows": counts,
        "load_seconds": loaded,
        "raw": raw,
        "raw_runs": [r["seconds"] for r in raws],
        "parse": parsed,
        "live": live,
        "replay": replayed,
        "verify": verified,
        "shipped": as_shipped,
        "shipped_one": in_one_piece,
        "replay_over_raw": replayed["seconds"] / raw["seconds"],
        "verify_over_raw": verified["seconds"] / raw["seconds"],
        "shipped_over_raw": as_shipped["seconds"] / raw["seconds"],
        "shipped_one_over_raw": in_one_piece["seconds"] / raw["seconds"],
        "alternated": paired,
        "load_average": os.getloadavg(),
    }


def summary(result: dict[str, Any]) -> str:
    raw = result["raw"]
    n = result["questionnaires"]
    lines = [
        f"N={n:,} questionnaires of {result['units']} ratings as {result['grain']}, "
        f"{result['findings']:,} findings "
        f"({raw['rows']:,} rows, {raw['bytes'] / 2**20:,.0f} MiB of bodies; "
        f"loaded in {result['load_seconds']:.0f} s)",
        f"  {'':32}{'wall s':>9}{'CPU s':>9}{'/raw':>7}{'peak RSS MiB':>14}{'CPU µs/q':>10}",
    ]
    for label, key in (
        ("(a) raw read", "raw"),
        ("raw read + orjson parse", "parse"),
        ("(b) replay", "replay"),
        ("(c) verify", "verify"),
        ("(d) verify as shipped", "shipped"),
        ("(d) in one piece", "shipped_one"),
        ("live fold (all records kept)", "live"),
    ):
        m = result[key]
        lines.append(
            f"  {label:32}{m['seconds']:9.2f}{m['cpu_seconds']:9.2f}"
            f"{m['seconds'] / raw['seconds']:7.2f}{m['peak_rss_mib']:14.0f}"
            f"{m['cpu_seconds'] / max(n, 1) * 1e6:10.1f}"
        )
    replayed = result["replay"]
    lines.append(
        f"  replay: first pass {replayed['first_pass_seconds']:.2f} s "
        f"({replayed['records_kept']:,} records to keep), fold {replayed['fold_seconds']:.2f} s"
    )
    lines.append(f"  verify: identical to the stored results: {result['verify']['identical']}")
    shipped = result["shipped"]
    lines.append(
        "  verify as shipped (replay_round): identical to the stored results: "
        f"{shipped['identical']}, and in one piece: {result['shipped_one']['identical']}; "
        f"survey log in {shipped['survey_ranges']} ranges side by side, forked processes' "
        f"peak RSS {shipped['workers_peak_rss_mib']:.0f} MiB (their CPU in the column)"
    )
    paired = result.get("alternated")
    if paired:
        ratios = paired["pair_ratios"]
        lines.append(
            f"  alternated, {len(ratios)} pairs: raw read {paired['raw_median']:.2f} s, "
            f"verify as shipped {paired['shipped_median']:.2f} s (medians): "
            f"{paired['ratio_of_medians']:.2f} times; pairs {ratios[0]:.2f}–{ratios[-1]:.2f}"
        )
    loops = "compiled (fold/_counting.c)" if shipped.get("compiled") else "numpy fallback"
    lines.append(f"  the parts counted by the {loops}")
    load = ", ".join(f"{x:.1f}" for x in result["load_average"])
    lines.append(f"  load average at the end: {load}")
    return "\n".join(lines)


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.round_replay")
    parser.add_argument("--questionnaires", type=sizes, default=[100_000, 1_000_000])
    parser.add_argument("--units", type=int, default=80)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--raw-runs", type=int, default=1, help="raw reads before the replay")
    parser.add_argument(
        "--grain",
        choices=("parts", "single"),
        default="parts",
        help="questionnaires stored as batch parts of pushes, or one v3 message each",
    )
    parser.add_argument(
        "--split-mib",
        type=int,
        help="the shipped replay reads a survey log of fewer MiB in one piece (default: its own)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=5,
        help="raw reads and shipped replays alternated afterwards, for the ratio of medians",
    )
    parser.add_argument("--pg", default=PG_ADMIN_URL)
    parser.add_argument("--output", type=Path, default=RESULTS / "round_replay.json")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "CAMPAIGN"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, split_mib=args.split_mib)))
        return 0
    results = []
    for n in args.questionnaires:
        world = RoundWorld(n, args.units, args.findings, args.decisions, grain=args.grain)
        results.append(measure_size(args.pg, world, args.raw_runs, args.split_mib, args.pairs))
        print(summary(results[-1]), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2), encoding="utf-8")
    kinds = ("verify", "shipped", "shipped_one")
    identical = all(r[k]["identical"] for r in results for k in kinds)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
