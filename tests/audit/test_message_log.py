"""The offline message reader (`shared.persistence.message_log`) against logs written by the
real registry and survey: byte for byte what the services' own outbox publishes, in SQLite
and in PostgreSQL, without creating anything where nothing is stored, and without loading
any service's code."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from itertools import pairwise
from pathlib import Path

import pytest

from pingyi.composition import open_outbox
from services.scoring.engine.fold.decode import decode_stored
from shared.persistence import message_log
from shared.persistence.message_log import (
    StoreMissing,
    UnencodedRow,
    has_store,
    read_bodies,
    read_messages,
    split_points,
)
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.scoring.helpers import open_wave, pattern, push, seed_world

ROOT = Path(__file__).resolve().parents[2]


def _write_some_history(common: CommonSettings) -> None:
    with Cluster(common, ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        # Two pushes: each is one message (a batch part), and the readers need a few.
        push(cluster, world, wave_id, pattern(world, ("满意", "不满意", "不了解")) * 2, "L1")
        push(cluster, world, wave_id, pattern(world, ("不满意", "满意", "不了解")), "L2")


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


def _assert_left_out_in_the_store(common: CommonSettings) -> None:
    """Leaving the questionnaires out reads every other message as the full read does, each
    with the previous position of the whole log (the left-out ones still count)."""
    recorded = "survey.batch.recorded"  # a push's questionnaires, as survey writes them
    everything = list(read_bodies(common, "survey", page=3))
    published = {position: previous for position, previous, _ in everything}
    wanted = [
        row for row in everything if not row[2].startswith(b'{"event_type":"' + recorded.encode())
    ]
    left = list(read_bodies(common, "survey", page=3, leave_out={recorded}))
    assert left == wanted
    # Passed over by the reader instead of left out by the store: the same rows, the same
    # previous positions.
    assert list(read_bodies(common, "survey", page=3, pass_over={recorded})) == wanted
    assert len(wanted) < len(everything)
    assert all(published[position] == previous for position, previous, _ in left)
    assert not any(recorded.encode() in body[:50] for _, _, body in left)
    # A type left out that the log does not hold, and one whose name only begins the same,
    # leave out nothing.
    kept = {"survey.response.recorded", "survey.batch"}
    assert list(read_bodies(common, "survey", page=3, leave_out=kept)) == everything
    assert list(read_bodies(common, "survey", page=3, pass_over=kept)) == everything


def _upto(sizes: dict[int, int], cut: int) -> int:
    return sum(n for position, n in sizes.items() if position <= cut)


def _assert_ranges_read_the_whole_log(common: CommonSettings) -> None:
    """Cut by `split_points`, the ranges read as `after` and `stop` say hold every message
    once, in order; the cuts weigh the stored bytes, and a small log is not cut at all."""
    everything = list(read_bodies(common, "survey"))
    stop = everything[-1][0]
    sizes = {position: len(body) for position, _, body in everything}
    for parts in (2, 3, 5):
        cuts = split_points(common, "survey", stop, parts)
        assert cuts == sorted(set(cuts)) and all(0 < cut < stop for cut in cuts)
        assert 0 < len(cuts) < parts
        bounds = [0, *cuts, stop]
        ranges = [list(read_bodies(common, "survey", after=a, stop=b)) for a, b in pairwise(bounds)]
        assert [row[:1] + row[2:] for r in ranges for row in r] == [
            row[:1] + row[2:] for row in everything
        ]
        # Each cut is where the running total of the bytes first reaches a share.
        whole = sum(sizes.values())
        for cut in cuts:
            reached = _upto(sizes, cut) * parts
            share = max(k for k in range(1, parts) if reached >= whole * k)
            before = max((position for position in sizes if position < cut), default=0)
            assert _upto(sizes, before) * parts < whole * share
        assert ranges[0][0][1] is None or ranges[0][0][1] < ranges[0][0][0]
        assert all(r[0][1] is None for r in ranges[1:] if r)  # not known mid-log
    whole = sum(sizes.values())
    assert split_points(common, "survey", stop, 2, min_bytes=whole + 1) == []
    assert split_points(common, "survey", stop, 1) == []


def test_sqlite_log_reads_as_the_outbox_publishes(embedded_settings: CommonSettings) -> None:
    _write_some_history(embedded_settings)
    _assert_same_as_outbox(embedded_settings)
    _assert_left_out_in_the_store(embedded_settings)
    _assert_ranges_read_the_whole_log(embedded_settings)


def test_pages_follow_the_size_of_the_bodies(
    embedded_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of about `PAGE_BYTES` however large the bodies (a batch part is hundreds of
    KiB), at most `page` rows; a page of internal events only says nothing of the size."""
    budget, page = message_log.PAGE_BYTES, 1000
    small = [(n, b"x" * 1_400, False) for n in range(10)]
    parts = [(n, b"x" * 500_000, False) for n in range(10)]
    assert message_log._next_limit(small, page) == page
    assert message_log._next_limit(parts, page) == budget // 500_000
    assert message_log._next_limit([(1, b"", False), (2, None, True)], page) == page
    assert message_log._next_limit([(1, b"x" * (2 * budget), False)], page) == 1
    # A row a page: the same messages as one page of all.
    _write_some_history(embedded_settings)
    everything = {s: list(read_bodies(embedded_settings, s)) for s in ("registry", "survey")}
    monkeypatch.setattr(message_log, "PAGE_BYTES", 1)
    monkeypatch.setattr(message_log, "FIRST_PAGE", 1)
    for service, bodies in everything.items():
        assert list(read_bodies(embedded_settings, service)) == bodies


def test_a_reader_that_stops_early_ends_the_read_ahead(embedded_settings: CommonSettings) -> None:
    _write_some_history(embedded_settings)
    before = {thread.ident for thread in threading.enumerate()}
    reading = read_bodies(embedded_settings, "survey", page=1)
    next(reading)
    reading.close()
    assert {thread.ident for thread in threading.enumerate()} <= before


def test_a_missing_store_is_an_error_and_nothing_is_created(tmp_path: Path) -> None:
    nowhere = tmp_path / "not-here"
    common = CommonSettings(mode="embedded", data_dir=nowhere)
    assert not has_store(common, "survey")
    with pytest.raises(
        StoreMissing, match=r"^\S*not-here\S* 没有 survey 的事件库 \(no survey event store at "
    ):
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
    said = rf"^survey 位置 {position} 存储时没有消息体 .* \(survey position {position} was stored"
    with pytest.raises(UnencodedRow, match=said):
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
    _assert_left_out_in_the_store(production_settings)
    _assert_ranges_read_the_whole_log(production_settings)
    assert not has_store(production_settings, "inspection")
    with pytest.raises(StoreMissing, match="inspection_events"):
        next(read_messages(production_settings, "inspection"))
