"""One run: the processes, the round, the load with its probe and watchers, the figures."""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench import sampler, survey_ingest
from bench.infra import delete_streams, fresh_database, new_namespace
from bench.score_latency.watch import (
    POSITIONS_EVERY,
    Observations,
    Push,
    cpu_seconds,
    first_reaching,
    load,
    probe,
    push_positions,
    watch,
    watch_stream,
)
from bench.score_latency.world import body, caught_up, questionnaire, setup
from bench.survey_ingest import Client, Service, children, peak_rss_mib, start_service
from bench.workload import batches

DRAIN_SECONDS = 600.0


# --- one run ----------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "p50": quantile(values, 0.5),
        "p99": quantile(values, 0.99),
        "max": max(values, default=None),
    }


def counted(standings: dict[str, Any]) -> int:
    """Questionnaires counted in the round's questionnaire component (its valid answers plus
    不了解, of the unit that has the most: every questionnaire rates every unit)."""
    best = 0
    for unit in standings["results"]["units"]:
        for component in unit.get("components", []):
            if component.get("code") == "questionnaire":
                counts = (component.get("inputs") or {}).get("counts") or {}
                best = max(best, sum(int(v) for v in counts.values()))
    return best


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    namespace = new_namespace()
    key = f"pyk_bench-{uuid.uuid4().hex}"
    profile = workdir / "scoring-profile.json" if args.profile else None
    with fresh_database(args.pg) as database_url:
        env = survey_ingest.production_env(database_url, args.nats, namespace, key)
        started: list[Service] = []
        try:
            for name in ("registry", "survey", "scoring"):
                sampled = profile if name == "scoring" else None
                started.append(start_service(name, env, workdir, sampled))
            result = run(args, database_url, namespace, key, *started)
        finally:
            for service in reversed(started):
                service.stop()
            delete_streams(args.nats, namespace)
    if profile is not None and profile.exists():
        result["scoring_profile"] = [[n, round(v, 4)] for n, v in sampler.breakdown(profile)]
        document = json.loads(profile.read_text(encoding="utf-8"))
        result["scoring_profile_other"] = document["other_innermost"]
    return result


