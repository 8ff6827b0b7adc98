"""How soon scores include a questionnaire, while the survey ingest benchmark's load runs.

    python -m bench.score_latency [--questionnaires 20000] [--units 80] [--probe-every 0.25]

One fresh database and NATS namespace (both removed at the end); `pingyi serve registry`,
`pingyi serve survey` and `pingyi serve scoring` as processes of their own in production
mode (each with its relay child), set up as `bench.survey_ingest` sets up its own. Through
the APIs: a city with four districts, the units enrolled in a half-year campaign in its two
categories, a four-level template, the wave of round 1 with a 测评点 per district, and the
shipped 漯河 scheme (`luohe-2yr-zhengfeng` v1) assigned to the campaign.

Then the ingest benchmark's load (`clients` threads pushing `batch` questionnaires a
request) and, beside it, a probe that pushes `probe_size` questionnaires every
`probe_every` seconds (until the load is done and at least `min_probes` were pushed). Two
monitors watch scoring: `GET /positions` (every 25 ms) and `GET /campaigns/{id}/rounds/1/
standings` (back to back, `standings_pause` apart). After the load, the position of every
push's last questionnaire message in survey's log is read from the database (the rows its
transaction wrote, by `xmin`), and for each push:

- **on the stream**: from the push's response to the first look at the survey stream
  (`stream_info`, every 25 ms) that holds its last questionnaire's message (the relay's
  share);
- **applied**: from the push's response (after its commit) to the first `/positions`
  answer in which scoring's survey consumer has reached that position (its messages are
  stored in scoring's log as input batches, committed);
- **in the standings** (what "scores up to date" means here): to the first standings
  answer whose `upstream_positions.survey` has reached it: the round as an office would read
  it counts that questionnaire.

Each time is taken when the monitor's answer arrives, so it errs long by up to one poll.
See bench/README.md ("Scores up to date under the ingest load").
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from bench.infra import NATS_URL, PG_ADMIN_URL
from bench.report import RESULTS
from bench.score_latency.measure import measure

TARGET_P99 = 2.0


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def summary(result: dict[str, Any]) -> str:
    lines = [
        f"{result['questionnaires']:,} questionnaires of {result['units']} ratings pushed by "
        f"{result['clients']} clients, {result['batch']} a request, with a probe of "
        f"{result['probe_size']} every {result['probe_every']} s: "
        f"{result['pushes']['load']} load and {result['pushes']['probe']} probe pushes, "
        f"{result['accepted']:,} accepted in {result['load_seconds']:.1f} s "
        f"({result['ingest_rate']:,.0f}/s while measured)",
        f"  {'from the push response to':42}{'n':>6}{'p50 s':>9}{'p99 s':>9}{'max s':>9}",
    ]
    for label, key in (
        ("on the survey stream", "published"),
        ("scoring applied (/positions)", "applied"),
        ("in the standings", "standings"),
    ):
        for kind in ("probe", "load"):
            s = result[key][kind]
            lines.append(
                f"  {label + ', ' + kind + ' pushes':42}{s['count']:>6}{seconds(s['p50']):>9}"
                f"{seconds(s['p99']):>9}{seconds(s['max']):>9}"
            )
    call = result["standings_call_seconds"]
    lines.append(
        f"  standings call: p50 {seconds(call['p50'])} s, p99 {seconds(call['p99'])} s; "
        f"push latency p50 probe {seconds(result['push_latency']['probe']['p50'])} s, "
        f"load {seconds(result['push_latency']['load']['p50'])} s"
    )
    lines.append(
        f"  scoring caught up {result['drain_seconds_after_load']:.2f} s after the load "
        f"({result['scoring_rate']:,.0f} questionnaires/s from the first push); CPU s in that "
        f"time (with relay): survey {result['cpu_seconds']['survey']:.1f}, scoring "
        f"{result['cpu_seconds']['scoring']:.1f}; "
        f"standings count {result['counted_after']:,} questionnaires "
        f"({result['accepted']:,} accepted, {result['quarantined']} quarantined)"
    )
    p99 = result["standings"]["all"]["p99"]
    verdict = "met" if p99 is not None and p99 <= TARGET_P99 else "NOT met"
    lines.append(f"  target: in the standings within {TARGET_P99} s (p99): {verdict}")
    peak = result["scoring_peak_rss_mib"] or 0
    lines.append(
        f"  peak RSS: scoring {peak:.0f} MiB, survey {result['survey_peak_rss_mib'] or 0:.0f} MiB;"
        f" load average before {result['load_average']['before'][0]:.1f}, after "
        f"{result['load_average']['after'][0]:.1f} on {result['cpus']} CPUs"
    )
    if result.get("scoring_profile"):
        shares = ", ".join(f"{name} {share:.0%}" for name, share in result["scoring_profile"])
        lines.append(f"  scoring process, share of busy samples: {shares}")
    if result["monitor_errors"]:
        lines.append(f"  monitor errors: {result['monitor_errors']}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.score_latency")
    parser.add_argument("--questionnaires", type=int, default=20_000, help="the load's")
    parser.add_argument("--units", type=int, default=80)
    parser.add_argument("--batch", type=int, default=1000, help="questionnaires a load request")
    parser.add_argument("--clients", type=int, default=2, help="load clients")
    parser.add_argument("--probe-every", type=float, default=0.25, help="seconds")
    parser.add_argument("--probe-size", type=int, default=1, help="questionnaires a probe push")
    parser.add_argument("--min-probes", type=int, default=20)
    parser.add_argument(
        "--standings-pause",
        type=float,
        default=0.1,
        help="seconds between standings calls (from one's start to the next's)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run scoring under bench.sampler and report where its busy time goes",
    )
    parser.add_argument("--pg", default=PG_ADMIN_URL)
    parser.add_argument("--nats", default=NATS_URL)
    parser.add_argument("--output", type=Path, default=RESULTS / "score_latency.json")
    args = parser.parse_args(argv)
    if min(args.questionnaires, args.units, args.batch, args.clients, args.probe_size) < 1:
        parser.error("sizes must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pingyi-bench-") as workdir:
        result = measure(args, Path(workdir))
    print(summary(result), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
