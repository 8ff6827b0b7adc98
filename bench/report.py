"""The printed table and bench/results/latest.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.infra import Measurement

RESULTS = Path(__file__).resolve().parent / "results"


def ratio_text(ratio: float) -> str:
    if ratio >= 1:
        return f"{ratio:.2f}x ({ratio:.1f}x faster)"
    return f"{ratio:.2f}x ({1 / ratio:.1f}x slower)"


def table(measurements: list[Measurement]) -> str:
    header = ("what", "n", "baseline", "pingyi", "unit", "pingyi/baseline")
    rows = [
        (
            m.name,
            str(m.count),
            f"{m.baseline_rate:,.0f}",
            f"{m.pingyi_rate:,.0f}",
            m.unit,
            ratio_text(m.ratio),
        )
        for m in measurements
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.append("")
    for m in measurements:
        lines.append(f"{m.name}:")
        lines.append(f"  baseline: {m.baseline} ({m.baseline_seconds:.2f} s)")
        lines.append(f"  pingyi:   {m.pingyi} ({m.pingyi_seconds:.2f} s)")
        lines += [f"  note:     {note}" for note in m.notes]
    return "\n".join(lines)


def write(
    measurements: list[Measurement],
    parameters: dict[str, Any],
    environment: dict[str, Any],
    path: Path = RESULTS / "latest.json",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "finished_at": datetime.now(UTC).isoformat(),
        "parameters": parameters,
        "environment": environment,
        "measurements": [m.as_dict() for m in measurements],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