def run(
    args: argparse.Namespace,
    database_url: str,
    namespace: str,
    key: str,
    registry_service: Service,
    survey_service: Service,
    scoring_service: Service,
) -> dict[str, Any]:
    registry, survey, scoring = (
        Client(s.url, key) for s in (registry_service, survey_service, scoring_service)
    )
    try:
        rnd = setup(registry, survey, scoring, args.units, key)
        data = [questionnaire(i, rnd.unit_ids, "LOAD") for i in range(args.questionnaires)]
        chunks = list(batches(data, args.batch))
        bodies, sizes = [body(list(c)) for c in chunks], [len(c) for c in chunks]
        del data, chunks

        def probe_body(index: int) -> bytes:
            first = index * args.probe_size
            return body(
                [questionnaire(first + i, rnd.unit_ids, "PROBE") for i in range(args.probe_size)]
            )

        standings_path = f"/campaigns/{rnd.campaign_id}/rounds/1/standings"
        office = Client(scoring_service.url, rnd.office_key)
        survey_head = survey.call("GET", "/positions")["head"]
        caught_up(scoring, "survey", 1)  # the wave's opening: scoring's consumer is running
        before = office.call("GET", standings_path)
        obs = Observations()
        stop = threading.Event()
        monitors = [
            threading.Thread(
                target=watch,
                args=(
                    lambda: int(scoring.call("GET", "/positions")["consumers"]["survey"] or 0),
                    POSITIONS_EVERY,
                    stop,
                    obs.positions,
                    None,
                    obs.errors,
                ),
                name="positions",
            ),
            threading.Thread(
                target=watch,
                args=(
                    lambda: int(
                        office.call("GET", standings_path)["upstream_positions"].get("survey", 0)
                    ),
                    args.standings_pause,
                    stop,
                    obs.standings,
                    obs.standings_seconds,
                    obs.errors,
                ),
                name="standings",
            ),
            threading.Thread(
                target=watch_stream, args=(args.nats, namespace, stop, obs), name="stream"
            ),
        ]
        for monitor in monitors:
            monitor.start()
        pushes: list[Push] = []
        lock = threading.Lock()
        load_done = threading.Event()
        probe_failures: list[str] = []
        url = f"{survey_service.url}/waves/{rnd.wave_id}/questionnaires:batch"
        prober = threading.Thread(
            target=probe,
            args=(
                url,
                rnd.agency_key,
                probe_body,
                args.probe_every,
                args.min_probes,
                load_done,
                pushes,
                lock,
                args.probe_size,
                probe_failures,
            ),
            name="probe",
        )
        load_average_before = os.getloadavg()
        pids = {"survey": survey_service.process.pid, "scoring": scoring_service.process.pid}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        try:
            started = time.perf_counter()
            prober.start()
            load(url, rnd.agency_key, bodies, args.clients, pushes, lock, sizes)
            load_done.set()
            prober.join()
            ended = time.perf_counter()
            load_average_after = os.getloadavg()
            if probe_failures:
                raise RuntimeError("; ".join(probe_failures))
            push_positions(database_url, pushes)
            target = max(p.position or 0 for p in pushes)
            deadline = time.monotonic() + DRAIN_SECONDS
            while not (
                obs.standings
                and obs.standings[-1][1] >= target
                and obs.positions
                and obs.positions[-1][1] >= target
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"scoring did not reach survey position {target}")
                time.sleep(0.05)
            drained = time.perf_counter()
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        finally:
            stop.set()
            load_done.set()
            for monitor in monitors:
                monitor.join()
            if prober.is_alive():
                prober.join()
        final = office.call("GET", standings_path)
        office.close()
        scoring_pid = scoring_service.process.pid
        memory = {
            "scoring_peak_rss_mib": peak_rss_mib(scoring_pid),
            "scoring_relay_peak_rss_mib": max(
                (peak_rss_mib(p) or 0.0 for p in children(scoring_pid)), default=None
            ),
            "survey_peak_rss_mib": peak_rss_mib(survey_service.process.pid),
        }
    finally:
        registry.close()
        survey.close()
        scoring.close()
    for p in pushes:
        if p.position is None:
            continue
        published = first_reaching(obs.stream, p.sequence or 0)
        p.published = None if published is None else max(0.0, published - p.answered)
        applied = first_reaching(obs.positions, p.position)
        standing = first_reaching(obs.standings, p.position)
        # An answer that arrived before the push's own response: scoring was there first.
        p.applied = None if applied is None else max(0.0, applied - p.answered)
        p.standing = None if standing is None else max(0.0, standing - p.answered)
    accepted = sum(p.accepted for p in pushes)
    quarantined = sum(p.quarantined for p in pushes)

    def latencies(kind: str | None, attribute: str) -> list[float]:
        return [
            getattr(p, attribute)
            for p in pushes
            if (kind is None or p.kind == kind) and getattr(p, attribute) is not None
        ]

    return {
        "database": database_url.rsplit("/", 1)[1],
        "namespace": namespace,
        "questionnaires": args.questionnaires,
        "units": args.units,
        "batch": args.batch,
        "clients": args.clients,
        "probe_every": args.probe_every,
        "probe_size": args.probe_size,
        "pushes": {
            "load": sum(p.kind == "load" for p in pushes),
            "probe": sum(p.kind == "probe" for p in pushes),
        },
        "pushes_without_position": sum(p.position is None for p in pushes),
        "accepted": accepted,
        "quarantined": quarantined,
        "load_seconds": ended - started,
        "ingest_rate": accepted / (ended - started),
        "drain_seconds_after_load": drained - ended,
        "scoring_rate": accepted / (drained - started),
        "cpu_seconds": cpu,
        "survey_head_before": survey_head,
        "survey_position_last": target,
        "published": {
            "probe": spread(latencies("probe", "published")),
            "load": spread(latencies("load", "published")),
            "all": spread(latencies(None, "published")),
        },
        "applied": {
            "probe": spread(latencies("probe", "applied")),
            "load": spread(latencies("load", "applied")),
            "all": spread(latencies(None, "applied")),
        },
        "standings": {
            "probe": spread(latencies("probe", "standing")),
            "load": spread(latencies("load", "standing")),
            "all": spread(latencies(None, "standing")),
        },
        "push_latency": {
            "probe": spread([p.answered - p.sent for p in pushes if p.kind == "probe"]),
            "load": spread([p.answered - p.sent for p in pushes if p.kind == "load"]),
        },
        "standings_call_seconds": spread(obs.standings_seconds),
        "observations": {
            "positions": len(obs.positions),
            "stream": len(obs.stream),
            "standings": len(obs.standings),
        },
        "monitor_errors": obs.errors,
        "counted_before": counted(before),
        "counted_after": counted(final),
        "standings_units": len(final["results"]["units"]),
        "load_average": {"before": load_average_before, "after": load_average_after},
        "cpus": os.cpu_count(),
        **memory,
    }
