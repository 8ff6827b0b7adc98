"""(d) Survey ingest end to end: questionnaires pushed over HTTP into the survey service
running as in production, against raw PostgreSQL COPY and the eventsourcing library.

For each size N (a fresh database and NATS namespace each, so that each process's peak
memory is its own): `pingyi serve registry` and `pingyi serve survey` start as processes of
their own (PINGYI_MODE=production, the relay a child of survey as `serve` starts it); a
jurisdiction, the units, an agency and a standalone wave are created through the APIs with
the bootstrap admin key; once survey's copy of the registry has caught up, `clients` threads
(one httpx client each) push N questionnaires rating every unit in batches of `batch`,
`POST /waves/{id}/questionnaires:batch`, bodies encoded before the clock starts.

- accepted: N / seconds from the first request to the last response;
- end to end: N / seconds from the first request until the survey stream on JetStream holds
  every questionnaire's message (polled every few milliseconds);
- peak memory (VmHWM) of the survey process and of its relay child.

Baselines in the same database, same questionnaires: COPY of one row per questionnaire
(its canonical JSON) into an ordinary table; the eventsourcing library alone (a minimal
aggregate per questionnaire, one created event with the same fields) saving batches of
`batch` with `app.save(*aggregates)` through the recorder Pingyi runs on (the library's own
hangs on statements this large, see `library_app`), and through the library's own recorder
in batches of 100; and the naive pattern, one `app.save` per questionnaire, on the first
`naive` questionnaires.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import nats
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench import sampler, write_path
from bench.infra import Measurement, Stopwatch, delete_streams, fresh_database, new_namespace
from bench.workload import CST, RATINGS, SURVEY_POINTS, batches
from shared.messaging.jetstream import stream_name
from shared.persistence.config import APPLICATION_RECORDER_TOPIC

ROOT = Path(__file__).resolve().parents[1]
GOV = "政府部门及其它机构"
READY_SECONDS = 90.0
CATCH_UP_SECONDS = 120.0
DRAIN_SECONDS = 600.0
TARGET_RATE = 10_000
TARGETS = (
    "targets (the issue): ≥10,000 questionnaires/s end to end, ≥0.5x raw COPY,"
    " ≥0.5x the library's batch save, peak memory flat in N"
)


# --- the workload -----------------------------------------------------------------------


def questionnaires(n: int, units: Sequence[str]) -> list[dict[str, Any]]:
    """n distinct questionnaires rating every unit, as an agency sends them (JSON-ready),
    ratings keyed by unit id. Collected over the last days, so that they fall inside the
    wave's window."""
    start = datetime.now(CST).replace(microsecond=0) - timedelta(days=3)
    return [
        {
            "questionnaire_id": f"LH2026-{i:07d}",
            "collected_at": (start + timedelta(seconds=7 * (i % 30_000))).isoformat(),
            "survey_point": SURVEY_POINTS[i % len(SURVEY_POINTS)],
            "ratings": {u: RATINGS[(i * 7 + j * (1 + i % 5)) % 4] for j, u in enumerate(units)},
        }
        for i in range(n)
    ]


def as_rows(data: Sequence[dict[str, Any]], units: Sequence[str]) -> list[dict[str, Any]]:
    """The same questionnaires in the push's compact form: `row`, one answer per unit in
    the wave's order, instead of `ratings` keyed by unit id (docs/survey.md)."""
    return [
        {key: value for key, value in q.items() if key != "ratings"}
        | {"row": [q["ratings"].get(unit) for unit in units]}
        for q in data
    ]


