"""Minimal reproduction: Pipeline.sync() never returns after a query with one large parameter.

    python repro.py [DSN] [--mb N] [--no-pipeline] [--patched] [--timeout SECONDS]

DSN defaults to "postgresql://postgres@127.0.0.1:5432/postgres". The script creates a table,
then runs, in pipeline mode and in one transaction, the statement pattern of the
eventsourcing library's PostgreSQL recorder (SET LOCAL, LOCK TABLE, NOTIFY, then one INSERT
whose only parameter is N MB of bytes, then Pipeline.sync()). The parameter is sent in text
format, as a composite array is, so about 2 * N MB go on the wire.

--bare runs only `SELECT length(%t::bytea)` in a pipeline (no transaction, no lock): it
hangs the same way. --no-pipeline runs the transaction without pipeline mode. --patched (with
PSYCOPG_IMPL=python) replaces the Python `_pipeline_communicate` by the proposed fix.

Exit status 0 if the insert completed, 2 if it did not finish within --timeout seconds; the
script then terminates the stuck backend from a second connection, so it never leaves a
session holding the table lock.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import deque
from typing import Any

import psycopg
from psycopg import generators, pq

TABLE = "psycopg_pipeline_repro"


def bare(conn: psycopg.Connection[Any], payload: bytes, pipeline: bool) -> int:
    """No transaction, no lock: one query with one large parameter is enough."""
    with conn.pipeline() as p, conn.cursor() as cur:
        cur.execute("SELECT length(%t::bytea)", (payload,))
        p.sync()
        return int(cur.fetchone()[0])  # type: ignore[index]


def insert(conn: psycopg.Connection[Any], payload: bytes, pipeline: bool) -> int:
    preamble = [
        "SET LOCAL lock_timeout = '10s'",
        f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE",
        f"NOTIFY {TABLE}",
    ]
    query = f"INSERT INTO {TABLE} (data) VALUES (%t) RETURNING id"
    if not pipeline:
        with conn.transaction(), conn.cursor() as cur:
            for statement in preamble:
                cur.execute(statement)
            cur.execute(query, (payload,))
            return int(cur.fetchone()[0])  # type: ignore[index]
    with conn.pipeline() as p, conn.transaction():
        with conn.cursor() as cur:
            for statement in preamble:
                cur.execute(statement)
        with conn.cursor() as cur:
            cur.execute(query, (payload,))
            p.sync()  # <- never returns once the message is larger than a few flushes
            return int(cur.fetchone()[0])  # type: ignore[index]


def patched_pipeline_communicate(
    pgconn: Any, commands: deque[Any]
) -> generators.PQGen[list[list[Any]]]:
    """psycopg 3.3.9's `_pipeline_communicate` with one change: it only returns once
    PQflush() reports an empty output buffer (marked "FIX")."""
    results = []
    while True:
        while not (ready := (yield generators.WAIT_RW)):
            continue
        if ready & generators.READY_R:
            pgconn.consume_input()
            generators._consume_notifies(pgconn)
            res: list[Any] = []
            while not pgconn.is_busy():
                if (r := pgconn.get_result()) is None:
                    if not res:
                        break
                    results.append(res)
                    res = []
                elif r.status == pq.ExecStatus.PIPELINE_SYNC:
                    results.append([r])
                else:
                    res.append(r)
        if ready & generators.READY_W:
            pending = pgconn.flush()  # FIX: was `pgconn.flush()`, result ignored
            if not commands:
                if pending:  # FIX: output left in libpq's buffer, keep flushing
                    continue
                break
            commands.popleft()()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dsn", nargs="?", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--mb", type=float, default=9.0, help="size of the one parameter")
    parser.add_argument("--no-pipeline", action="store_true")
    parser.add_argument("--patched", action="store_true")
    parser.add_argument("--bare", action="store_true", help="only SELECT length(%%t::bytea)")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    if args.patched:
        if pq.__impl__ != "python":
            parser.error("--patched needs PSYCOPG_IMPL=python")
        from psycopg import _pipeline_base

        _pipeline_base.pipeline_communicate = patched_pipeline_communicate  # type: ignore

    print(f"psycopg {psycopg.__version__} ({pq.__impl__}), libpq {pq.version()}")
    with psycopg.connect(args.dsn, autocommit=True) as setup:
        print(f"server {setup.info.server_version}")
        setup.execute(f"DROP TABLE IF EXISTS {TABLE}")
        setup.execute(f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, data bytea NOT NULL)")

    payload = os.urandom(int(args.mb * 1024 * 1024))
    conn = psycopg.connect(args.dsn, autocommit=True)
    pid = conn.info.backend_pid
    result: dict[str, Any] = {}

    def run() -> None:
        started = time.perf_counter()
        try:
            run_query = bare if args.bare else insert
            result["id"] = run_query(conn, payload, pipeline=not args.no_pipeline)
        except Exception as exc:
            result["error"] = repr(exc)
        result["seconds"] = round(time.perf_counter() - started, 3)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(args.timeout)
    hung = worker.is_alive()
    kind = "query" if args.bare else "insert"
    label = f"{'unpipelined' if args.no_pipeline else 'pipelined'} {kind} of {args.mb:g} MB"
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        if hung:
            state = admin.execute(
                "SELECT state, wait_event FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
            print(f"{label}: no reply after {args.timeout:g} s; server session {pid} is {state}")
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        else:
            print(f"{label}: {result}")
            conn.close()
        admin.execute(f"DROP TABLE IF EXISTS {TABLE}")
    if hung:
        return 2
    return 0 if "id" in result else 1


if __name__ == "__main__":
    sys.exit(main())
