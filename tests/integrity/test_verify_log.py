"""Rows of a sealed history edited, deleted, reordered and swapped with SQL — in the SQLite
files and in PostgreSQL — are each caught by verify-log, naming the position; a checkpoint
with a bad signature, or one that went missing, is caught too. Each case undoes its change
afterwards and the log verifies intact again, so one history serves every case."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from shared.integrity.checkpoints import open_checkpoints
from shared.settings import CommonSettings
from tests.conftest import ADMIN_KEY, NATS_URL, PG_ADMIN_URL
from tests.integrity.helpers import Table, history, sealing, verdict

MODES = ["embedded", pytest.param("production", marks=pytest.mark.infra)]


@pytest.fixture(scope="module", params=MODES)
def sealed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CommonSettings, dict[str, Any]]]:
    if request.param == "embedded":
        common = CommonSettings(
            mode="embedded",
            data_dir=tmp_path_factory.mktemp("sealed"),
            bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
            log_json=False,
        )
        yield sealing(common), history(sealing(common))
        return
    with _database() as url:
        common = CommonSettings(
            mode="production",
            database_url=url,
            nats_url=NATS_URL,
            namespace=f"t{uuid.uuid4().hex[:10]}",
            bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
            log_json=False,
            data_dir=Path("production-mode-writes-no-files"),
        )
        yield sealing(common), history(sealing(common))


class _database:
    def __enter__(self) -> str:
        self.name = f"pingyi_t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE \"{self.name}\" ENCODING 'UTF8' TEMPLATE template0")
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _responses(table: Table) -> list[int]:
    """The pushes' batch parts, which hold the questionnaires (one part per push here)."""
    return table.positions("BatchPart.Recorded")


def test_the_history_is_sealed_and_intact(sealed: tuple[CommonSettings, dict[str, Any]]) -> None:
    common, _ = sealed
    for service in ("registry", "survey", "scoring"):
        found = verdict(common, service)
        assert found.intact, found
        assert found.rows == found.sealed > 0 and found.unsealed == 0
        assert found.checkpoints >= 2  # every 7 rows: more than one, so chaining is exercised


Tamper = Callable[[Table], tuple[int, str, Callable[[], None]]]
"""Changes the table; returns the position verify-log must name, a word of its reason, and
how to undo the change."""


def _edit_survey_point(table: Table) -> tuple[int, str, Callable[[], None]]:
    position = _responses(table)[1]
    original = table.run("SELECT state FROM {t} WHERE {id} = ?", position)[0][0]
    state = table.state(position)
    state["questionnaires"][0]["survey_point"] = "另一个测评点"
    table.set_state(position, state)
    return position, "changed", lambda: _set(table, position, "state", original)


def _edit_message_only(table: Table) -> tuple[int, str, Callable[[], None]]:
    position = _responses(table)[0]
    original = table.run("SELECT message FROM {t} WHERE {id} = ?", position)[0][0]
    _set(table, position, "message", bytes(original).replace("满意".encode(), "不满".encode(), 1))
    return position, "changed", lambda: _set(table, position, "message", original)


def _delete(table: Table) -> tuple[int, str, Callable[[], None]]:
    position = _responses(table)[0]
    columns = "originator_id, originator_version, topic, state, message"
    (row,) = table.run(f"SELECT {columns} FROM {{t}} WHERE {{id}} = ?", position)
    table.run("DELETE FROM {t} WHERE {id} = ?", position)

    def undo() -> None:
        table.run(
            f"INSERT INTO {{t}} ({{id}}, {columns}) VALUES (?, ?, ?, ?, ?, ?)", position, *row
        )

    return position, "gone", undo


def _reorder(table: Table) -> tuple[int, str, Callable[[], None]]:
    first, second = _responses(table)[:2]

    def swap() -> None:
        table.run("UPDATE {t} SET {id} = -1 WHERE {id} = ?", first)
        table.run("UPDATE {t} SET {id} = ? WHERE {id} = ?", first, second)
        table.run("UPDATE {t} SET {id} = ? WHERE {id} = -1", second)

    swap()
    return first, "changed", swap


ROW = re.compile(rb'"row":"[^"]*"')
"""A questionnaire's row text in a stored batch part."""
FIRST_ROW = re.compile(rb'"rows":\["[^"]*"')
"""The first questionnaire's row text in a published part (`survey.batch.recorded` v2)."""
ROWS = re.compile(rb'"rows":\[([^\]]*)\]')


