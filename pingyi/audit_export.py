"""Writing a campaign round's audit bundle from the stored logs (`pingyi audit export`):
the upstream logs read with the offline reader (`shared.persistence.message_log`), each up
to the position it had when the export began, the results computed from exactly those
messages (read twice, never held: `pingyi.audit_stored`; the second reading writes the
bundle's logs as it goes), and all of it written with `pingyi.audit_bundle`."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from pingyi.audit_bundle import ORIGINS, InconsistentBundle, write_bundle, writing
from pingyi.audit_seals import clipped, seals_record
from pingyi.audit_search import Compute
from pingyi.audit_stored import StoredMessages, WrittenAsRead
from pingyi.audit_words import said
from shared.persistence.message_log import (
    MessageLogError,
    StoreMissing,
    has_store,
    last_position,
    read_messages,
    store_location,
)
from shared.settings import CommonSettings

REQUIRED = ("registry", "survey")
"""Without these there is no round to score."""
OPTIONAL = ("inspection", "scoring")
"""Read under a scheme file whenever their stores exist; a missing one is refused unless the
export is told to go on without it (`allowed_missing`): a bundle silently short of a source
the scheme reads would score the round as if it had no findings, complaints or history."""


class NothingToExport(Exception):
    """The round has no unit in the logs read (a campaign the registry does not know, a
    round it does not have, nobody enrolled): its bundle would verify nothing."""


class NotACampaignId(ValueError):
    pass


def campaign_id_of(text: str) -> str:
    """The campaign id as every contract prints a UUID (the engine compares ids as text)."""
    try:
        return str(UUID(text))
    except ValueError:
        raise NotACampaignId(
            said(
                f"{text!r} 不是评议活动编号 (UUID)",
                f"campaign {text!r} is not a campaign id (a UUID)",
            )
        ) from None


def out_refused(out: Path) -> str | None:
    """Why the bundle cannot be written at `out`, found before any log is read: a folder
    there made the finished bundle's rename fail after the whole export."""
    if out.is_dir():
        return said(
            f"--out {out} 是文件夹: 请写出要在其中写入的审计包文件名",
            f"--out {out} is a folder: name the bundle file to write in it",
        )
    if not out.parent.is_dir():
        return said(
            f"--out {out}: 没有文件夹 {out.parent}", f"--out {out}: there is no folder {out.parent}"
        )
    return None


def present(common: CommonSettings, service: str) -> bool:
    """Whether the service's event store is there; one that is there but cannot be read (not
    a database, no access) raises `MessageLogError` naming it."""
    try:
        return has_store(common, service)
    except (sqlite3.Error, psycopg.Error, OSError) as error:
        where = store_location(common, service)
        raise MessageLogError(
            said(
                f"{service} 的事件库 {where} 无法读取",
                f"the {service} event store at {where} cannot be read: "
                f"{type(error).__name__}: {error}",
            )
        ) from None


def origins_to_export(
    common: CommonSettings, allowed_missing: Collection[str] | None = None
) -> list[str]:
    """The upstream logs to read, checked before anything is computed or written: registry
    and survey always; inspection and scoring unless missing and in `allowed_missing` (None:
    only the required ones are checked, and the optional ones present are read)."""
    for service in REQUIRED:
        if not present(common, service):
            raise StoreMissing(_no_store(common, service))
    found = {origin: present(common, origin) for origin in OPTIONAL}
    if allowed_missing is not None:
        refused = [o for o in OPTIONAL if not found[o] and o not in allowed_missing]
        if refused:
            where = "; ".join(f"{o}: {store_location(common, o)}" for o in refused)
            flags = " ".join(f"--allow-missing {o}" for o in refused)
            raise StoreMissing(
                said(
                    f"没有 {'、'.join(refused)} 的事件库 ({where}): 方案的结果将不计其中任何内容;"
                    f" 如要不含它导出, 请加 {flags}",
                    f"no event store of {', '.join(refused)} ({where}): the scheme's results "
                    f"would count nothing from it; pass {flags} to export without it",
                )
            )
    return [origin for origin in ORIGINS if origin in REQUIRED or found[origin]]


