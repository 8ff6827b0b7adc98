"""`pingyi audit verify-log`: every service's stored event log against its hash chain and
signed checkpoints (docs/tamper-evidence.md). Exit 0 intact, 1 a difference (named by
service and position), 2 cannot run (no log where the settings point, no key) or a log
holds rows of which none is sealed (nothing in it was checked)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pingyi.cli_common import DataDir, console, environment_settings, known

if TYPE_CHECKING:
    from shared.integrity.checkpoints import Checkpoint
    from shared.integrity.verify import LogVerdict
    from shared.settings import CommonSettings


NATS_WAIT = 15.0


class CannotVerify(Exception):
    """Nothing to verify where the settings point, or nothing to verify with."""


def verify_logs(common: CommonSettings, services: list[str]) -> list[LogVerdict]:
    from shared.integrity.keys import verifying_key
    from shared.persistence.message_log import has_store, store_location

    key = verifying_key(common)
    if key is None:
        raise CannotVerify("no key: set PINGYI_SEAL_PUBLIC_KEY (or PINGYI_SEAL_KEY)")
    present = [s for s in services if has_store(common, s)]
    if not present:
        where = ", ".join(store_location(common, s) for s in services)
        raise CannotVerify(f"no event log at {where}")
    return [_verify_one(common, service, key) for service in present]


def _verify_one(common: CommonSettings, service: str, key: object) -> LogVerdict:
    import psycopg

    from shared.integrity.checkpoints import open_checkpoints
    from shared.integrity.rows import all_rows, open_log
    from shared.integrity.verify import verify_log

    notes: list[str] = []
    published = _published(common, service, notes)
    try:
        store = open_checkpoints(common, service, create=False)
        stored = store.all()
        store.close()
    except FileNotFoundError:  # never sealed (embedded): its rows show as not sealed yet
        stored = []
    except psycopg.Error as error:  # no table: judged on the stream's copy, if any
        notes.append(f"no stored checkpoints ({type(error).__name__})")
        stored = []
    reader = open_log(common, service)
    try:
        verdict = verify_log(service, all_rows(reader), stored, key, published)  # type: ignore[arg-type]
    finally:
        reader.close()
    verdict.notes += notes
    return verdict


def _published(common: CommonSettings, service: str, notes: list[str]) -> list[Checkpoint] | None:
    if common.mode != "production":
        return None
    from shared.integrity.stream import fetch_published

    try:
        fetch = fetch_published(common.nats_url, common.namespace, service)
        return asyncio.run(asyncio.wait_for(fetch, NATS_WAIT))
    except Exception as error:
        notes.append(f"published checkpoints not read (NATS: {type(error).__name__}: {error})")
        return None


def verify_log_command(
    service: Annotated[
        str | None, typer.Option("--service", help="Only this service's log (default: all)")
    ] = None,
    data_dir: DataDir = Path("pingyi-data"),
) -> None:
    """Check every stored event log against its hash chain and signed checkpoints; exit 0
    intact, 1 tampered (naming service and first bad position), 2 cannot run or a log with
    no row sealed (nothing in it checked)."""
    from pingyi.catalog import NAMES

    if service is not None:
        known(service)
    common = environment_settings(data_dir)
    try:
        verdicts = verify_logs(common, [service] if service else list(NAMES))
    except Exception as error:
        console.print(f"verify-log 无法校验 cannot run: {error}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    for verdict in verdicts:
        for line in _lines(verdict):
            console.print(line, highlight=False, markup=False)
    bad = [v.service for v in verdicts if not v.intact]
    unverified = [v.service for v in verdicts if not_verified(v)]
    intact = len(verdicts) - len(bad) - len(unverified)
    table_only = [v.service for v in verdicts if v.intact and v.only_in_table]
    console.print(
        f"{intact} of {len(verdicts)} logs intact"
        + (f" (checkpoints only in the table: {', '.join(table_only)})" if table_only else "")
        + (f"; tampered: {', '.join(bad)}" if bad else "")
        + (f"; not verified (no row sealed): {', '.join(unverified)}" if unverified else ""),
        highlight=False,
        markup=False,
    )
    checked = any(v.sealed for v in verdicts)  # else every log empty or unsealed
    raise typer.Exit(1 if bad else 2 if unverified or not checked else 0)


def not_verified(verdict: LogVerdict) -> bool:
    """A log with rows and not one of them sealed: nothing in it was checked, so it is not
    said intact (a check that found nothing to check never passes: exit 2, as replay's
    unread runs)."""
    return verdict.intact and verdict.rows > 0 and verdict.sealed == 0


def only_in_table(verdict: LogVerdict) -> str:
    after = verdict.published_to or 0
    return (
        f"  {verdict.only_in_table} 个检查点仅存于数据库表, 未见于封印流 checkpoints after "
        f"position {after} are only in the table, not on the seals stream: they prove the "
        "rows only as far as the database itself can be trusted (the running service's "
        "sealer publishes them within seconds; if this stays, NATS lost its store and the "
        "service is not running)"
    )


def _lines(verdict: LogVerdict) -> list[str]:
    if verdict.finding is not None:
        # The check stops at the first finding: its counts are how far it read, not the
        # log's size, and are said as such.
        found = verdict.finding
        read = f"{verdict.rows} rows read and {verdict.checkpoints} checkpoints checked"
        lines = [
            f"{verdict.service}: 篡改 TAMPERED at position {found.position}: {found.problem}"
            f" (the check stops there: {read})"
        ]
    elif not_verified(verdict):
        lines = [
            f"{verdict.service}: {verdict.rows} rows, {verdict.checkpoints} checkpoints — "
            "未校验 not verified: no row is sealed yet (a service seals its log while it runs, "
            "every PINGYI_SEAL_EVERY_SECONDS; a log written without its sealer has none)"
        ]
    else:
        head = f"{verdict.service}: {verdict.rows} rows, {verdict.checkpoints} checkpoints"
        lines = [f"{head} — intact, {verdict.sealed} rows sealed"]
        if verdict.unsealed:
            after = verdict.unsealed_after or 0
            lines.append(f"  {verdict.unsealed} rows after position {after} not sealed yet")
        if verdict.only_in_table:
            lines.append(only_in_table(verdict))
    return lines + [f"  note: {note}" for note in verdict.notes]
