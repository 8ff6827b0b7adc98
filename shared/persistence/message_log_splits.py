"""Cutting a stored event log into ranges of about as many bytes each (`split_points`), for
readers that count one log in several processes (scoring's replay of a round).
Re-exported by `shared.persistence.message_log`."""

from __future__ import annotations

from contextlib import closing

import psycopg
from psycopg import sql

from shared.persistence.message_log_stores import (
    SQLITE_TABLE,
    StoreMissing,
    _no_store,
    _sqlite_path,
    _sqlite_readonly,
    has_store,
    schema_of,
)
from shared.settings import CommonSettings


def split_points(
    common: CommonSettings, service: str, stop: int, parts: int, min_bytes: int = 0
) -> list[int]:
    """Positions that cut the log up to `stop` into about `parts` ranges of about as many
    stored bytes each (rows of batch parts weigh hundreds of KiB, single messages a few):
    read a range as `read_bodies(after=cut, stop=next cut)`, from 0 to `stop`. Fewer cuts
    where ranges would be empty, none if the log holds fewer than `min_bytes`. The sizes
    are the stored bodies' lengths, which PostgreSQL knows without reading a body stored
    out of line."""
    if not has_store(common, service):
        raise StoreMissing(_no_store(common, service))
    if parts < 2:
        return []
    if common.mode == "production":
        statement = sql.SQL(_SPLIT).format(
            position=sql.SQL("notification_id"),
            size=sql.SQL("coalesce(octet_length(message), 0)"),
            table=sql.Identifier(schema_of(service), f"{service}_events"),
            stop=sql.Literal(stop),
            parts=sql.Literal(parts),
            shares=sql.SQL(", ").join(sql.SQL("({})").format(k) for k in range(1, parts)),
        )
        with psycopg.connect(common.database_url, connect_timeout=10) as conn:
            found = conn.execute(statement).fetchall()
    else:
        text = _SPLIT.format(
            position="rowid",
            size="coalesce(length(message), 0)",
            table=SQLITE_TABLE,
            stop=int(stop),
            parts=int(parts),
            shares=", ".join(f"({k})" for k in range(1, parts)),
        )
        with closing(_sqlite_readonly(_sqlite_path(common, service))) as conn:
            found = conn.execute(text).fetchall()
    if not found or int(found[0][1] or 0) < min_bytes:
        return []
    cuts = sorted({int(row[0]) for row in found if row[0] is not None})
    return [cut for cut in cuts if 0 < cut < stop]


_SPLIT = (
    # For each share k of `parts`, the first position whose running total of bytes
    # reaches k/parts of the whole.
    "WITH sized AS (SELECT {position} AS position, sum({size}) OVER (ORDER BY {position}) "
    "AS upto FROM {table} WHERE {position} <= {stop}), "
    "whole AS (SELECT max(upto) AS total FROM sized), "
    "shares (k) AS (VALUES {shares}) "
    "SELECT min(position), max(total) FROM sized, whole, shares "
    "WHERE upto * {parts} >= total * k GROUP BY k ORDER BY k"
)
