"""The auditors' and maintainers' commands: replay and verify scores, verify a draw, print
the authorization matrix, rebuild read models. Registered on the `pingyi` command in cli."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from pingyi.audit_words import said
from pingyi.cli_common import DataDir, console, environment_settings, known, say_refused

REPLAY_REFUSED = "无法重放 replay cannot run:"
"""How `replay --verify` begins a refusal; the reason after it is Chinese first too."""

REPLAY_COLUMNS = ("计分运行 score run", "评议轮次 round", "单位 unit", "结果 result")
"""`replay --verify`'s table headers, Chinese first (rich measures a Chinese character as
two columns, so the table stays aligned)."""

VERIFY_DRAW_REFUSED = "无法核对随机抽取 verify-draw cannot run:"
"""How `verify-draw` begins a refusal, as `replay --verify` does."""

VERIFY_DRAW_COLUMNS = ("检查项 check", "结果 result", "详情 detail")
"""`verify-draw`'s table headers, Chinese first as `replay --verify`'s."""

REBUILD_REFUSED = "无法重建 rebuild cannot run:"
"""How `rebuild` begins a refusal; the reason after it is Chinese first too."""

REBUILD_COLUMNS = ("视图 view", "上游位置 upstream positions", "已应用的消息 messages applied")
"""`rebuild`'s table headers, Chinese first as `replay --verify`'s."""


def replay(
    verify: Annotated[
        bool, typer.Option("--verify", help="Recompute and compare every stored score")
    ] = False,
    data_dir: DataDir = Path("pingyi-data"),
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes counting the survey log side by side (default: one per CPU; "
            "1: one piece)",
        ),
    ] = None,
    split_mib: Annotated[
        int | None,
        typer.Option(
            "--split-mib",
            min=0,
            help="A survey log of fewer MiB is read in one piece (default: 32)",
        ),
    ] = None,
) -> None:
    """Recompute every stored round run from the upstream event logs; exit 1 on any
    difference, 2 when there is nothing to verify (or no run could be read and none
    differs). The first release's wave runs are named as retired, not verified."""
    from pingyi.replay import unchecked
    from pingyi.replay import verify as verify_scores
    from services.scoring.replay import ReplayError
    from services.scoring.rounds.replay import Spread

    if not verify:
        raise typer.BadParameter("请加 --verify: 只支持核对 (only --verify is supported)")
    common = environment_settings(data_dir)
    try:
        spread = Spread(workers) if split_mib is None else Spread(workers, split_mib << 20)
        rounds, retired = verify_scores(common, spread)
    except ReplayError as error:
        _cannot_replay(str(error))
    except Exception as error:  # a traceback's exit 1 would read as "different"
        _cannot_replay(f"{type(error).__name__}: {error}")
    rows = [row for verdict in rounds for row in verdict.rows()]
    rows += [row for run in retired for row in run.rows()]
    _print_rows("pingyi replay --verify", REPLAY_COLUMNS, rows)
    different = sum(1 for v in rounds if not v.identical and not unchecked(v))
    not_checked = sum(1 for v in rounds if unchecked(v))
    edited = _say_seals(common)
    _say(replay_summary(len(rounds), different, not_checked, edited))
    if retired:
        _say(
            said(
                f"第一版的 {len(retired)} 次波次计分运行已停用, 未核对",
                f"{len(retired)} retired wave runs of the first release not verified",
            )
        )
    raise typer.Exit(1 if different or edited else 2 if not_checked else 0)


def _say_seals(common: Any) -> list[str]:
    """The replayed logs checked against their seals, as `audit verify-log` checks them, and
    said after the verdicts (`pingyi.audit_seals`); the logs that differ from them. A check
    that cannot run is said, and changes nothing of the replay's verdict."""
    from pingyi.audit_seals import replay_lines, seals_record, tampered
    from services.scoring.replay import REPLAYED_STORES
    from shared.persistence.message_log import has_store, last_position

    stops: dict[str, int] = {}
    try:
        stops = {
            origin: last_position(common, origin) or 0
            for origin in REPLAYED_STORES
            if has_store(common, origin)
        }
        record = seals_record(common, stops, allow_tampered=True)
    except Exception as error:  # the scores were verified; the seals are a second question
        record = {"checked": False, "reason": f"{type(error).__name__}: {error}"}
    for line in replay_lines(record, stops):
        _say(line)
    return tampered(record)


def replay_summary(total: int, different: int, not_checked: int, edited: Sequence[str] = ()) -> str:
    """`replay --verify`'s count of the runs, Chinese first and the English after it whole
    (`2 of 2 score runs identical, 0 different`): a script that matched it still finds it.
    `edited`: the logs that differ from their seals."""
    identical = total - different - not_checked
    chinese = f"{total} 次计分运行中 {identical} 次一致, {different} 次不同"
    english = f"{identical} of {total} score runs identical, {different} different"
    if not_checked:
        chinese += f", {not_checked} 次无法核对"
        english += f", {not_checked} could not be checked"
    if edited:
        chinese += f"; 与封存不符的日志: {'、'.join(edited)}"
        english += f"; logs that differ from their seals: {', '.join(edited)}"
    return said(chinese, english)


