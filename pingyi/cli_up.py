"""`pingyi up` and `pingyi demo`: the five services in one process on this machine, and what
a person at the terminal is told (where the services are, the admin key and where it is
kept, how to stop, and after the demo where the public pages and the open voting wave are)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from pingyi.cli_common import START_FAILED, DataDir, console, say_refused

BasePort = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=65535 - 4,
        help="First of five consecutive ports (default: each service's own, 8701–8705)",
    ),
]
Host = Annotated[str, typer.Option(help="The address the five services listen on")]
Questionnaires = Annotated[
    int,
    # Below one the demo's wave is refused half-way through loading, with a traceback and a
    # data directory holding half a demo: refused here instead, before anything starts.
    typer.Option(min=1, help="How many questionnaires the demo pushes (with --demo)"),
]


def _embedded_settings(data_dir: Path) -> Any:
    from pydantic import SecretStr

    from pingyi.embedded import admin_key
    from shared.settings import CommonSettings

    os.environ["PINGYI_MODE"] = "embedded"
    # A person at a terminal: readable warnings rather than a stream of JSON request logs.
    os.environ.setdefault("PINGYI_LOG_JSON", "false")
    os.environ.setdefault("PINGYI_LOG_LEVEL", "WARNING")
    return CommonSettings(
        mode="embedded", data_dir=data_dir, bootstrap_admin_key=SecretStr(admin_key(data_dir))
    )


def up(
    data_dir: DataDir = Path("pingyi-data"),
    demo: Annotated[
        bool, typer.Option(help="Load the Luohe demo once the services are up")
    ] = False,
    host: Host = "127.0.0.1",
    base_port: BasePort = None,
    questionnaires: Questionnaires = 3000,
) -> None:
    """Run all five services on this machine (embedded mode: SQLite files, no servers)."""
    from pingyi.data_dir import DataDirRefused, claimed
    from pingyi.embedded import PortTaken, StartFailed, check_ports

    try:
        with claimed(data_dir, "up"):
            check_ports(host, base_port)
            _run_embedded(data_dir, demo, host, base_port, questionnaires)
    except (DataDirRefused, PortTaken) as refused:
        say_refused("pingyi up cannot start:", refused)
        raise typer.Exit(2) from None
    except StartFailed as failed:
        say_refused("pingyi up stopped:", failed)
        raise typer.Exit(START_FAILED) from None
    console.print("评议 Pingyi 已停止 stopped: every service has shut down")


def demo_command(
    data_dir: DataDir = Path("pingyi-data"),
    host: Host = "127.0.0.1",
    base_port: BasePort = None,
    questionnaires: Questionnaires = 3000,
) -> None:
    """Start embedded mode and load the demo (same as `pingyi up --demo`)."""
    up(data_dir=data_dir, demo=True, host=host, base_port=base_port, questionnaires=questionnaires)


def _run_embedded(
    data_dir: Path, demo: bool, host: str, base_port: int | None, questionnaires: int
) -> None:
    from pingyi.embedded import run

    common = _embedded_settings(data_dir)
    key = common.bootstrap_admin_key.get_secret_value()
    # Not "admin key" again: the line above is the one a script reads the key from.
    kept = (
        "管理员密钥取自 PINGYI_BOOTSTRAP_ADMIN_KEY"
        if os.environ.get("PINGYI_BOOTSTRAP_ADMIN_KEY")
        else f"管理员密钥保存在 {(data_dir / 'admin-key').resolve()}"
    )

    def ready(endpoints: list[Any]) -> Any:
        table = Table(title="评议 Pingyi is up (embedded mode)")
        table.add_column("service")
        table.add_column("URL")
        for endpoint in endpoints:
            table.add_row(endpoint.service, f"{endpoint.url}  (docs: {endpoint.url}/docs)")
        console.print(table)
        console.print(f"data: {data_dir.resolve()}   admin key (X-API-Key): [bold]{key}[/bold]")
        console.print(
            f"{kept}; 按 Ctrl-C 停止 (Ctrl-C or SIGTERM stops all five services)", markup=False
        )
        if demo:
            urls = {e.service: e.url for e in endpoints}
            return asyncio.to_thread(_load_demo, urls, key, questionnaires)
        return None

    asyncio.run(run(common, host=host, base_port=base_port, on_ready=ready))


def _load_demo(urls: dict[str, str], key: str, questionnaires: int) -> None:
    from pingyi.demo import DemoLoader

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done)

        loader = DemoLoader(urls, key, report)
        loader.load(questionnaires)
    if loader.loaded_before:
        console.print("the demo was loaded into this data directory before: not loaded again")
    if loader.round_run is None:
        console.print(
            "[yellow]the demo's round has no final result here (an earlier load was "
            "interrupted?): start again with an empty --data-dir to load it whole[/yellow]"
        )
        return
    _print_rankings(loader.rankings())
    # The README sends people to these two pages; the voting wave's id is nowhere else
    # but in `GET /waves`, which needs a key.
    console.print(f"结果公开页 published results: {urls['reporting']}/public/pages")
    if loader.public_wave is not None:
        wave = f"{urls['survey']}/public/waves/{loader.public_wave['wave_id']}"
        console.print(f"网上公开评议 open for votes: {wave}  (votes: POST {wave}/votes)")


def _print_rankings(categories: dict[str, list[dict[str, Any]]], top: int = 10) -> None:
    """Round 1's final result as scored (名次, 得分, 等次), per category."""
    for category, units in categories.items():
        table = Table(title=f"{DEMO_ROUND_TITLE} · {category}")
        for column in ("名次", "单位名称", "得分", "等次", "有效样本数"):
            table.add_column(column)
        for unit in units[:top]:
            table.add_row(
                "—" if unit["rank"] is None else str(unit["rank"]),
                unit["unit_name"],
                "—" if unit["score"] is None else str(unit["score"]),
                unit["grade"] or "—",
                "—" if unit["valid_sample"] is None else str(unit["valid_sample"]),
            )
        console.print(table)


DEMO_ROUND_TITLE = "第1轮评议结果"
