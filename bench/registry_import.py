"""A 参评单位 import into a jurisdiction that already holds units, against the eventsourcing
library storing as many minimal aggregates in the same kind of store, measured in the same
run.

```sh
python -m bench.registry_import                                  # memory mode, 5,000 rows
python -m bench.registry_import --mode production --existing 0,5000 --n 5000
```

For each size of the jurisdiction (`--existing`, default 0 and 5,000) a registry of its own
(memory mode: in-memory stores; production: a fresh database and NATS namespace, removed at
the end) started in this process as the tests start it; through its API with the bootstrap
admin key, a city and an import of that many units (untimed), then, once its views have
applied them (`/positions`), the timed import of `--n` more rows (`POST /imports/units`, a
CSV of name, kind, category and, unless `--no-codes`, a 统一社会信用代码). What the
import does per row: parse and check the cells, register the unit, and claim its name and
code in the jurisdiction (one active unit per name and per code), which finds units
registered before claims existed through the registry's copy of its own units.

Baseline: the library alone, in the same kind of store (memory: its in-memory recorder;
production: PostgreSQL, through the recorder Pingyi runs on), `save` of `--n` aggregates,
each one created event holding the row's fields, at once. It does none of the parsing,
checking or claiming; it does not grow with the jurisdiction. So the ratio at 5,000 existing
units against the ratio at none is what the jurisdiction's size costs an import: it was a
full walk of the jurisdiction per row (5,000 rows into 5,000 units took 53-71 s in memory
mode), it is now one read per import.
"""

from __future__ import annotations

import argparse
import csv
import io
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from fastapi.testclient import TestClient

from bench.infra import (
    NATS_URL,
    PG_ADMIN_URL,
    Measurement,
    Stopwatch,
    delete_streams,
    fresh_database,
    new_namespace,
)
from bench.report import RESULTS, table, write
from bench.survey_ingest import library_app
from pingyi.composition import create_app
from services.registry.domain.credit_code import check_character
from shared.settings import CommonSettings

ADMIN_KEY = "pyk_bench-registry-import-admin-key"
ADMIN = {"X-API-Key": ADMIN_KEY}
GOV = "政府部门及其它机构"
CSV = "text/csv; charset=utf-8"


def credit_code(number: int) -> str:
    first = f"91411100{number:09d}"
    return first + check_character(first)


def rows(start: int, count: int, coded: bool) -> list[dict[str, str]]:
    return [
        {
            "name": f"漯河市测试单位{n:05d}",
            "kind": "政府部门",
            "category": GOV,
            "credit_code": credit_code(n) if coded else "",
        }
        for n in range(start, start + count)
    ]


def sheet(data: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["单位名称", "单位类型", "类别", "统一社会信用代码"])
    writer.writerows([r["name"], r["kind"], r["category"], r["credit_code"]] for r in data)
    return out.getvalue().encode("utf-8")


# --- the library alone ------------------------------------------------------------------