def _no_store(common: CommonSettings, service: str) -> str:
    where = store_location(common, service)
    return said(f"{where} 没有 {service} 的事件库", f"no {service} event store at {where}")


def export_bundle(
    common: CommonSettings,
    *,
    campaign_id: str,
    round_: int,
    scheme: Mapping[str, Any],
    out: Path,
    compute: Compute,
    allowed_missing: Collection[str] = (),
    allow_tampered: bool = False,
) -> dict[str, Any]:
    """Compute the round from the logs as they stand and write its bundle; the manifest.
    Refused before anything is written when the round has no unit in them
    (`NothingToExport`) or a log differs from its seals at or below the positions read
    (`TamperedLog`, unless `allow_tampered`: `pingyi.audit_seals`)."""
    campaign_id = campaign_id_of(campaign_id)
    origins = origins_to_export(common, allowed_missing)
    # Logs only grow: reading each twice up to the same position gives the same messages.
    stops = {origin: last_position(common, origin) or 0 for origin in origins}
    seals = seals_record(common, stops, allow_tampered=allow_tampered)

    with writing(out, origins, scheme) as writer:
        # Read again for each pass the engine makes (`pingyi.audit_stored`), never held;
        # its reading of every message writes the bundle's logs as it goes.
        messages = WrittenAsRead(StoredMessages(common, origins, stops), writer)
        results = compute(scheme, messages, campaign_id, round_, None)
        _has_units(common, results, campaign_id, round_, stops)  # refused: the partial file goes
        if not messages.written:
            messages.close()
            raise InconsistentBundle(
                said(
                    "计分引擎没有读完所有消息: 未写入任何内容",
                    "the engine did not read every message: nothing written",
                )
            )
        # The last position of each origin the results were computed from (the engine's
        # fold names every origin it read a message of): the last line of its log here.
        read_to = dict(results["upstream_positions"])
        about = {
            "campaign_id": campaign_id,
            "round": round_,
            "read_to": read_to,
            "seals": clipped(seals, read_to),
        }
        return writer.finish(results, about)


def _has_units(
    common: CommonSettings,
    results: Mapping[str, Any],
    campaign_id: str,
    round_: int,
    read_to: Mapping[str, int],
) -> None:
    """Refuse a round the registry does not know or with no unit: its bundle would verify
    nothing (the engine scores an unknown campaign, or a round past its cycle, as a round
    with no window)."""
    window = results.get("window") or {}
    if results.get("units") and window.get("starts_on"):
        return
    zh = f"registry 的消息 (至位置 {read_to.get('registry')}) 中"
    en = f"the registry log (to position {read_to.get('registry')})"
    if not results.get("pattern") and not window.get("starts_on"):
        why = (f"{zh}没有评议活动 {campaign_id}", f"{en} knows no campaign {campaign_id}")
    elif not window.get("starts_on"):
        from pingyi.audit_rounds import campaign_rounds

        rounds = campaign_rounds(common, campaign_id) or 0
        has = "1 round" if rounds == 1 else f"{rounds} rounds"
        why = (
            f"{zh}评议活动 {campaign_id} 没有第 {round_} 轮, 该评议活动共 {rounds} 轮",
            f"campaign {campaign_id} has no round {round_} in {en}: it has {has}",
        )
    else:
        why = (
            f"{zh}评议活动 {campaign_id} 第 {round_} 轮没有登记参评的单位",
            f"campaign {campaign_id} round {round_} has no unit enrolled in {en}",
        )
    raise NothingToExport(said(f"{why[0]}: 无可导出", f"{why[1]}: nothing to export"))


class NoStoredRun(Exception):
    pass


