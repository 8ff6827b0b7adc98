"""`pingyi audit export` and `pingyi audit verify`: a campaign round's scores, with
everything they were computed from, in one file anyone can check offline (docs/audit.md).

Only what these commands need is imported, and only when they run: `audit verify` loads the
bundle reader, the contract models and the scoring engine, never a store or a service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from pingyi.audit_words import said
from pingyi.cli_common import DataDir, environment_settings

audit_app = typer.Typer(
    help="审计 Audit bundles: export a round's scores with their inputs; verify one offline.",
    no_args_is_help=True,
)


_out = Console(soft_wrap=True)
"""Lines whole however long: a log or a pipe gets each line as one, not cut at 80 columns."""


@audit_app.command("verify")
def verify(
    bundle_file: Annotated[Path, typer.Argument(help="The bundle (pingyi audit export)")],
) -> None:
    """Recompute the bundle's round from its scheme and messages and compare byte for byte.
    Exit 0 identical, 1 different (naming unit, component and messages), 2 unreadable,
    inconsistent or nothing to compare. The first line is the file's SHA-256, to compare
    with the one published with the results."""
    from pingyi.audit_bundle import BundleError, file_sha256, read_bundle
    from pingyi.audit_verify import CannotRecompute, NothingToCheck, engine, verify_bundle

    try:
        sha256 = file_sha256(bundle_file)
    except FileNotFoundError:
        _fail(
            "审计包无法使用 bundle refused: "
            + said(f"没有这个文件: {bundle_file}", f"no such file: {bundle_file}")
        )
    except OSError as error:
        _fail(
            "审计包无法使用 bundle refused: "
            + said("不是可读取的审计包", f"not a readable bundle: {error}")
        )
    _out.print(f"{bundle_file}  sha256 {sha256}", highlight=False, markup=False)
    try:
        bundle = read_bundle(bundle_file)
        verdict = verify_bundle(bundle, engine())
    except BundleError as error:
        _fail(f"审计包无法使用 bundle refused: {error}")
    except CannotRecompute as error:
        _fail(f"无法重算 cannot recompute: {error}")
    except NothingToCheck as error:
        _fail(f"无可核对 nothing to check: {error}")
    except Exception as error:  # never a traceback and exit 1, which would mean "different"
        _fail(f"无法核对 cannot verify: {type(error).__name__}: {error}")
    about = bundle.manifest["about"]
    count = sum(bundle.manifest["logs"][origin]["count"] for origin in bundle.origins)
    campaign, round_, origins = about["campaign_id"], about["round"], bundle.origins
    _out.print(
        f"pingyi audit verify {bundle_file}: "
        + said(
            f"评议活动 {campaign} 第 {round_} 轮, 来自 {'、'.join(origins)} 的 {count} 条消息",
            f"campaign {campaign} round {round_}, {_messages(count)} from {', '.join(origins)}",
        ),
        highlight=False,
        markup=False,
    )
    if bundle.rezipped:
        _out.print(
            "注意 note: "
            + said(
                f"此压缩包不是 pingyi audit export 写出的样子 ({bundle.rezipped}): 结论只针对其"
                "内容; 只有上面的 sha256 能说明此文件是否就是公布的那一份",
                f"the archive is not as pingyi audit export writes it ({bundle.rezipped}): the"
                " verdict is on its contents; only the sha256 above tells whether this file is"
                " the one published",
            ),
            highlight=False,
            markup=False,
        )
    from pingyi.audit_seals import seals_lines

    for line in seals_lines(about) + verdict.lines():
        _out.print(line, highlight=False, markup=False)
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
    round_: Annotated[
        int | None,
        typer.Option(
            "--round", min=1, help="The round (1-based; default: the --run's round, else 1)"
        ),
    ] = None,
    run: Annotated[
        str | None,
        typer.Option(
            "--run",
            help="The stored round run, of that campaign and round (default: the round's "
            "latest final run)",
        ),
    ] = None,
    allow_missing: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-missing",
            help="With --scheme: go on without this store (inspection or scoring) when it is "
            "missing, instead of refusing; repeatable",
        ),
    ] = None,
    allow_tampered: Annotated[
        bool,
        typer.Option(
            "--allow-tampered",
            help="Export even from a log that differs from its seals (to find out what an "
            "edit moved); the manifest says so",
        ),
    ] = False,
    data_dir: DataDir = Path("pingyi-data"),
) -> None:
    """Write one self-contained bundle of a campaign round: scheme, every upstream message
    as published, the results computed from them, and a manifest of SHA-256 hashes. Each
    log is first checked against its seals (as audit verify-log does): one changed at or
    below the positions exported is refused unless --allow-tampered.
    Exit 0 written, 2 refused (nothing is written)."""
    import sqlite3

    import psycopg

    from pingyi.audit_bundle import InconsistentBundle, file_sha256
    from pingyi.audit_export import (
        OPTIONAL,
        NoStoredRun,
        NotACampaignId,
        NothingToExport,
        campaign_id_of,
        export_bundle,
        export_stored_run,
        origins_to_export,
        out_refused,
    )
    from pingyi.audit_scheme_file import SchemeFileError, load_scheme
    from pingyi.audit_seals import TamperedLog, seals_lines
    from pingyi.audit_verify import CannotRecompute, engine
    from shared.persistence.message_log import MessageLogError

    allowed = allow_missing or []
    for name in allowed:
        if name not in OPTIONAL:
            only = ", ".join(OPTIONAL)
            _fail(
                f"无法导出 export cannot run: --allow-missing {name}: "
                + said(f"只能是 {'、'.join(OPTIONAL)}", f"only {only}")
            )
    if scheme is not None and run is not None:
        _fail(
            "无法导出 export cannot run: "
            + said("--run 与 --scheme 不能同时使用", "--run and --scheme exclude each other")
        )
    if scheme is None and allowed:
        _fail(
            "无法导出 export cannot run: "
            + said(
                "--allow-missing 只用于 --scheme (计分已指明它读取的消息)",
                "--allow-missing is for --scheme (a run names its logs)",
            )
        )
    unwritable = out_refused(out)
    if unwritable is not None:
        _fail(f"无法导出 export cannot run: {unwritable}")
    common = environment_settings(data_dir)
    try:
        campaign_id = campaign_id_of(campaign)
        origins = origins_to_export(common)  # a wrong folder is reported before the rest
        if scheme is None:
            manifest = export_stored_run(
                common,
                campaign_id=campaign_id,
                round_=round_,
                out=out,
                run_id=run,
                allow_tampered=allow_tampered,
            )
        else:
            document = load_scheme(scheme)
            origins = origins_to_export(common, allowed)
            for name in OPTIONAL:
                if name not in origins:
                    _warn(
                        "警告 warning: "
                        + said(
                            f"没有 {name} 的事件库: 审计包中没有 {name} 的消息",
                            f"no {name} event store: the bundle holds no {name} log",
                        )
                    )
            manifest = export_bundle(
                common,
                campaign_id=campaign_id,
                round_=round_ or 1,
                scheme=document,
                out=out,
                compute=engine(),
                allowed_missing=allowed,
                allow_tampered=allow_tampered,
            )
    except (
        NotACampaignId,
        SchemeFileError,
        NoStoredRun,
        NothingToExport,
        MessageLogError,
        CannotRecompute,
        InconsistentBundle,
        TamperedLog,
        OSError,
    ) as error:
        _fail(f"无法导出 export cannot run: {error}")
    except (sqlite3.Error, psycopg.Error) as error:
        reason = said("事件库无法读取", f"a store cannot be read: {type(error).__name__}: {error}")
        _fail(f"无法导出 export cannot run: {reason}")
    except Exception as error:  # never a traceback and exit 1, which would mean "different"
        _fail(f"无法导出 export cannot run: {type(error).__name__}: {error}")
    for origin, log in manifest["logs"].items():
        _out.print(f"{origin}: {log_counted(log)}", highlight=False, markup=False)
    for line in seals_lines(manifest["about"]):
        _out.print(line, highlight=False, markup=False)
    _out.print(f"已写入 wrote {out}  sha256 {file_sha256(out)}", highlight=False, markup=False)


def log_counted(log: dict[str, Any]) -> str:
    """A log's count and span as export reports it. An empty log (inspection before any
    finding) has no first or last position: said as such, never `None–None`."""
    count = log["count"]
    if not count:
        return said("0 条消息", "0 messages")
    span = f"{log['first']}–{log['last']}"
    return said(f"{count} 条消息, 位置 {span}", f"{_messages(count)}, positions {span}")


def _messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"


def _fail(message: str) -> NoReturn:
    # One line whatever the reason holds: a library's message may span several.
    _out.print(" ".join(message.split()), highlight=False, markup=False)
    raise typer.Exit(2)


def _warn(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(message, highlight=False, markup=False)