def _swap_answers(table: Table) -> tuple[int, str, Callable[[], None]]:
    """Questionnaire A-0000's answers and B-0000's trade places, in the stored state and in
    the message body alike: every count per unit and rating stays what it was (both parts
    code the wave's scale alike)."""
    positions = _responses(table)
    a, b = positions[0], positions[-1]
    rows = {p: table.run("SELECT state, message FROM {t} WHERE {id} = ?", p)[0] for p in (a, b)}
    for index, pattern in enumerate((ROW, FIRST_ROW)):
        found = {p: pattern.search(bytes(rows[p][index])).group() for p in (a, b)}  # type: ignore[union-attr]
        assert found[a] != found[b]
        for here, there in ((a, b), (b, a)):
            swapped = pattern.sub(lambda _m, t=found[there]: t, bytes(rows[here][index]), count=1)
            _set(table, here, ("state", "message")[index], swapped)

    def undo() -> None:
        for p in (a, b):
            _set(table, p, "state", rows[p][0])
            _set(table, p, "message", rows[p][1])

    return a, "changed", undo


def _set(table: Table, position: int, column: str, value: Any) -> None:
    table.run(f"UPDATE {{t}} SET {column} = ? WHERE {{id}} = ?", bytes(value), position)


@pytest.mark.parametrize(
    "tamper", [_edit_survey_point, _edit_message_only, _delete, _reorder, _swap_answers]
)
def test_each_change_to_a_row_is_named_by_position(
    sealed: tuple[CommonSettings, dict[str, Any]], tamper: Tamper
) -> None:
    common, _ = sealed
    table = Table(common, "survey")
    position, word, undo = tamper(table)
    try:
        found = verdict(common, "survey")
        assert found.finding is not None, found
        assert found.finding.position == position and word in found.finding.problem
    finally:
        undo()
    assert verdict(common, "survey").intact


def test_the_swap_keeps_every_count(sealed: tuple[CommonSettings, dict[str, Any]]) -> None:
    """What makes the swap worth catching: nothing counted differs."""
    common, _ = sealed
    table = Table(common, "survey")

    def counts() -> list[str]:
        rows = table.run("SELECT message FROM {t} WHERE topic LIKE ?", "%BatchPart.Recorded%")
        found = (m.decode().split(",") for r in rows for m in ROWS.findall(bytes(r[0])))
        return sorted(row for part in found for row in part)

    before = counts()
    _, _, undo = _swap_answers(table)
    try:
        assert counts() == before
        assert not verdict(common, "survey").intact
    finally:
        undo()


def _checkpoint_table(common: CommonSettings, service: str) -> Table:
    """The checkpoints' own table, addressed like an events table."""
    table = Table(common, service)
    if common.mode == "production":
        table._sql = lambda text: (  # type: ignore[method-assign]
            text.replace("{t}", f'"{service}"."{service}_seals"')
            .replace("{id}", "position")
            .replace("?", "%s")
        )
    else:
        table.common = common.model_copy(update={"data_dir": common.data_dir})
        table.service = f"{service}-seals"
        table._sql = lambda text: text.replace("{t}", "seals").replace(  # type: ignore[method-assign]
            "{id}", "position"
        )
    return table


def test_a_checkpoint_with_a_bad_signature_is_caught(
    sealed: tuple[CommonSettings, dict[str, Any]],
) -> None:
    common, _ = sealed
    store = open_checkpoints(common, "scoring", create=False)
    second = store.all()[1]
    store.close()
    seals = _checkpoint_table(common, "scoring")
    forged = bytes([second.signature[0] ^ 1]) + second.signature[1:]
    seals.run("UPDATE {t} SET signature = ? WHERE {id} = ?", forged, second.position)
    try:
        found = verdict(common, "scoring")
        assert found.finding is not None and found.finding.position == second.position
        # Production judges by the stream's copy, which nobody could change.
        expected = "differs in the table" if common.mode == "production" else "signature"
        assert expected in found.finding.problem
    finally:
        seals.run("UPDATE {t} SET signature = ? WHERE {id} = ?", second.signature, second.position)
    assert verdict(common, "scoring").intact


def test_checkpoints_signed_with_another_key_are_refused(
    sealed: tuple[CommonSettings, dict[str, Any]],
) -> None:
    common, _ = sealed
    other = common.model_copy(update={"seal_key": None, "seal_public_key": "22" * 32})
    found = verdict(other, "survey")
    assert found.finding is not None and "signature" in found.finding.problem
    store = open_checkpoints(common, "survey", create=False)
    assert found.finding.position == store.all()[0].position
    store.close()


def test_a_checkpoint_removed_from_the_middle_is_caught(
    sealed: tuple[CommonSettings, dict[str, Any]],
) -> None:
    common, _ = sealed
    store = open_checkpoints(common, "registry", create=False)
    first, second = store.all()[:2]
    seals = _checkpoint_table(common, "registry")
    seals.run("DELETE FROM {t} WHERE {id} = ?", first.position)
    try:
        found = verdict(common, "registry")
        assert found.finding is not None, found
        if common.mode == "production":  # the stream still has it
            assert found.finding.position == first.position
            assert "missing from the table" in found.finding.problem
        else:
            assert found.finding.position == 1 and "missing" in found.finding.problem
    finally:
        store.add(first)
        store.close()
    assert verdict(common, "registry").intact
    assert second.previous_position == first.position
