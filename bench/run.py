"""Measure Pingyi's write, publish and apply paths against raw PostgreSQL and JetStream.

    python -m bench.run [--n 20000]

Everything happens in a fresh database (pingyi_bench_<random>) and a NATS namespace of its
own; both are removed at the end. See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from bench import consume_path, relay_busy, relay_path, write_path
from bench.infra import (
    NATS_URL,
    PG_ADMIN_URL,
    Measurement,
    delete_streams,
    environment,
    fresh_database,
    new_namespace,
)
from bench.report import RESULTS, table, write
from bench.workload import questionnaires, unit_ids
from services.survey.settings import SurveySettings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = SurveySettings()
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="questionnaires / messages")
    parser.add_argument("--units", type=int, default=10, help="units rated per questionnaire")
    parser.add_argument(
        "--push-batch",
        type=int,
        default=1000,
        help="questionnaires per record_batch call (the API's maximum)",
    )
    parser.add_argument("--relay-batch", type=int, default=defaults.relay_batch_size)
    parser.add_argument(
        "--relay-window", type=int, default=1000, help="publishes awaiting their ack at most"
    )
    parser.add_argument("--consumer-batch", type=int, default=defaults.consumer_batch_size)
    parser.add_argument(
        "--no-busy",
        dest="busy",
        action="store_false",
        help="skip timing the relay while request threads keep the interpreter busy",
    )
    parser.add_argument("--pg", default=PG_ADMIN_URL, help="PostgreSQL URL of an admin database")
    parser.add_argument("--nats", default=NATS_URL)
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    if args.n < 1 or args.units < 1:
        parser.error("--n and --units must be positive")
    return args


def run(args: argparse.Namespace) -> tuple[list[Measurement], dict[str, Any]]:
    units = unit_ids(args.units)
    data = questionnaires(args.n, units)
    namespace = new_namespace()
    measurements: list[Measurement] = []
    with fresh_database(args.pg) as database_url:
        env = environment(database_url, args.nats)
        try:
            step("a) write path", args.n)
            written, app = write_path.measure(database_url, data, units, args.push_batch)
            measurements += written
            try:
                step("b) publish path", args.n)
                relay_args = (args.nats, namespace, app, args.relay_batch, args.relay_window)
                publish = relay_path.measure(*relay_args)
                if args.busy:
                    publish.notes += relay_busy.notes(
                        args.nats, namespace, database_url, *relay_args[2:]
                    )
                measurements.append(publish)
                step("c) apply path", args.n)
                messages = relay_path.published_messages(relay_path.survey_outbox(app))
                measurements += consume_path.measure(database_url, messages, args.consumer_batch)
            finally:
                app.close()
        finally:
            delete_streams(args.nats, namespace)
    return measurements, env


def step(label: str, n: int) -> None:
    print(f"{time.strftime('%H:%M:%S')} {label} ({n:,} items)...", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    measurements, env = run(args)
    parameters = {k: v for k, v in vars(args).items() if k not in ("pg", "nats", "output")}
    parameters["total_seconds"] = round(time.perf_counter() - started, 1)
    print(table(measurements))
    path = write(measurements, parameters, env, args.output)
    print(f"\n{parameters['total_seconds']} s in all; results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
