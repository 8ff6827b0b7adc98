"""`pingyi audit export` and `pingyi audit verify`: a campaign round's scores, with
everything they were computed from, in one file anyone can check offline (docs/audit.md).

Only what these commands need is imported, and only when they run: `audit verify` loads the
bundle reader, the contract models and the scoring engine, never a store or a service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pingyi.cli_common import DataDir, console, environment_settings

audit_app = typer.Typer(
    help="审计 Audit bundles: export a round's scores with their inputs; verify one offline.",
    no_args_is_help=True,
)


@audit_app.command("verify")
def verify(
    bundle_file: Annotated[Path, typer.Argument(help="The bundle (pingyi audit export)")],
) -> None:
    """Recompute the bundle's round from its scheme and messages and compare byte for byte.
    Exit 0 identical, 1 different (naming unit, component and messages), 2 unreadable."""
    from pingyi.audit_bundle import BundleError, read_bundle
    from pingyi.audit_verify import CannotRecompute, engine, verify_bundle

    try:
        bundle = read_bundle(bundle_file)
        verdict = verify_bundle(bundle, engine())
    except BundleError as error:
        _fail(f"审计包无法使用 bundle refused: {error}")
    except CannotRecompute as error:
        _fail(f"无法重算 cannot recompute: {error}")
    about = bundle.manifest["about"]
    count = sum(bundle.manifest["logs"][origin]["count"] for origin in bundle.origins)
    console.print(
        f"pingyi audit verify {bundle_file}: campaign {about.get('campaign_id')} "
        f"round {about.get('round')}, {count} messages from {', '.join(bundle.origins)}",
        highlight=False,
    )
    for line in verdict.lines():
        console.print(line, highlight=False, markup=False)
    raise typer.Exit(0 if verdict.identical else 1)


@audit_app.command("export")
def export(
    campaign: Annotated[str, typer.Option("--campaign", help="The campaign's id")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the bundle")],
    scheme: Annotated[
        Path | None,
        typer.Option(
            "--scheme",
            help="Compute the results now under this scheme document (JSON or YAML) instead "
            "of taking the run scoring stored",
        ),
    ] = None,
    round_: Annotated[int, typer.Option("--round", min=1, help="The round (1-based)")] = 1,
    run: Annotated[
        str | None,
        typer.Option("--run", help="The stored round run (default: the round's latest final run)"),
    ] = None,
    data_dir: DataDir = Path("pingyi-data"),
) -> None:
    """Write one self-contained bundle of a campaign round: scheme, every upstream message
    as published, the results computed from them, and a manifest of SHA-256 hashes."""
    from pingyi.audit_export import (
        NoStoredRun,
        SchemeFileError,
        export_bundle,
        export_stored_run,
        file_sha256,
        load_scheme,
        origins_to_export,
    )
    from pingyi.audit_verify import CannotRecompute, engine
    from shared.persistence.message_log import MessageLogError

    common = environment_settings(data_dir)
    try:
        origins_to_export(common)  # a wrong folder is reported before anything else
        if scheme is None:
            manifest = export_stored_run(
                common, campaign_id=campaign, round_=round_, out=out, run_id=run
            )
        else:
            manifest = export_bundle(
                common,
                campaign_id=campaign,
                round_=round_,
                scheme=load_scheme(scheme),
                out=out,
                compute=engine(),
            )
    except (SchemeFileError, NoStoredRun, MessageLogError, CannotRecompute, OSError) as error:
        _fail(f"无法导出 export cannot run: {error}")
    for origin, log in manifest["logs"].items():
        console.print(f"{origin}: {log['count']} messages, positions {log['first']}–{log['last']}")
    console.print(f"wrote {out}  sha256 {file_sha256(out)}", highlight=False)


def _fail(message: str) -> None:
    console.print(message, highlight=False, markup=False)
    raise typer.Exit(2)
