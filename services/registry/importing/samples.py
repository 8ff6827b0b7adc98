"""Regenerates the XLSX twins of the sample CSVs in pingyi/samples/ (the CSVs are the
source): `python -m services.registry.importing.samples`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from shared.tabular import Sheet, to_xlsx

SAMPLES = Path(__file__).resolve().parents[3] / "pingyi" / "samples"
TITLES = {
    "luohe_000_units": "漯河市参评单位",
    "wuhan_004_units": "武汉开发区参评单位",
}


def sheet_from_csv(path: Path, title: str) -> Sheet:
    records = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    return Sheet(title=title, headers=records[0], rows=records[1:])


def regenerate(directory: Path = SAMPLES) -> list[Path]:
    written = []
    for stem, title in TITLES.items():
        target = directory / f"{stem}.xlsx"
        target.write_bytes(to_xlsx(sheet_from_csv(directory / f"{stem}.csv", title)))
        written.append(target)
    return written


if __name__ == "__main__":
    for path in regenerate():
        print(path)
