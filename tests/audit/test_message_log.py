"""The offline message reader (`shared.persistence.message_log`) against logs written by the
real registry and survey: byte for byte what the services' own outbox publishes, in SQLite
and in PostgreSQL, without creating anything where nothing is stored, and without loading
any service's code."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pingyi.composition import open_outbox
from services.scoring.engine.fold.decode import decode_stored
from shared.persistence.message_log import (
    StoreMissing,
    UnencodedRow,
    has_store,
    read_bodies,
    read_messages,
)
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.scoring.helpers import open_wave, pattern, push, seed_world

ROOT = Path(__file__).resolve().parents[2]


def _write_some_history(common: CommonSettings) -> None:
    with Cluster(common, ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        push(cluster, world, wave_id, pattern(world, ("满意", "不满意", "不了解")) * 2, "L1")


def _by_outbox(common: CommonSettings, service: str, stop: int | None = None) -> list[bytes]:
    outbox = open_outbox(service, common)
    try:
        return [m.encode() for m in outbox.iterate(stop=stop)]
    finally:
        outbox.close()


def _assert_same_as_outbox(common: CommonSettings) -> None:
    for service in ("registry", "survey"):
        read = list(read_messages(common, service, page=2))  # pages end mid-log
        assert len(read) >= 3
        assert [m.data for m in read] == _by_outbox(common, service)
        assert all(m.message.origin == service for m in read)
        bodies = list(read_bodies(common, service, page=2))
        assert [decode_stored(service, *row) for row in bodies] == [m.message for m in read]
        positions = [m.position for m in read]
        assert positions == sorted(positions)
        middle = positions[len(positions) // 2]
        assert [m.data for m in read_messages(common, service, stop=middle)] == _by_outbox(
            common, service, stop=middle
        )


def test_sqlite_log_reads_as_the_outbox_publishes(embedded_settings: CommonSettings) -> None:
    _write_some_history(embedded_settings)
    _assert_same_as_outbox(embedded_settings)


def test_a_missing_store_is_an_error_and_nothing_is_created(tmp_path: Path) -> None:
    nowhere = tmp_path / "not-here"
    common = CommonSettings(mode="embedded", data_dir=nowhere)
    assert not has_store(common, "survey")
    with pytest.raises(StoreMissing, match=r"no survey event store at .*not-here"):
        list(read_messages(common, "survey"))
    assert not nowhere.exists()
    nowhere.mkdir()
    (nowhere / "survey.sqlite").write_bytes(b"")  # an empty file is no store either
    assert not has_store(common, "survey")
    assert (nowhere / "survey.sqlite").read_bytes() == b""


def test_a_row_without_its_body_stops_the_reader_at_its_position(
    embedded_settings: CommonSettings, tmp_path: Path
) -> None:
    _write_some_history(embedded_settings)
    copy = tmp_path / "copy"
    shutil.copytree(embedded_settings.data_dir, copy)
    with sqlite3.connect(copy / "survey.sqlite") as db:
        (position,) = db.execute(
            "SELECT max(rowid) FROM stored_events WHERE length(message) > 0"
        ).fetchone()
        db.execute("UPDATE stored_events SET message = NULL WHERE rowid = ?", (position,))
    common = embedded_settings.model_copy(update={"data_dir": copy})
    with pytest.raises(UnencodedRow, match=f"survey position {position} "):
        list(read_messages(common, "survey"))


def test_reading_loads_no_service_code(embedded_settings: CommonSettings) -> None:
    _write_some_history(embedded_settings)
    script = (
        "import sys\n"
        "from shared.persistence.message_log import read_messages\n"
        "from shared.settings import CommonSettings\n"
        f"common = CommonSettings(mode='embedded', data_dir={str(embedded_settings.data_dir)!r})\n"
        "count = sum(1 for m in read_messages(common, 'survey') if m.message.payload)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('services', 'pingyi'))\n"
        "print(count, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split(" ", 1)
    assert int(count) >= 3 and loaded.strip() == "[]"


@pytest.mark.infra
def test_postgres_log_reads_as_the_outbox_publishes(production_settings: CommonSettings) -> None:
    _write_some_history(production_settings)
    _assert_same_as_outbox(production_settings)
    assert not has_store(production_settings, "inspection")
    with pytest.raises(StoreMissing, match="inspection_events"):
        next(read_messages(production_settings, "inspection"))
