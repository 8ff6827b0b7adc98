"""The `pingyi` command: start the system, load the demo, serve one service, verify scores."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pingyi import audit, audit_commands, audit_log, cli_up
from pingyi.cli_common import (
    START_FAILED,
    PingyiApp,
    console,
    known,
    production_refusals,
    refuse,
    say_refused,
    service_environment,
)

if TYPE_CHECKING:
    from shared.messaging.outbox import Outbox
    from shared.settings import CommonSettings, ServiceSettings

app = PingyiApp(
    help="评议 Pingyi: public evaluation of government and public-service conduct.",
    no_args_is_help=True,
    # Docstrings are paragraphs: joined and wrapped to the terminal, not broken where the
    # source line ends.
    rich_markup_mode="markdown",
)
app.command()(cli_up.up)
app.command("demo")(cli_up.demo_command)


def _check_port(service: str, host: str, port: int) -> None:
    """Refused in one line before anything starts: found by uvicorn, a port in use came
    after "service started" and both children's start, then a shutdown and exit 3."""
    from pingyi.embedded import bind_refusal

    why = bind_refusal(host, port)
    if why is not None:
        variable = f"PINGYI_{service.upper()}"
        say_refused(
            "pingyi serve cannot start:",
            f"port {port} on {host} cannot be used: {why}; stop what uses it, or set"
            f" {variable}_PORT (or {variable}_HOST)",
        )
        raise typer.Exit(2)


@app.command()
def serve(
    service: Annotated[
        str, typer.Argument(help="registry, survey, inspection, scoring or reporting")
    ],
    relay: Annotated[
        bool,
        typer.Option(
            "--relay/--no-relay",
            help="Start the service's relay as a supervised child process (production mode);"
            " --no-relay when relays run apart (`pingyi relay`)",
        ),
    ] = True,
    views: Annotated[
        bool,
        typer.Option(
            "--views/--no-views",
            help="Start the service's leased view consumers as a supervised child process"
            " (production mode); --no-views when they run apart (`pingyi views`)",
        ),
    ] = True,
) -> None:
    """Run one service (production: one process per service, settings from the environment).
    Its relay, and its leased view consumers, run in child processes of their own, restarted
    if they die and stopped with the service; of all replicas' relays, the one holding the
    service's relay lease publishes, and likewise for each view consumer."""
    import uvicorn

    from pingyi.composition import create_app, relay_process, views_process

    known(service)
    common, settings = service_environment(service)
    if common.mode == "embedded" and "PINGYI_MODE" not in os.environ:
        _notice_embedded(service, common.data_dir)
    missing = production_refusals(common, service, settings)
    if missing:
        refuse(missing)
    _check_port(service, settings.host, settings.port)
    child = views_child = None
    if common.mode == "production":
        # Each gets an interpreter of its own: request threads starve one that shares.
        settings = settings.model_copy(
            update={"relay_in_process": False, "views_in_process": False}
        )
        child = relay_process(service) if relay else None
        views_child = views_process(service) if views else None
    uvicorn.run(
        create_app(service, common, settings=settings, relay=child, views_child=views_child),
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=25,
        **common.server_options(),
    )


def _notice_embedded(service: str, data_dir: Path) -> None:
    """`serve` is production's command; run with no settings it serves embedded mode, which
    is worth one line on stderr rather than a silent `./pingyi-data`."""
    typer.echo(
        f"PINGYI_MODE is not set: serving {service} in embedded mode, data in "
        f"{data_dir.resolve()} (production: set PINGYI_MODE=production and "
        "PINGYI_DATABASE_URL; `pingyi up` runs all five services on one machine)",
        err=True,
    )


@app.command("relay")
def relay_command(
    service: Annotated[
        str, typer.Argument(help="registry, survey, inspection, scoring or reporting")
    ],
) -> None:
    """Publish one service's log to JetStream (production mode), while holding the service's
    relay lease. `pingyi serve` starts this for you; run it alone only with `serve --no-relay`."""
    from shared.messaging.relay_process import serve_relay

    common, settings, outbox = _child_process_parts(service, "the relay runs")
    _run_child(serve_relay(service, common, settings, outbox))


@app.command("views")
def views_command(
    service: Annotated[
        str, typer.Argument(help="registry, survey, inspection, scoring or reporting")
    ],
) -> None:
    """Apply one service's leased views (production mode), each while holding its lease.
    `pingyi serve` starts this for you; run it alone only with `serve --no-views`."""
    from pingyi.catalog import definition
    from shared.service.views_process import serve_views

    common, settings, outbox = _child_process_parts(service, "the views process runs")
    _run_child(serve_views(definition(service), common, settings, outbox))


def _run_child(main: Coroutine[Any, Any, None]) -> None:
    """A start given up on (PostgreSQL or NATS away for longer than the process waits) is
    said in one line, as `pingyi serve` says it, and exits 3 for its supervisor to start it
    again; never a traceback."""
    import logging

    from shared.errors import ServiceCannotStart

    try:
        asyncio.run(main)
    except ServiceCannotStart as gave_up:
        logging.getLogger("pingyi").error("cannot start: %s", gave_up)
        raise typer.Exit(START_FAILED) from None


def _child_process_parts(
    service: str, what: str
) -> tuple[CommonSettings, ServiceSettings, Callable[[], Outbox]]:
    """Settings, logging and the log opener of a process `serve` starts beside a service's
    API (the relay, the views): production mode only."""
    from functools import partial

    from pingyi.composition import open_outbox
    from shared.observability import configure

    known(service)
    common, settings = service_environment(service)
    if common.mode != "production":
        console.print(f"[red]{what} in production mode only[/red] (PINGYI_MODE)")
        raise typer.Exit(2)
    configure(service, common.log_level, common.log_json)
    # It reads its log a page at a time: one pooled connection, not the API's four.
    return common, settings, partial(open_outbox, service, common, connections=1)


app.command()(audit.replay)
app.command("verify-draw")(audit.verify_draw)
app.command()(audit.policies)
app.command()(audit.rebuild)
audit_commands.audit_app.command("verify-log")(audit_log.verify_log_command)
app.add_typer(audit_commands.audit_app, name="audit")
