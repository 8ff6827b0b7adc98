"""Measure Pingyi's write, publish and apply paths against raw PostgreSQL and JetStream.

    python -m bench.run [--n 20000]

Everything happens in a fresh database (pingyi_bench_<random>) and a NATS namespace of its
own; both are removed at the end. See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import consume_path, relay_busy, relay_path, survey_ingest, write_path
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
    ingest = parser.add_argument_group("survey ingest end to end (HTTP, production processes)")
    ingest.add_argument(
        "--ingest-sizes",
        type=sizes,
        default=[10_000, 20_000],
        help="questionnaires pushed, one fresh system per size (comma-separated)",
    )
    ingest.add_argument("--ingest-units", type=int, default=80, help="units rated each")
    ingest.add_argument("--ingest-batch", type=int, default=1000, help="questionnaires a request")
    ingest.add_argument("--ingest-clients", type=int, default=2, help="concurrent HTTP clients")
    ingest.add_argument(
        "--ingest-replicas",
        type=int,
        default=1,
        help="survey processes serving the push (clients spread over them)",
    )
    ingest.add_argument(
        "--ingest-naive",
        type=int,
        default=2000,
        help="questionnaires saved one app.save each (the naive baseline)",
    )
    ingest.add_argument(
        "--ingest-rows",
        action="store_true",
        help="agencies send each questionnaire's answers as a compact `row` (wave unit order)"
        " instead of `ratings` keyed by unit id",
    )
    ingest.add_argument(
        "--ingest-profile",
        action="store_true",
        help="one more run at the first size with the survey process sampled (bench.sampler)",
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--no-ingest", dest="ingest", action="store_false", help="skip it")
    only.add_argument(
        "--ingest-only", action="store_true", help="only the survey ingest end to end"
    )
    parser.add_argument("--pg", default=PG_ADMIN_URL, help="PostgreSQL URL of an admin database")
    parser.add_argument("--nats", default=NATS_URL)
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    if args.n < 1 or args.units < 1:
        parser.error("--n and --units must be positive")
    if (
        min(
            args.ingest_units,
            args.ingest_batch,
            args.ingest_clients,
            args.ingest_naive,
            args.ingest_replicas,
        )
        < 1
    ):
        parser.error(
            "--ingest-units, --ingest-batch, --ingest-clients, --ingest-naive,"
            " --ingest-replicas: >= 1"
        )
    return args


def sizes(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("positive sizes, comma-separated")
    return values


def run(args: argparse.Namespace) -> tuple[list[Measurement], dict[str, Any]]:
    measurements: list[Measurement] = []
    env: dict[str, Any] = {}
    if not args.ingest_only:
        measurements, env = run_paths(args)
    if args.ingest or args.ingest_only:
        step("d) survey ingest over HTTP", max(args.ingest_sizes))
        with tempfile.TemporaryDirectory(prefix="pingyi-bench-") as workdir:
            measurements += survey_ingest.measure(
                args.pg,
                args.nats,
                args.ingest_sizes,
                args.ingest_units,
                args.ingest_batch,
                args.ingest_clients,
                args.ingest_naive,
                Path(workdir),
                profile=args.ingest_profile,
                rows=args.ingest_rows,
                replicas=args.ingest_replicas,
            )
        if not env:
            with fresh_database(args.pg) as database_url:
                env = environment(database_url, args.nats)
    return measurements, env


def run_paths(args: argparse.Namespace) -> tuple[list[Measurement], dict[str, Any]]:
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