# --- the processes ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_service(
    name: str,
    env: dict[str, str],
    workdir: Path,
    profile: Path | None = None,
    *,
    options: Sequence[str] = (),
    label: str | None = None,
) -> Service:
    """`options` for `pingyi serve`; `label` names its log (a second replica's, say)."""
    port = free_port()
    env = env | {f"PINGYI_{name.upper()}_PORT": str(port)}
    if profile is None:
        command = [sys.executable, "-m", "pingyi", "serve", name, *options]
    else:
        command = [sys.executable, "-m", "bench.sampler", str(profile), "serve", name, *options]
    log = workdir / f"{label or name}.log"
    with log.open("ab") as handle:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
        )
    service = Service(name, port, process, log)
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{service.output()}")
        try:
            if httpx.get(f"{service.url}/readyz", timeout=2).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    service.stop()
    raise TimeoutError(f"{name} not ready at {service.url}:\n{service.output()}")


BENCH_SEAL_KEY = "5e" * 32
"""A seal key of the bench's own (64 hex digits, as deploy/README.md asks)."""


def production_env(database_url: str, nats_url: str, namespace: str, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    return env | {
        "PINGYI_MODE": "production",
        "PINGYI_DATABASE_URL": database_url,
        "PINGYI_NATS_URL": nats_url,
        "PINGYI_NAMESPACE": namespace,
        "PINGYI_BOOTSTRAP_ADMIN_KEY": key,
        # Production starts only with its secrets (pingyi.cli_common): the services run
        # sealed, as a deployment does.
        "PINGYI_SEAL_KEY": BENCH_SEAL_KEY,
        "PINGYI_REGISTRY_CONTACT_KEY": f"bench-contact-{namespace}",
        "PINGYI_SURVEY_VOTER_KEY": f"bench-voter-{namespace}",
        "PINGYI_LOG_JSON": "true",
    }


def children(pid: int, command: str | None = None) -> list[int]:
    """The process's children; with `command`, only `pingyi <command> …` ones (`serve` starts
    a relay and a views process)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "children").read_text()
        except OSError:  # the thread ended since the listing
            continue
        found += [int(p) for p in text.split()]
    return [p for p in found if command is None or _runs(p, command)]


def _runs(pid: int, command: str) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"pingyi" in argv and command.encode() in argv


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM: the process's peak resident set since it started (Linux; psutil reports no
    peak on Linux, so /proc is read directly)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far (/proc/<pid>/stat); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime and stime, the 14th and 15th fields; the command name is cut off before them.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """Every PostgreSQL process on this machine (the server's and its backends')."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuWatch:
    """CPU seconds each watched process spent between `start` and `stop`: where a push's
    time goes, steadier from run to run than a rate on a shared machine."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.start = {name: self._now(pids) for name, pids in groups.items()}
        self.spent: dict[str, float] = {}

    @staticmethod
    def _now(pids: list[int]) -> float:
        return sum(map(cpu_seconds, pids))

    def stop(self) -> dict[str, float]:
        self.spent = {
            name: round(self._now(pids) - self.start[name], 3) for name, pids in self.groups.items()
        }
        return self.spent


# --- one run over HTTP ------------------------------------------------------------------


class Client:
    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=300, headers={"X-API-Key": key})

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, self.url + path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:2000]}")
        return response.json()

    def close(self) -> None:
        self.http.close()


@dataclass
class IngestRun:
    n: int
    units: int
    accepted: int = 0
    quarantined: int = 0
    requests: int = 0
    accepted_seconds: float = 0.0
    end_to_end_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    published: int = 0
    survey_head: int | None = None
    survey_peak_mib: float | None = None
    relay_peak_mib: float | None = None
    views_peak_mib: float | None = None
    profile: list[tuple[str, float]] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    """CPU each process spent over the push (survey, its relay, its views, PostgreSQL)."""

    def latency(self, quantile: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))]

    def summary(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "units": self.units,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "requests": self.requests,
            "accepted_seconds": round(self.accepted_seconds, 3),
            "end_to_end_seconds": round(self.end_to_end_seconds, 3),
            "latency_p50_seconds": round(self.latency(0.5), 3),
            "latency_p99_seconds": round(self.latency(0.99), 3),
            "latency_mean_seconds": round(statistics.fmean(self.latencies or [0.0]), 3),
            "published": self.published,
            "survey_head": self.survey_head,
            "survey_peak_rss_mib": self.survey_peak_mib,
            "relay_peak_rss_mib": self.relay_peak_mib,
            "views_peak_rss_mib": self.views_peak_mib,
            "profile": [[name, round(share, 4)] for name, share in self.profile],
            "cpu_seconds": self.cpu_seconds,
        }


def setup(
    registry: Client, survey: Client, units: int, others: Sequence[Client] = ()
) -> tuple[str, str, list[str]]:
    """(wave id, agency key, unit ids) once survey (and every other replica of it, each
    keeping its own copy of the keys) can use them."""
    province = registry.call("POST", "/jurisdictions", json={"name": "河南省", "level": "province"})
    city = registry.call(
        "POST",
        "/jurisdictions",
        json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    city_id = city["jurisdiction_id"]
    created = registry.call(
        "POST",
        "/units:batch",
        json={
            "units": [
                {
                    "jurisdiction_id": city_id,
                    "name": f"测评单位{i:03d}",
                    "kind": "government_department",
                    "category": GOV,
                }
                for i in range(units)
            ]
        },
    )["units"]
    unit_ids = [u["unit_id"] for u in created]
    agency = registry.call("POST", "/principals", json={"name": "第三方调查机构", "role": "agency"})
    head = registry.call("GET", "/positions")["head"]
    deadline = time.monotonic() + CATCH_UP_SECONDS
    for replica in (survey, *others):
        while (replica.call("GET", "/positions")["consumers"].get("registry") or 0) < head:
            if time.monotonic() > deadline:
                raise TimeoutError("survey's copy of the registry did not catch up")
            time.sleep(0.05)
    wave = survey.call(
        "POST",
        "/waves",
        json={
            "name": "2026年度民主评议问卷测评（基准）",
            "jurisdiction_id": city_id,
            "agency_id": agency["principal_id"],
            "unit_ids": unit_ids,
        },
    )
    # Survey's own views have applied the opening (a first Chinese name sorted loads
    # pypinyin's dictionaries, half a second of CPU once a process): the clock starts at rest.
    head = survey.call("GET", "/positions")["head"]
    while (survey.call("GET", "/positions")["consumers"].get("survey") or 0) < head:
        if time.monotonic() > deadline:
            raise TimeoutError("survey's views did not apply the wave's opening")
        time.sleep(0.05)
    return wave["wave_id"], agency["api_key"], unit_ids


def push(
    urls: Sequence[str],
    key: str,
    wave_id: str,
    bodies: list[bytes],
    clients: int,
    run: IngestRun,
) -> None:
    """`clients` threads take the next body until none is left; each response is checked.
    Client i sends to `urls[i % len(urls)]` (one URL a replica)."""
    pending = iter(enumerate(bodies))
    lock = threading.Lock()
    failures: list[str] = []

    def client(url: str) -> None:
        path = f"{url}/waves/{wave_id}/questionnaires:batch"
        with httpx.Client(timeout=300) as http:
            while True:
                with lock:
                    item = next(pending, None)
                if item is None or failures:
                    return
                index, body = item
                headers = {
                    "X-API-Key": key,
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"bench-{index}",
                }
                started = time.perf_counter()
                response = http.post(path, content=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    failures.append(f"batch {index}: {response.status_code} {response.text[:500]}")
                    return
                result = response.json()
                if result["problems"] or result["duplicates"]:
                    failures.append(f"batch {index}: {json.dumps(result)[:1000]}")
                    return
                with lock:
                    run.latencies.append(elapsed)
                    run.accepted += result["accepted"]
                    run.quarantined += result["quarantined"]
                    run.requests += 1

    threads = [threading.Thread(target=client, args=(urls[i % len(urls)],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("; ".join(failures))


def publishable(database_url: str) -> int:
    """How many messages survey's log holds to publish (a push publishes its batch parts,
    not one message per questionnaire): the stream is complete when it holds them all."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM survey.survey_events WHERE octet_length(message) > 0"
        ).fetchone()
    return int(row[0]) if row else 0


