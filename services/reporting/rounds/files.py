"""Download responses for a run's results (shared by the office and the public routes), and
what a file says about itself: its names, and for a published version that a later one
corrected, or that was withdrawn (撤回), or a run nobody published (未发布), a notice in the
file, so that a copy passed around shows it is out of date, no longer or not yet public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi.responses import StreamingResponse

from services.reporting.documents import beijing
from services.reporting.rounds.exports import csv_chunks, file_chunks, xlsx_file
from services.reporting.rounds.read import RoundResults
from shared.tabular import CSV, XLSX
from shared.views import Document
from shared.web.download import disposition

Format = Literal["xlsx", "csv"]


@dataclass(frozen=True)
class Edition:
    """Which edition of a run's results a file holds. `name` is Chinese; `ascii_name` is
    what curl -OJ and older browsers save it as; `notice` is set only for a superseded or
    withdrawn version (the workbook's notice row, the PDF's notice), and depends on nothing
    but the versions published, so the same state gives the same bytes. `status` is set for
    every edition but a version in force: the XLSX's and CSV's last column, 状态, on every
    row (the CSV's only mark, its headers staying its first row); for a run nobody
    published (未发布, 暂定、未发布) with `status_notice`, the workbook's notice row (the PDF
    says it in its title)."""

    name: str
    ascii_name: str
    title_state: str
    notice: str | None = None
    status: str | None = None
    status_notice: str | None = None


def published_edition(
    results: RoundResults, run: Document, publication: Document, shown: Document
) -> Edition:
    version = shown["version"]
    if shown.get("withdrawn"):
        return withdrawn_edition(results, run, shown)
    later = next((v for v in publication["versions"] if v["supersedes"] == version), None)
    ascii_name = f"results-round{run['round']}-v{version}"
    if later is None:
        return Edition(_name(results, run, f"（第{version}版）"), ascii_name, f"第{version}版")
    notice = (
        f"此为已更正的旧版本：第{version}版已由{beijing(later['published_at'])}发布的"
        f"第{later['version']}版更正，请以现行版本为准。"
    )
    return Edition(
        _name(results, run, f"（第{version}版，已更正）"),
        f"{ascii_name}-superseded",
        f"第{version}版，已更正",
        notice,
        status=f"第{version}版，已由第{later['version']}版更正",
    )


def withdrawn_edition(results: RoundResults, run: Document, shown: Document) -> Edition:
    """A version withdrawn from public view, as an office's copy of its run reads: never
    passed on as published results. Public routes answer 410 before any file is made."""
    version, withdrawal = shown["version"], shown["withdrawn"]
    notice = (
        f"此为已撤回的发布版本：第{version}版已于{beijing(withdrawal['withdrawn_at'])}撤回，"
        f"撤回原因：{withdrawal['reason']}。不是现行发布的结果。"
    )
    return Edition(
        _name(results, run, f"（第{version}版，已撤回）"),
        f"results-round{run['round']}-v{version}-withdrawn",
        f"第{version}版，已撤回",
        notice,
        status=f"第{version}版，已撤回（{withdrawal['reason']}）",
    )


def office_edition(results: RoundResults, run: Document) -> Edition:
    """A run as an office reads it before (or apart from) publication: every file of it
    (XLSX, CSV, PDF) says 未发布 — 暂定 too for a provisional run — in its name and in
    itself, so a copy that leaves the office never passes for published results."""
    if run["final"]:
        state, suffix, what = "未发布", "（未发布）", "尚未发布的评议结果"
    else:
        state, suffix, what = "暂定、未发布", "（暂定，未发布）", "暂定的评议结果，尚未发布"
    # What reads only the ASCII name (curl -OJ) must not take the file for published either.
    unpublished = "-unpublished" if run["final"] else "-provisional"
    ascii_name = f"results-round{run['round']}-run-{run['run_id'][:8]}{unpublished}"
    notice = f"{state}：此为{what}，仅供内部核对，不是发布的结果。"
    name = _name(results, run, suffix)
    return Edition(name, ascii_name, state, status=state, status_notice=notice)


def run_edition(results: RoundResults, run: Document) -> tuple[Document | None, Edition]:
    """(the version shown, the edition) of an office's file or PDF of a run: a run that was
    published is its (latest) published version, the public file's very bytes, so a copy
    of a version since corrected carries the notice that says so, as the public one does,
    and never says 未发布 of results the public reads; any other run is `office_edition`'s
    未发布 (暂定、未发布)."""
    publication = results.publication(run["campaign_id"], run["round"])
    versions = [v for v in (publication or {}).get("versions", ()) if v["run_id"] == run["run_id"]]
    if publication is None or not versions:
        return None, office_edition(results, run)
    shown = max(versions, key=lambda v: int(v["version"]))
    return shown, published_edition(results, run, publication, shown)


def _name(results: RoundResults, run: Document, suffix: str) -> str:
    campaign = results.campaign_name(run["campaign_id"]) or "评议结果"
    return f"{campaign}-第{run['round']}轮结果{suffix}"


def results_file(
    results: RoundResults, run: Document, fmt: Format, edition: Edition
) -> StreamingResponse:
    """The run's results as a file of the edition's names, with its notice and status."""
    units = results.units(run["run_id"])
    list_names = run["payload"]["list_names"]
    headers = disposition(f"{edition.name}.{fmt}", edition.ascii_name)
    if fmt == "xlsx":
        notice = edition.notice or edition.status_notice
        return StreamingResponse(
            file_chunks(xlsx_file(units, list_names, notice, edition.status)),
            media_type=XLSX,
            headers=headers,
        )
    return StreamingResponse(
        csv_chunks(units, list_names, edition.status),
        media_type=f"{CSV}; charset=utf-8",
        headers=headers,
    )
