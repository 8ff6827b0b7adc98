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
import asyncio
import bisect
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import psycopg

from bench import sampler, survey_ingest
from bench.infra import NATS_URL, PG_ADMIN_URL, delete_streams, fresh_database, new_namespace
from bench.report import RESULTS
from bench.survey_ingest import Client, Service, children, peak_rss_mib, start_service
from bench.workload import CST, RATINGS, batches
from services.scoring.rounds.replay import RECORDED
from shared.messaging.jetstream import stream_name

GOV, PUBLIC = "政府部门及其它机构", "公共服务行业"
SCHEME = {"scheme_id": "luohe-2yr-zhengfeng", "version": 1, "reason": "本年度方案"}
DISTRICTS = ("源汇区", "郾城区", "召陵区", "临颍县")
POSITIONS_EVERY = 0.025
"""Under the default `/positions` rate limit (50 a second per principal)."""
DRAIN_SECONDS = 600.0
TARGET_P99 = 2.0


def campaign_year() -> int:
    """Last year: its first half-year round is wholly in the past, so every questionnaire
    collected in it is a past one whatever today's date."""
    return date.today().year - 1


def questionnaire(i: int, units: list[str], prefix: str) -> dict[str, Any]:
    """The ingest benchmark's questionnaire (every unit rated), collected in round 1 at one
    of the wave's four points."""
    start = datetime(campaign_year(), 3, 2, 9, tzinfo=CST)
    return {
        "questionnaire_id": f"{prefix}-{i:07d}",
        "collected_at": (start + timedelta(seconds=7 * (i % 300_000))).isoformat(),
        "survey_point": f"P{i % len(DISTRICTS) + 1:02d}",
        "ratings": {u: RATINGS[(i * 7 + j * (1 + i % 5)) % 4] for j, u in enumerate(units)},
    }


def body(chunk: list[dict[str, Any]]) -> bytes:
    document = {"questionnaires": chunk, "all_or_nothing": False}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


# --- the round --------------------------------------------------------------------------


@dataclass
class Round:
    campaign_id: str
    wave_id: str
    unit_ids: list[str]
    agency_key: str
    office_key: str


def caught_up(client: Client, upstream: str, head: int) -> None:
    deadline = time.monotonic() + survey_ingest.CATCH_UP_SECONDS
    while (client.call("GET", "/positions")["consumers"].get(upstream) or 0) < head:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{client.url} did not catch up with {upstream} ({head})")
        time.sleep(0.05)


