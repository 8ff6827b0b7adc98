"""A history written by the real registry, survey, inspection and scoring services, sealed
by their own sealers, and SQL that tampers with its stored rows the way someone with database access
could: in the SQLite files (embedded) or the PostgreSQL tables (production)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from pydantic import SecretStr

from pingyi.audit_log import verify_logs
from shared.integrity.verify import LogVerdict
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, wait_caught_up
from tests.scoring.rounds.helpers import assign, campaign_round, caught_up, push, request_run

SERVICES = ["registry", "survey", "inspection", "scoring"]
SEAL_KEY = "11" * 32


def sealing(common: CommonSettings, **changes: Any) -> CommonSettings:
    update: dict[str, Any] = {
        "seal_key": SecretStr(SEAL_KEY),
        "seal_every_rows": 7,
        "seal_every_seconds": 0.2,
        "score_check_seconds": 0.2,
    }
    return common.model_copy(update=update | changes)


def sealed_to(cluster: Cluster, service: str) -> Any:
    return cluster[service].get("/readyz").json()["checks"]["seal"]["sealed_to"]


def stored_to(common: CommonSettings, service: str) -> int | None:
    """The last row of the service's events table, published or not: the sealer seals every
    row, and the published head (`/positions`) may stop short of an internal event."""
    ((last,),) = Table(common, service).run("SELECT max({id}) FROM {t}")
    return None if last is None else int(last)


def wait_sealed(cluster: Cluster) -> None:
    for service in cluster.services:
        wait_caught_up(
            lambda s=service: stored_to(cluster.common, s),  # type: ignore[misc]
            lambda s=service: sealed_to(cluster, s),  # type: ignore[misc]
            f"{service} sealed",
        )


def history(common: CommonSettings) -> dict[str, Any]:
    """Questionnaires in a campaign round over three units and one round run, all sealed."""
    with Cluster(common, SERVICES) as cluster:
        rnd = campaign_round(cluster)
        push(cluster["survey"], rnd, [("满意", "基本满意", "不满意")] * 3, "A")
        push(cluster["survey"], rnd, [("不满意", "满意", "不了解")] * 2, "B")
        caught_up(cluster)
        assign(cluster, rnd)
        run = request_run(cluster, rnd, final=True, reason="上半年结果")
        wait_sealed(cluster)
        return {"campaign_id": rnd.campaign_id, "run": run, "world": rnd.world}


def verdict(common: CommonSettings, service: str) -> LogVerdict:
    (found,) = verify_logs(common, [service])
    return found


class Table:
    """One service's events table, in SQLite or PostgreSQL, addressed by position."""

    def __init__(self, common: CommonSettings, service: str) -> None:
        self.production = common.mode == "production"
        self.service = service
        self.common = common

    @contextmanager
    def _db(self) -> Iterator[Any]:
        if self.production:
            with psycopg.connect(self.common.database_url) as conn:
                yield conn
        else:
            conn = sqlite3.connect(self.common.data_dir / f"{self.service}.sqlite")
            try:
                with conn:
                    yield conn
            finally:
                conn.close()

    def _sql(self, text: str) -> str:
        if self.production:
            table = f'"{self.service}"."{self.service}_events"'
            return text.replace("{t}", table).replace("{id}", "notification_id").replace("?", "%s")
        return text.replace("{t}", "stored_events").replace("{id}", "rowid")

    def run(self, text: str, *params: Any) -> list[Any]:
        with self._db() as conn:
            cursor = conn.execute(self._sql(text), params)
            return list(cursor.fetchall()) if cursor.description else []

    def positions(self, topic_part: str) -> list[int]:
        found = self.run("SELECT {id} FROM {t} WHERE topic LIKE ? ORDER BY {id}", f"%{topic_part}%")
        return [int(r[0]) for r in found]

    def state(self, position: int) -> dict[str, Any]:
        ((state,),) = self.run("SELECT state FROM {t} WHERE {id} = ?", position)
        loaded: dict[str, Any] = json.loads(bytes(state))
        return loaded

    def set_state(self, position: int, state: dict[str, Any]) -> None:
        encoded = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
        self.run("UPDATE {t} SET state = ? WHERE {id} = ?", encoded, position)


__all__ = ["ADMIN", "Table", "history", "sealing", "verdict"]
