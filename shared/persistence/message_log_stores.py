"""Where a service's stored event log is, and whether it is there: the lookups behind the
offline reader (`shared.persistence.message_log`, which re-exports every public name here)
and the checks commands make before reading (`missing_stores`). Nothing is created: a
store that is not there is an error, never an empty log."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.settings import CommonSettings

SQLITE_TABLE = "stored_events"


class MessageLogError(Exception):
    """The log cannot be read as asked."""


class StoreMissing(MessageLogError):
    """No event store of that service where the settings point."""


class UnencodedRow(MessageLogError):
    """A row without a stored message body: only the service's own mapping can read it."""


def schema_of(service: str) -> str:
    """The service's PostgreSQL schema, as its settings (`PINGYI_<SERVICE>_POSTGRES_SCHEMA`)
    would name it, without importing them."""
    return os.environ.get(f"PINGYI_{service.upper()}_POSTGRES_SCHEMA") or service


def store_location(common: CommonSettings, service: str) -> str:
    """Where the service's log is looked for, in words for an error message."""
    if common.mode == "production":
        return f"table {schema_of(service)}.{service}_events in {_safe_url(common)}"
    return str(_sqlite_path(common, service))


def _no_store(common: CommonSettings, service: str) -> str:
    """Chinese first, as the audit commands that print it word their own refusals."""
    where = store_location(common, service)
    return f"{where} 没有 {service} 的事件库 (no {service} event store at {where})"


def has_store(common: CommonSettings, service: str) -> bool:
    """Whether the service's event log exists (without creating anything)."""
    _refuse_memory(common)
    if common.mode == "production":
        with psycopg.connect(common.database_url, connect_timeout=10) as conn:
            row = conn.execute("SELECT to_regclass(%s)", (_pg_table_text(service),)).fetchone()
            return row is not None and row[0] is not None
    path = _sqlite_path(common, service)
    if not path.is_file():
        return False
    with closing(_sqlite_readonly(path)) as conn:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SQLITE_TABLE,)
        ).fetchone()
        return found is not None


def last_position(common: CommonSettings, service: str) -> int | None:
    """The highest position in the log (published or internal), None when empty: a stop to
    read a fixed prefix with while the service goes on writing."""
    if not has_store(common, service):
        raise StoreMissing(_no_store(common, service))
    if common.mode == "production":
        statement = sql.SQL("SELECT max(notification_id) FROM {}").format(
            sql.Identifier(schema_of(service), f"{service}_events")
        )
        with psycopg.connect(common.database_url, connect_timeout=10) as conn:
            row = conn.execute(statement).fetchone()
    else:
        with closing(_sqlite_readonly(_sqlite_path(common, service))) as conn:
            row = conn.execute(f"SELECT max(rowid) FROM {SQLITE_TABLE}").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _refuse_memory(common: CommonSettings) -> None:
    if common.mode == "memory":
        raise MessageLogError(
            "内存模式的日志只在运行中的进程内 (memory mode keeps its logs inside the running "
            "process only)"
        )


def _sqlite_path(common: CommonSettings, service: str) -> Path:
    return common.data_dir / f"{service}.sqlite"


def _sqlite_readonly(path: Path) -> sqlite3.Connection:
    """Never `rwc`: a missing or mistyped path must not become a new, empty database. `rw`
    first, because only a connection that may write removes the WAL's side files when it
    closes (a read-only one leaves `-shm` and `-wal` behind); `ro` where the copy is
    read-only. Only SELECTs are run either way."""
    uri = path.resolve().as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=rw", uri=True, timeout=30)
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)


def _pg_table_text(service: str) -> str:
    """The table's name for `to_regclass`, each part quoted as an identifier."""
    parts = (schema_of(service), f"{service}_events")
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _safe_url(common: CommonSettings) -> str:
    """The database URL without its password, for messages."""
    params = conninfo_to_dict(common.database_url)
    return f"{params.get('host', '')}:{params.get('port', '5432')}/{params.get('dbname', '')}"


VERIFYING = ("核对所依据的", "to verify from")
"""What a command reading the stores does with them, as `missing_stores` says it: Chinese,
then English (`pingyi replay --verify`; `pingyi rebuild` says `REBUILDING`)."""
REBUILDING = ("重建所依据的", "to rebuild from")


def missing_stores(
    common: CommonSettings, services: Iterable[str], doing: tuple[str, str] = VERIFYING
) -> str | None:
    """Why a command that reads these services' logs cannot start here (stores not where the
    settings point, or there but not readable), or None. Never creates a store: a command run
    from the wrong folder must say so, not report on an empty store it made. Chinese first,
    as `_no_store`; `doing` is what the command does with them, in both languages."""
    if common.mode == "memory":
        # A fresh in-memory store is empty: "0 of 0 identical" would pass without a check.
        return "内存模式没有存储的分数可供重放 (memory mode keeps no stored scores to replay)"
    missing = []
    for name in services:
        try:
            found = has_store(common, name)
        except (sqlite3.Error, psycopg.Error, OSError) as error:
            where = store_location(common, name)
            return (
                f"{name} 的事件库 {where} 无法读取 (the {name} event store at {where} cannot be"
                f" read: {type(error).__name__}: {error})"
            )
        if not found:
            missing.append(name)
    if not missing:
        return None
    where = "; ".join(f"{name}: {store_location(common, name)}" for name in missing)
    folder = common.data_dir.resolve()
    hint = (
        f"; {folder} 是数据目录吗? 请用 --data-dir 指明, 或设置 PINGYI_DATA_DIR (is {folder}"
        " the data directory? pass --data-dir or set PINGYI_DATA_DIR)"
        if common.mode == "embedded"
        else "; 请检查 PINGYI_DATABASE_URL 及各服务的 schema (check PINGYI_DATABASE_URL and the"
        " services' schemas)"
    )
    zh, en = doing
    return f"没有{zh}事件库 (no event store {en}): {where}{hint}"