def setup(registry: Client, survey: Client, scoring: Client, units: int, key: str) -> Round:
    """The campaign round, through the APIs, once survey and scoring can use it."""
    province = registry.call("POST", "/jurisdictions", json={"name": "河南省", "level": "province"})
    city = registry.call(
        "POST",
        "/jurisdictions",
        json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    city_id = city["jurisdiction_id"]
    districts = [
        registry.call(
            "POST",
            "/jurisdictions",
            json={
                "name": name,
                "level": "county" if name.endswith("县") else "district",
                "parent_id": city_id,
            },
        )["jurisdiction_id"]
        for name in DISTRICTS
    ]
    # Seed 000's 53 : 27 between the two categories.
    public = max(1, units * 27 // 80) if units > 1 else 0
    kinds = [(GOV, "government_department")] * (units - public)
    kinds += [(PUBLIC, "public_service_enterprise")] * public
    created = registry.call(
        "POST",
        "/units:batch",
        json={
            "units": [
                {
                    "jurisdiction_id": city_id,
                    "name": f"测评单位{i:03d}",
                    "kind": kind,
                    "category": category,
                }
                for i, (category, kind) in enumerate(kinds)
            ]
        },
    )["units"]
    agency = registry.call("POST", "/principals", json={"name": "第三方调查机构", "role": "agency"})
    office = registry.call(
        "POST",
        "/principals",
        json={"name": "漯河市纠风办", "role": "office", "jurisdiction_id": city_id},
    )
    office_client = Client(registry.url, office["api_key"])
    year = campaign_year()
    try:
        campaign = office_client.call(
            "POST",
            "/campaigns",
            json={
                "jurisdiction_id": city_id,
                "name": f"漯河市{year}年度民主评议政风行风（基准）",
                "pattern": "民主评议政风行风",
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": f"{year}-01-01",
                    "ends_on": f"{year}-12-31",
                },
                "phases": [
                    {"name": "组织实施", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}
                ],
                "categories": [GOV, PUBLIC],
            },
        )
        campaign_id = campaign["campaign_id"]
        office_client.call(
            "POST",
            f"/campaigns/{campaign_id}/enrolments",
            json={
                "enrolments": [
                    {"unit_id": u["unit_id"], "category": u["category"]} for u in created
                ]
            },
        )
    finally:
        office_client.close()
    head = registry.call("GET", "/positions")["head"]
    caught_up(survey, "registry", head)
    caught_up(scoring, "registry", head)
    as_office = Client(survey.url, office["api_key"])
    try:
        template = as_office.call(
            "POST",
            "/templates",
            json={"jurisdiction_id": city_id, "name": "政风行风满意度问卷", "scale": "four_level"},
        )
        wave = as_office.call(
            "POST",
            "/waves",
            json={
                "name": f"{year}年上半年问卷测评（基准）",
                "jurisdiction_id": city_id,
                "campaign_id": campaign_id,
                "round": 1,
                "template_id": template["template_id"],
                "agencies": [{"agency_id": agency["principal_id"]}],
                "points": [
                    {
                        "code": f"P{i + 1:02d}",
                        "name": f"{name}固定测评点",
                        "jurisdiction_id": district,
                        "target": 1000,
                    }
                    for i, (name, district) in enumerate(zip(DISTRICTS, districts, strict=True))
                ],
            },
        )
    finally:
        as_office.close()
    as_scoring_office = Client(scoring.url, office["api_key"])
    try:
        as_scoring_office.call("PUT", f"/campaigns/{campaign_id}/scheme", json=SCHEME)
    finally:
        as_scoring_office.close()
    return Round(
        campaign_id,
        wave["wave_id"],
        [u["unit_id"] for u in wave["units"]],
        agency["api_key"],
        office["api_key"],
    )


# --- pushes and monitors ----------------------------------------------------------------


@dataclass
class Push:
    kind: str
    """"load" or "probe"."""
    size: int
    sent: float
    answered: float
    batch_id: str | None
    accepted: int
    quarantined: int
    position: int | None = None
    """Survey's log position of the push's last questionnaire message."""
    sequence: int | None = None
    """That message's sequence on the survey stream (the relay publishes every published
    row in order, from 1 in a fresh namespace)."""
    published: float | None = None
    applied: float | None = None
    standing: float | None = None


@dataclass
class Observations:
    """(time the answer arrived, scoring's survey position in it), in arrival order."""

    positions: list[tuple[float, int]] = field(default_factory=list)
    stream: list[tuple[float, int]] = field(default_factory=list)
    """(arrival, the survey stream's last sequence)."""
    standings: list[tuple[float, int]] = field(default_factory=list)
    standings_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def post(http: httpx.Client, url: str, key: str, payload: bytes, idempotency: str) -> Any:
    headers = {"X-API-Key": key, "Content-Type": "application/json", "Idempotency-Key": idempotency}
    response = http.post(url, content=payload, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"push {idempotency}: {response.status_code} {response.text[:500]}")
    result = response.json()
    if result["problems"] or result["duplicates"]:
        raise RuntimeError(f"push {idempotency}: {json.dumps(result)[:1000]}")
    return result


def load(
    url: str,
    key: str,
    bodies: list[bytes],
    clients: int,
    pushes: list[Push],
    lock: threading.Lock,
    sizes: list[int],
) -> None:
    """The ingest benchmark's clients: each takes the next body until none is left."""
    pending = iter(enumerate(bodies))
    failures: list[str] = []

    def client() -> None:
        with httpx.Client(timeout=300) as http:
            while True:
                with lock:
                    item = next(pending, None)
                if item is None or failures:
                    return
                index, payload = item
                sent = time.perf_counter()
                try:
                    result = post(http, url, key, payload, f"load-{index}")
                except Exception as error:
                    failures.append(str(error))
                    return
                answered = time.perf_counter()
                with lock:
                    pushes.append(
                        Push(
                            "load",
                            sizes[index],
                            sent,
                            answered,
                            result["batch_id"],
                            result["accepted"],
                            result["quarantined"],
                        )
                    )

    threads = [threading.Thread(target=client, name=f"load-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("; ".join(failures))


def probe(
    url: str,
    key: str,
    make: Callable[[int], bytes],
    every: float,
    minimum: int,
    load_done: threading.Event,
    pushes: list[Push],
    lock: threading.Lock,
    size: int,
    failures: list[str],
) -> None:
    """One small push every `every` seconds while the load runs (and `minimum` at least);
    `make(i)` is the i-th push's body."""
    with httpx.Client(timeout=300) as http:
        index = 0
        while not (load_done.is_set() and index >= minimum):
            payload = make(index)
            sent = time.perf_counter()
            try:
                result = post(http, url, key, payload, f"probe-{index}")
            except Exception as error:
                failures.append(str(error))
                return
            answered = time.perf_counter()
            with lock:
                pushes.append(
                    Push(
                        "probe",
                        size,
                        sent,
                        answered,
                        result["batch_id"],
                        result["accepted"],
                        result["quarantined"],
                    )
                )
            index += 1
            time.sleep(max(0.0, every - (answered - sent)))


def watch(
    call: Callable[[], int],
    every: float,
    stop: threading.Event,
    into: list[tuple[float, int]],
    durations: list[float] | None,
    errors: list[str],
) -> None:
    with_errors = 0
    while not stop.is_set():
        sent = time.perf_counter()
        try:
            position = call()
        except Exception as error:  # a slow or refused answer: counted, the watch goes on
            with_errors += 1
            if with_errors <= 5:
                errors.append(f"{type(error).__name__}: {str(error)[:300]}")
            position = None
        arrived = time.perf_counter()
        if position is not None:
            into.append((arrived, position))
            if durations is not None:
                durations.append(arrived - sent)
        stop.wait(max(0.0, every - (arrived - sent)))


def push_positions(database_url: str, pushes: list[Push]) -> None:
    """Each push's last questionnaire message in survey's log: among the rows its
    transaction wrote (its Batch's `xmin`), the highest position of a
    `survey.response.recorded` body."""
    ids = [uuid.UUID(p.batch_id) for p in pushes if p.batch_id]
    statement = """
        WITH b AS (
            SELECT originator_id, xmin::text AS tx FROM survey.survey_events
            WHERE originator_id = ANY(%(ids)s)
        )
        SELECT b.originator_id, max(e.notification_id)
        FROM survey.survey_events e JOIN b ON e.xmin::text = b.tx
        WHERE substring(e.message from 1 for %(n)s) = %(prefix)s
        GROUP BY b.originator_id
    """
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(statement, {"ids": ids, "n": len(RECORDED), "prefix": RECORDED})
        found = {str(batch): int(position) for batch, position in rows.fetchall()}
        published = [
            int(row[0])
            for row in conn.execute(
                "SELECT notification_id FROM survey.survey_events WHERE length(message) > 0 "
                "ORDER BY notification_id"
            ).fetchall()
        ]
    for p in pushes:
        p.position = found.get(p.batch_id or "")
        if p.position is not None:
            p.sequence = bisect.bisect_right(published, p.position)


def watch_stream(nats_url: str, namespace: str, stop: threading.Event, obs: Observations) -> None:
    """The survey stream's last sequence, every POSITIONS_EVERY seconds."""

    async def poll() -> None:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            name = stream_name(namespace, "survey")
            while not stop.is_set():
                sent = time.perf_counter()
                try:
                    info = await js.stream_info(name)
                    obs.stream.append((time.perf_counter(), int(info.state.last_seq)))
                except Exception as error:
                    if len(obs.errors) < 10:
                        obs.errors.append(f"stream: {type(error).__name__}: {error}"[:300])
                elapsed = time.perf_counter() - sent
                await asyncio.sleep(max(0.0, POSITIONS_EVERY - elapsed))
        finally:
            await nc.close()

    asyncio.run(poll())


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its relay child so far (/proc, clock ticks)."""
    total = 0.0
    for each in (pid, *children(pid)):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def first_reaching(observations: list[tuple[float, int]], position: int) -> float | None:
    for arrived, seen in observations:
        if seen >= position:
            return arrived
    return None


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


if __name__ == "__main__":
    sys.exit(main())
