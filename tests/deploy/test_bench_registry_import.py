"""The registry import benchmark still runs end to end (a tiny load, no assertion about speed:
only that every timed import created every row it sent, into a jurisdiction of each size, and
that both the baseline and Pingyi were measured)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.registry_import import main


def test_registry_import_bench_imports_every_row(tmp_path: Path) -> None:
    output = tmp_path / "registry_import.json"
    assert main(["--n", "12", "--existing", "0,7", "--output", str(output)]) == 0
    result = json.loads(output.read_text(encoding="utf-8"))
    measured = result["measurements"]
    assert [m["details"]["existing"] for m in measured] == [0, 7]
    for m in measured:
        assert m["count"] == 12 and m["details"]["coded"] is True
        assert m["baseline_seconds"] > 0 and m["pingyi_seconds"] > 0