def _print_rows(title: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """A table on a terminal (cells folded, never cut short); elsewhere one line per row,
    its cells two spaces apart, as docs/audit.md shows them: a table fitted to 80 columns
    cut every run and campaign id to `31516bfc-c29c-5952-a…` in a file or a pipe."""
    if not console.is_terminal:
        for row in rows:  # a cell's own line breaks (a library's reason) would split the row
            _say("  ".join(" ".join(cell.split()) for cell in row))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table, soft_wrap=False)


def _say(line: str) -> None:
    console.print(line, highlight=False, markup=False)


def _cannot_replay(reason: str) -> NoReturn:
    _say(REPLAY_REFUSED + " " + " ".join(reason.split()))
    raise typer.Exit(2)


def verify_draw(
    draw_id: Annotated[str, typer.Argument(help="The draw's id (draw_id)")],
    data_dir: DataDir = Path("pingyi-data"),
) -> None:
    """Re-check a random draw from the registry's stored log; exit 0 only if every check passes."""
    from uuid import UUID

    from services.registry.draw_verify import DrawNotVerifiable
    from services.registry.draw_verify import verify_draw as run_checks

    try:
        parsed = UUID(draw_id)
    except ValueError:
        raise typer.BadParameter(f"{draw_id!r} 不是抽取编号 (is not a draw id)") from None
    common = environment_settings(data_dir)
    try:
        verification = run_checks(common, parsed)
    except DrawNotVerifiable as error:
        say_refused(VERIFY_DRAW_REFUSED, error)
        raise typer.Exit(2) from None
    rows = [tuple(row) for row in verification.rows()]
    _print_rows(f"pingyi verify-draw {parsed}", VERIFY_DRAW_COLUMNS, rows)
    passed = sum(1 for c in verification.checks if c.passed)
    _say(draw_summary(passed, len(verification.checks)))
    raise typer.Exit(0 if verification.passed else 1)


def draw_summary(passed: int, total: int) -> str:
    """`verify-draw`'s count of the checks, Chinese first and the English after it whole
    (`7 of 7 checks passed`): a script that matched it still finds it."""
    return said(f"{total} 项检查中 {passed} 项通过", f"{passed} of {total} checks passed")


def policies(
    output: Annotated[
        Path | None, typer.Option(help="Write the Markdown matrix to this file")
    ] = None,
) -> None:
    """Print (or write) the role × route authorization matrix, from the routes' policies."""
    from pingyi.policies import markdown, route_policies

    text = markdown(route_policies())
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


def rebuild(
    service: Annotated[
        str, typer.Argument(help="registry, survey, inspection, scoring or reporting")
    ],
    views: Annotated[list[str] | None, typer.Argument(help="Views to rebuild; all if none")] = None,
    data_dir: DataDir = Path("pingyi-data"),
) -> None:
    """Rebuild a service's read models from the upstream logs, with the service stopped:
    refused (exit 2) while any process of it runs. The result is byte-identical to the views
    built while the service ran."""
    from pingyi.catalog import definition
    from pingyi.data_dir import DataDirRefused
    from shared.persistence.message_log import REBUILDING, missing_stores
    from shared.rebuild import RebuildRefused, UnknownViewError

    known(service)
    common = environment_settings(data_dir)
    upstreams = sorted({up for view in definition(service).views for up in view.upstreams})
    missing = missing_stores(common, upstreams, doing=REBUILDING)
    if missing is not None:
        say_refused(REBUILD_REFUSED, missing)
        raise typer.Exit(2)
    try:
        with _held(common, service):
            rebuilt = _rebuild(common, service, views or [])
    except (UnknownViewError, DataDirRefused, RebuildRefused) as error:
        say_refused(REBUILD_REFUSED, error)
        raise typer.Exit(2) from None
    table = Table(title=f"pingyi rebuild {service}")
    for column in REBUILD_COLUMNS:
        table.add_column(column)
    for result in rebuilt:
        table.add_row(*result.row())
    console.print(table)


def _held(common: Any, service: str) -> AbstractContextManager[None]:
    """The service held stopped while its views are rebuilt. Embedded mode: the data
    directory's lock, refused while the system runs on it. Production: the service's
    presence lock, taken alone; refused while any process of the service, on any replica,
    holds its share, and the service's processes that start meanwhile wait for the end
    (`shared.rebuild.service_stopped`)."""
    from pingyi.data_dir import claimed
    from shared.rebuild import service_stopped

    if common.mode == "production":
        return service_stopped(common.database_url, common.namespace, service)
    return claimed(common.data_dir, f"rebuild {service}")


def _rebuild(common: Any, service: str, views: list[str]) -> list[Any]:
    from pingyi.catalog import definition
    from pingyi.composition import open_outbox, service_settings
    from shared.rebuild import rebuild as rebuild_views
    from shared.runtime import build_view_store

    store = build_view_store(common, service, service_settings(service).postgres_schema)
    try:
        return rebuild_views(
            store, definition(service).views, views, lambda up: open_outbox(up, common)
        )
    finally:
        store.close()