class BareUnit(Aggregate):
    """The smallest aggregate holding what an imported row says: one created event."""

    class Registered(Aggregate.Created):
        jurisdiction_id: uuid.UUID
        name: str
        kind: str
        category: str
        credit_code: str | None

    @classmethod
    def register(cls, jurisdiction_id: uuid.UUID, row: dict[str, str]) -> BareUnit:
        return cls._create(
            cls.Registered,
            id=uuid.uuid4(),
            jurisdiction_id=jurisdiction_id,
            name=row["name"],
            kind=row["kind"],
            category=row["category"],
            credit_code=row["credit_code"] or None,
        )

    @event(Registered)
    def __init__(
        self,
        jurisdiction_id: uuid.UUID,
        name: str,
        kind: str,
        category: str,
        credit_code: str | None,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.kind = kind
        self.category = category
        self.credit_code = credit_code


def library_seconds(database_url: str | None, data: list[dict[str, str]]) -> float:
    app: Application[Any] = (
        Application({}) if database_url is None else library_app(database_url, "bench_units")
    )
    jurisdiction_id = uuid.uuid4()
    try:
        with Stopwatch() as watch:
            app.save(*[BareUnit.register(jurisdiction_id, row) for row in data])
        return watch.seconds
    finally:
        app.close()


# --- the registry ------------------------------------------------------------------------


@contextmanager
def registry(mode: str, pg: str, nats: str) -> Iterator[tuple[TestClient, str | None]]:
    """A registry of its own, and the database it runs on (production mode)."""
    with ExitStack() as stack:
        namespace = new_namespace()
        database_url = None
        if mode == "production":
            database_url = stack.enter_context(fresh_database(pg))
            stack.callback(delete_streams, nats, namespace)
        where: dict[str, Any] = {} if database_url is None else {"database_url": database_url}
        common = CommonSettings(
            mode=mode,  # type: ignore[arg-type]
            data_dir=Path("memory-mode-writes-nothing"),
            nats_url=nats,
            namespace=namespace,
            bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
            log_json=False,
            rate_positions="100000/second",
            **where,
        )
        client = stack.enter_context(TestClient(create_app("registry", common)))
        yield client, database_url


def _answer(response: Any, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json()


def wait_applied(client: TestClient, timeout: float = 600.0) -> None:
    """Until the registry's views have applied everything its log holds."""
    deadline = time.monotonic() + timeout
    while True:
        positions = _answer(client.get("/positions", headers=ADMIN), 200)
        applied = positions["consumers"].get("registry")
        if positions["head"] is None or (applied is not None and applied >= positions["head"]):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"registry views at {applied}, log at {positions['head']}")
        time.sleep(0.05)


def upload(client: TestClient, jurisdiction_id: str, data: bytes) -> dict[str, Any]:
    response = client.post(
        "/imports/units",
        content=data,
        params={"jurisdiction_id": jurisdiction_id},
        headers=ADMIN | {"Content-Type": CSV},
    )
    found: dict[str, Any] = _answer(response, 201)
    return found


def measure(mode: str, existing: int, n: int, coded: bool, pg: str, nats: str) -> Measurement:
    with registry(mode, pg, nats) as (client, database_url):
        city = _answer(
            client.post("/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=ADMIN),
            201,
        )["jurisdiction_id"]
        if existing:
            upload(client, city, sheet(rows(0, existing, coded)))
        wait_applied(client)
        data = rows(existing, n, coded)
        body = sheet(data)
        with Stopwatch() as watch:
            report = upload(client, city, body)
        if len(report["created"]) != n:
            raise RuntimeError(f"imported {len(report['created'])} of {n} rows")
        baseline = library_seconds(database_url, data)
    what = "names and codes" if coded else "names"
    return Measurement(
        name=f"import units ({mode}, {existing:,} already there)",
        unit="rows/s",
        count=n,
        baseline=f"the library alone: save of {n:,} one-event aggregates at once",
        baseline_seconds=baseline,
        pingyi=f"POST /imports/units of {n:,} rows ({what}) into a jurisdiction of "
        f"{existing:,} active units",
        pingyi_seconds=watch.seconds,
        details={"mode": mode, "existing": existing, "coded": coded},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("memory", "production"), default="memory")
    parser.add_argument("--n", type=int, default=5000, help="rows imported, timed")
    parser.add_argument("--existing", default="0,5000", help="units already there, per run")
    parser.add_argument("--no-codes", action="store_true", help="rows without credit codes")
    parser.add_argument("--pg", default=PG_ADMIN_URL)
    parser.add_argument("--nats", default=NATS_URL)
    parser.add_argument("--output", type=Path, default=RESULTS / "registry_import.json")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.existing.split(",")]
    found = [
        measure(args.mode, size, args.n, not args.no_codes, args.pg, args.nats) for size in sizes
    ]
    print(table(found))
    parameters = {"mode": args.mode, "n": args.n, "existing": sizes, "codes": not args.no_codes}
    print(f"written to {write(found, parameters, {'mode': args.mode}, args.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
