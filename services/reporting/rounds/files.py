"""Download responses for a run's results (shared by the office and the public routes)."""

from __future__ import annotations

from typing import Literal

from fastapi.responses import StreamingResponse

from services.reporting.rounds.exports import csv_chunks, file_chunks, xlsx_file
from services.reporting.rounds.read import RoundResults
from shared.tabular import CSV, XLSX
from shared.views import Document
from shared.web.download import disposition

Format = Literal["xlsx", "csv"]


def results_file(results: RoundResults, run: Document, fmt: Format, name: str) -> StreamingResponse:
    """The run's results as a file named `name` (Chinese; an ASCII fallback is added)."""
    units = results.units(run["run_id"])
    list_names = run["payload"]["list_names"]
    if fmt == "xlsx":
        return StreamingResponse(
            file_chunks(xlsx_file(units, list_names)),
            media_type=XLSX,
            headers=disposition(f"{name}.xlsx"),
        )
    return StreamingResponse(
        csv_chunks(units, list_names),
        media_type=f"{CSV}; charset=utf-8",
        headers=disposition(f"{name}.csv"),
    )


def file_name(results: RoundResults, run: Document, suffix: str = "") -> str:
    campaign = results.campaign_name(run["campaign_id"]) or "评议结果"
    return f"{campaign}-第{run['round']}轮结果{suffix}"