async def wait_published(nats_url: str, namespace: str, target: int) -> int:
    """Polls the survey stream until it holds `target` messages; returns the count."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + DRAIN_SECONDS
        while True:
            try:
                info = await js.stream_info(stream_name(namespace, "survey"))
                count = int(info.state.messages)
            except nats.js.errors.NotFoundError:
                count = 0
            if count >= target:
                return count
            if time.monotonic() > deadline:
                raise TimeoutError(f"survey stream holds {count} of {target} messages")
            await asyncio.sleep(0.003)
    finally:
        await nc.close()


@contextmanager
def ingest_system(
    admin_url: str,
    nats_url: str,
    workdir: Path,
    *,
    profile: Path | None = None,
    replicas: int = 1,
) -> Iterator[tuple[str, str, str, Service, list[Service]]]:
    """(database url, namespace, admin key, registry, survey's replicas), torn down
    afterwards. The first survey replica starts the relay and views children, as `serve`
    does; the others serve requests only (`--no-relay --no-views`: those are leased, one
    per service)."""
    namespace = new_namespace()
    key = f"pyk_bench-{uuid.uuid4().hex}"
    with fresh_database(admin_url) as database_url:
        env = production_env(database_url, nats_url, namespace, key)
        started: list[Service] = []
        try:
            started.append(start_service("registry", env, workdir))
            started.append(start_service("survey", env, workdir, profile))
            for replica in range(1, replicas):
                started.append(
                    start_service(
                        "survey",
                        env,
                        workdir,
                        options=("--no-relay", "--no-views"),
                        label=f"survey-{replica + 1}",
                    )
                )
            yield database_url, namespace, key, started[0], started[1:]
        finally:
            for service in reversed(started):
                service.stop()
            delete_streams(nats_url, namespace)


def run_over_http(
    admin_url: str,
    nats_url: str,
    n: int,
    units: int,
    batch: int,
    clients: int,
    workdir: Path,
    *,
    profile: bool = False,
    rows: bool = False,
    replicas: int = 1,
) -> tuple[IngestRun, list[dict[str, Any]], list[dict[str, Any]]]:
    run = IngestRun(n, units)
    profile_path = workdir / f"profile-{n}.json" if profile else None
    with ingest_system(
        admin_url, nats_url, workdir, profile=profile_path, replicas=replicas
    ) as system:
        database_url, namespace, key, registry_service, survey_replicas = system
        survey_service = survey_replicas[0]
        registry = Client(registry_service.url, key)
        survey = Client(survey_service.url, key)
        others = [Client(replica.url, key) for replica in survey_replicas[1:]]
        try:
            wave_id, agency_key, unit_ids = setup(registry, survey, units, others)
            data = questionnaires(n, unit_ids)
            sent = as_rows(data, unit_ids) if rows else data
            bodies = [
                json.dumps(
                    {"questionnaires": list(chunk), "all_or_nothing": False}, ensure_ascii=False
                ).encode("utf-8")
                for chunk in batches(sent, batch)
            ]
            # The wave's opening on the stream: the relay holds its lease and is caught up.
            before = asyncio.run(wait_published(nats_url, namespace, 1))
            pid = survey_service.process.pid
            cpu = CpuWatch(
                {
                    "survey": [replica.process.pid for replica in survey_replicas],
                    "relay": children(pid, "relay"),
                    "views": children(pid, "views"),
                    "postgres": postgres_pids(),
                }
            )
            with Stopwatch() as watch:
                urls = [replica.url for replica in survey_replicas]
                push(urls, agency_key, wave_id, bodies, clients, run)
                run.accepted_seconds = time.perf_counter() - watch.started
                run.published = asyncio.run(
                    wait_published(nats_url, namespace, publishable(database_url))
                )
            run.cpu_seconds = cpu.stop()
            run.end_to_end_seconds = watch.seconds
            run.published -= before
            run.survey_head = survey.call("GET", "/positions")["head"]
            run.survey_peak_mib = peak_rss_mib(pid)
            relays = children(pid, "relay")
            run.relay_peak_mib = max((peak_rss_mib(p) or 0.0 for p in relays), default=None)
            views = children(pid, "views")
            run.views_peak_mib = max((peak_rss_mib(p) or 0.0 for p in views), default=None)
        finally:
            registry.close()
            survey.close()
            for other in others:
                other.close()
    if profile_path is not None and profile_path.exists():
        run.profile = sampler.breakdown(profile_path)
    if run.accepted != n:
        raise RuntimeError(f"{run.accepted} of {n} questionnaires accepted")
    return run, data, sent


# --- the library alone ------------------------------------------------------------------


class Questionnaire(Aggregate):
    """The smallest aggregate holding what a `Response` holds: one created event."""

    class Recorded(Aggregate.Created):
        wave_id: uuid.UUID
        questionnaire_id: str
        survey_point: str | None
        collected_at: datetime
        ratings: dict[str, str]
        details: dict[str, Any]

    @classmethod
    def record(cls, wave_id: uuid.UUID, q: dict[str, Any]) -> Questionnaire:
        return cls._create(
            cls.Recorded,
            id=uuid.uuid5(wave_id, q["questionnaire_id"]),
            wave_id=wave_id,
            questionnaire_id=q["questionnaire_id"],
            survey_point=q["survey_point"],
            collected_at=datetime.fromisoformat(q["collected_at"]),
            ratings=q["ratings"],
            details={},
        )

    @event(Recorded)
    def __init__(
        self,
        wave_id: uuid.UUID,
        questionnaire_id: str,
        survey_point: str | None,
        collected_at: datetime,
        ratings: dict[str, str],
        details: dict[str, Any],
    ) -> None:
        self.wave_id = wave_id
        self.questionnaire_id = questionnaire_id
        self.survey_point = survey_point
        self.collected_at = collected_at
        self.ratings = ratings
        self.details = details


def library_app(database_url: str, schema: str, *, pipelined: bool = False) -> Application[Any]:
    """The eventsourcing library on PostgreSQL, its defaults but for the recorder: the
    library's own (`pipelined`) inserts inside psycopg's pipeline mode, which never returns
    once a statement is larger than a few socket buffers (about 10 MB here, less under load:
    docs/upstream/psycopg-pipeline-hang), and 1000 questionnaires of 80 ratings are that
    large. So batches of `batch` use the recorder Pingyi runs on, which is the library's
    transaction without the pipeline (and with its arrays sent in binary)."""
    parts = urlsplit(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_SCHEMA": schema,
        "CREATE_TABLE": "y",
    }
    if not pipelined:
        env["APPLICATION_RECORDER_TOPIC"] = APPLICATION_RECORDER_TOPIC
    return Application(env)


def library_batch_seconds(
    database_url: str, data: Sequence[dict[str, Any]], batch: int, *, pipelined: bool = False
) -> float:
    schema = "bench_library_pipelined" if pipelined else "bench_library_batch"
    app = library_app(database_url, schema, pipelined=pipelined)
    wave_id = uuid.uuid4()
    try:
        with Stopwatch() as watch:
            for chunk in batches(data, batch):
                app.save(*[Questionnaire.record(wave_id, q) for q in chunk])
        return watch.seconds
    finally:
        app.close()


def library_naive_seconds(database_url: str, data: Sequence[dict[str, Any]]) -> float:
    app = library_app(database_url, "bench_library_naive")
    wave_id = uuid.uuid4()
    try:
        with Stopwatch() as watch:
            for q in data:
                app.save(Questionnaire.record(wave_id, q))
        return watch.seconds
    finally:
        app.close()


PIPELINED_BATCH = 100
"""Batches small enough (about 1 MB a statement) for the library's own pipelined insert."""


@dataclass
class Baselines:
    copy_seconds: float
    batch_seconds: float
    naive_count: int
    naive_seconds: float
    pipelined_seconds: float


def baselines(
    admin_url: str,
    data: Sequence[dict[str, Any]],
    batch: int,
    naive: int,
    sent: Sequence[dict[str, Any]] | None = None,
) -> Baselines:
    """In a database of their own, with nothing else running. COPY writes the questionnaires
    as they were sent (`sent`: the compact form, when the push used it)."""
    with fresh_database(admin_url) as database_url:
        copy = write_path.copy_seconds(database_url, sent or data, temporary=False)
        saved = library_batch_seconds(database_url, data, batch)
        subset = data[: max(1, min(naive, len(data)))]
        one_by_one = library_naive_seconds(database_url, subset)
        own = library_batch_seconds(database_url, data, PIPELINED_BATCH, pipelined=True)
    return Baselines(copy, saved, len(subset), one_by_one, own)


# --- the report -------------------------------------------------------------------------


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def measurements(
    run: IngestRun,
    base: Baselines,
    clients: int,
    batch: int,
    *,
    rows: bool = False,
    replicas: int = 1,
) -> list[Measurement]:
    n = run.n
    accepted_rate = n / run.accepted_seconds
    e2e_rate = n / run.end_to_end_seconds
    copy_rate = n / base.copy_seconds
    batch_rate = n / base.batch_seconds
    naive_rate = base.naive_count / base.naive_seconds
    served = "`pingyi serve survey`" + (f" ×{replicas} replicas" if replicas > 1 else "")
    http = (
        f"POST questionnaires:batch to {served} (production), {batch} per request,"
        f" {clients} clients" + (", answers as compact rows" if rows else "")
    )
    latency = (
        f"{run.requests} requests of {batch}: latency p50 {run.latency(0.5):.2f} s,"
        f" p99 {run.latency(0.99):.2f} s"
    )
    memory = (
        f"peak RSS (VmHWM): survey process {run.survey_peak_mib or 0:.0f} MiB,"
        f" its relay {run.relay_peak_mib or 0:.0f} MiB, its views {run.views_peak_mib or 0:.0f} MiB"
    )
    details = run.summary() | {
        "copy_seconds": round(base.copy_seconds, 3),
        "library_batch_seconds": round(base.batch_seconds, 3),
        "library_naive_count": base.naive_count,
        "library_naive_seconds": round(base.naive_seconds, 3),
        "library_pipelined_seconds": round(base.pipelined_seconds, 3),
    }
    cpu = (
        [
            "CPU µs per questionnaire over the push: "
            + ", ".join(
                f"{name} {seconds / n * 1e6:.0f}" for name, seconds in run.cpu_seconds.items()
            ),
            cpu_ceiling(run.cpu_seconds, n),
        ]
        if run.cpu_seconds
        else []
    )
    profile = (
        [
            "survey process, share of busy samples: "
            + ", ".join(f"{name} {share:.0%}" for name, share in run.profile)
        ]
        if run.profile
        else []
    )
    suffix = (
        f" (N={n:,}, {run.units} units{', rows' if rows else ''}"
        f"{f', {replicas} survey replicas' if replicas > 1 else ''})"
    )
    return [
        Measurement(
            name="ingest over HTTP, accepted" + suffix,
            unit="questionnaires/s",
            count=n,
            baseline="COPY of one row per questionnaire (its JSON) into an ordinary table",
            baseline_seconds=base.copy_seconds,
            pingyi=http + ", until the last response",
            pingyi_seconds=run.accepted_seconds,
            notes=[
                latency,
                memory,
                f"{run.quarantined} of {run.accepted} accepted questionnaires quarantined",
                f"target ≥0.5x COPY: {met(accepted_rate / copy_rate >= 0.5)}",
                *cpu,
                *profile,
            ],
            details=details,
        ),
        Measurement(
            name="ingest over HTTP, end to end" + suffix,
            unit="questionnaires/s",
            count=n,
            baseline="COPY of one row per questionnaire (its JSON) into an ordinary table",
            baseline_seconds=base.copy_seconds,
            pingyi=http + ", until the last message is on JetStream",
            pingyi_seconds=run.end_to_end_seconds,
            notes=[
                f"{run.published} messages on the survey stream (the pushes' batch parts);"
                f" survey's log head {run.survey_head} (per request also a Wave, a Batch and"
                " an idempotency event, and a claim per questionnaire, none published)",
                f"relay lag after the last response:"
                f" {run.end_to_end_seconds - run.accepted_seconds:.2f} s",
                f"target ≥{TARGET_RATE:,}/s end to end: {met(e2e_rate >= TARGET_RATE)}",
                TARGETS,
            ],
        ),
        Measurement(
            name="ingest over HTTP vs the library's batch save" + suffix,
            unit="questionnaires/s",
            count=n,
            baseline=f"eventsourcing alone: app.save of {batch} minimal aggregates at a time"
            " (Pingyi's unpipelined recorder)",
            baseline_seconds=base.batch_seconds,
            pingyi=http + ", until the last response",
            pingyi_seconds=run.accepted_seconds,
            notes=[
                f"the library's batch save is {batch_rate / copy_rate:.2f}x COPY",
                f"the naive pattern, one app.save per questionnaire: {naive_rate:,.0f}/s"
                f" ({base.naive_count:,} questionnaires; {naive_rate / batch_rate:.2f}x the"
                " batch save)",
                f"the library's own pipelined recorder, batches of {PIPELINED_BATCH} (it hangs"
                f" on batches of {batch} this size): {n / base.pipelined_seconds:,.0f}/s",
                f"target ≥0.5x the batch save: {met(accepted_rate / batch_rate >= 0.5)}",
            ],
        ),
    ]


def measure(
    admin_url: str,
    nats_url: str,
    sizes: Sequence[int],
    units: int,
    batch: int,
    clients: int,
    naive: int,
    workdir: Path,
    *,
    profile: bool = False,
    rows: bool = False,
    replicas: int = 1,
) -> list[Measurement]:
    """`rows`: the agencies send each questionnaire's answers as a compact `row` instead of
    `ratings` keyed by unit id (and COPY writes that form too)."""
    results: list[Measurement] = []
    runs: list[IngestRun] = []
    for n in sizes:
        run, data, sent = run_over_http(
            admin_url, nats_url, n, units, batch, clients, workdir, rows=rows, replicas=replicas
        )
        runs.append(run)
        base = baselines(admin_url, data, batch, naive, sent)
        results += measurements(run, base, clients, batch, rows=rows, replicas=replicas)
    if profile:
        # A run of its own: sampling costs the process some of its time.
        run, _, _ = run_over_http(
            admin_url, nats_url, sizes[0], units, batch, clients, workdir, profile=True, rows=rows
        )
        results[0].notes += [
            f"profiled run (sampled, {run.n / run.accepted_seconds:,.0f}/s accepted):"
            " survey process, share of busy samples: "
            + ", ".join(f"{name} {share:.0%}" for name, share in run.profile)
        ]
        results[0].details["profile"] = run.summary()["profile"]
    if len(runs) > 1:
        peaks = ", ".join(f"N={r.n:,}: {r.survey_peak_mib or 0:.0f} MiB" for r in runs)
        results[0].notes.append(f"survey peak RSS by size: {peaks}")
    return results


def cpu_ceiling(cpu_seconds: dict[str, float], n: int, cores: int | None = None) -> str:
    """What the CPU spent says of capacity, whatever else ran on the machine: the processes'
    CPU per questionnaire together, and the rate at which they would fill every core."""
    cores = cores or os.cpu_count() or 1
    total = sum(cpu_seconds.values()) / n
    return (
        f"all of them {total * 1e6:.0f} µs a questionnaire: {cores} cores at full use would take "
        f"{cores / total:,.0f} questionnaires/s"
    )
