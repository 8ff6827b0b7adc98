"""ZIP bombs: a small bundle that inflates without end is refused, never held."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from pingyi.audit_bundle import (
    MANIFEST,
    MAX_LINE,
    MAX_MANIFEST,
    BundleError,
    read_bundle,
)
from tests.audit.bundle_helpers import write_round, zip_bomb


def test_a_line_inflating_past_any_message_is_refused_without_being_held(
    bundle_data: Path, tmp_path: Path
) -> None:
    """A 200 KiB archive whose survey log inflates to one line of 192 MiB, the manifest
    matching it: refused naming the part and line, never holding more than the longest line a
    bundle may have (it read the whole line into memory, and a bigger one killed the process
    or ended in `MemoryError`, said as nothing but its name)."""
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    bomb = zip_bomb(good, tmp_path / "bomb.zip", "messages/survey.jsonl", 3 * MAX_LINE)
    assert bomb.stat().st_size < MAX_LINE >> 8
    tracemalloc.start()
    try:
        with pytest.raises(BundleError) as refused:
            read_bundle(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.part == "messages/survey.jsonl"
    assert refused.value.reason == (
        "第 1 行超过 64 MiB, 比任何消息或文档可有的都长 (line 1 is longer than 64 MiB, more than "
        "any message or document may be)"
    )
    assert peak < 1.25 * MAX_LINE


def test_a_part_inflating_past_its_manifest_entry_is_not_read(
    bundle_data: Path, tmp_path: Path
) -> None:
    """The archive says the entry inflates to 64 MiB, the manifest to a few KiB: refused before
    a byte is inflated (it was inflated and hashed, all of it, to find the hash differs)."""
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    bomb = zip_bomb(good, tmp_path / "bomb.zip", "messages/survey.jsonl", MAX_LINE, False)
    with pytest.raises(BundleError) as refused:
        read_bundle(bomb)
    assert refused.value.part == "messages/survey.jsonl"
    assert refused.value.reason.startswith(f"解压后为 {MAX_LINE} 字节, 清单写的是 ")
    assert f"与清单不符 (未读取) (inflates to {MAX_LINE} bytes, the manifest says" in (
        refused.value.reason
    )
    assert refused.value.reason.endswith("(not read))")


def test_a_manifest_longer_than_any_manifest_is_not_read(bundle_data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    bomb = zip_bomb(good, tmp_path / "bomb.zip", MANIFEST, MAX_MANIFEST + (1 << 20))
    with pytest.raises(BundleError) as refused:
        read_bundle(bomb)
    assert refused.value.part == MANIFEST
    size = MAX_MANIFEST + (1 << 20)
    assert refused.value.reason == (
        f"解压后为 {size} 字节, 超过 {MAX_MANIFEST} (未读取) "
        f"(inflates to {size} bytes, more than {MAX_MANIFEST} (not read))"
    )