def export_stored_run(
    common: CommonSettings,
    *,
    campaign_id: str,
    round_: int | None,
    out: Path,
    run_id: str | None = None,
    allow_tampered: bool = False,
) -> dict[str, Any]:
    """Write the bundle of a run scoring stored: its scheme document, every upstream message
    up to the positions the run names, and the results as stored (not recomputed: verifying
    the bundle is what checks them). Each log is checked against its seals first, as
    `export_bundle` checks them. Without `run_id`, the round's latest final run, else its
    latest run (`round_` None: round 1). A `run_id` must be a run of that campaign and, when
    `round_` is given, of that round (`NoStoredRun` otherwise)."""
    campaign_id = campaign_id_of(campaign_id)
    origins_to_export(common)
    run, scheme = _stored_run(common, campaign_id, round_, run_id)
    round_ = run.round_number
    _has_units(common, run.results, campaign_id, run.round_number, run.upstream_positions)
    read_to = dict(run.upstream_positions)
    seals = seals_record(common, read_to, allow_tampered=allow_tampered)
    encoded = {
        origin: (m.data for m in read_messages(common, origin, stop=stop))
        for origin, stop in read_to.items()
    }
    results = {**run.results, "upstream_positions": read_to}
    about = {
        "campaign_id": campaign_id,
        "round": round_,
        "read_to": read_to,
        "run_id": str(run.id),
        "final": run.final,
        "seals": seals,
    }
    return write_bundle(out, scheme=scheme, messages=encoded, results=results, about=about)


def _stored_run(
    common: CommonSettings, campaign_id: str, round_: int | None, run_id: str | None
) -> tuple[Any, dict[str, Any]]:
    """The run from scoring's store and the scheme document it was computed by (the
    composition root may open scoring's store with scoring's code; the verifier never does)."""
    from pingyi.audit_rounds import round_refused
    from services.scoring.application import ScoringApplication
    from services.scoring.rounds.domain import RoundRunNotFound, SchemeNotFound
    from services.scoring.settings import ScoringSettings
    from shared.settings import eventsourcing_env

    if not present(common, "scoring"):
        raise StoreMissing(_no_store(common, "scoring"))
    app = ScoringApplication(
        eventsourcing_env(common, "scoring", ScoringSettings().postgres_schema)
    )
    try:
        if run_id is not None:
            try:
                run = app.round_run(UUID(run_id))
            except (ValueError, RoundRunNotFound):
                raise NoStoredRun(said(f"没有计分 {run_id}", f"no round run {run_id}")) from None
            of = (str(run.campaign_id), run.round_number)
            if of[0] != campaign_id or (round_ is not None and of[1] != round_):
                raise NoStoredRun(_run_of_another(run_id, of, campaign_id, round_))
        else:
            round_ = 1 if round_ is None else round_
            runs = app.round_runs(UUID(campaign_id), round_)
            finals = [r for r in runs if r.final]
            if not runs:
                # No run of a round the campaign lacks: say so, not "pass --scheme".
                missing = round_refused(common, campaign_id, round_)
                if missing is not None:
                    raise NoStoredRun(missing)
                raise NoStoredRun(
                    said(
                        f"scoring 中没有评议活动 {campaign_id} 第 {round_} 轮的计分;"
                        " 请加 --scheme 为审计包计算一次",
                        f"scoring holds no run of campaign {campaign_id} round {round_}; "
                        "pass --scheme to compute one for the bundle",
                    )
                )
            run = (finals or runs)[-1]
        ref = run.scheme
        try:
            scheme = app.scheme(ref["scheme_id"], ref["version"])
        except SchemeNotFound:
            named = f"{ref['scheme_id']} v{ref['version']}"
            raise NoStoredRun(
                said(f"不知道这次计分的计分方案 {named}", f"the run's scheme {named} is unknown")
            ) from None
        return run, scheme.document()
    finally:
        app.close()


def _run_of_another(run_id: str, of: tuple[str, int], campaign_id: str, round_: int | None) -> str:
    asked_zh = f"评议活动 {campaign_id}" + (f" 第 {round_} 轮" if round_ else "")
    asked = f"campaign {campaign_id}" + (f" round {round_}" if round_ else "")
    return said(
        f"计分 {run_id} 属于评议活动 {of[0]} 第 {of[1]} 轮, 不属于{asked_zh}",
        f"round run {run_id} is of campaign {of[0]} round {of[1]}, not of {asked}",
    )
