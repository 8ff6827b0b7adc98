"""`pingyi audit export --scheme` reads each store's log twice: the engine's first pass (the
decisions), then every message, which also writes the bundle's logs as it goes (it read each
log a third time to write them). The bundle is the file written from a reading of its own,
as before. The seal check before it reads each log with messages once more. Counted by the
stores' connections, as Python's audit hook sees them."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle, write_bundle
from pingyi.audit_export import export_bundle
from pingyi.audit_scheme_file import load_scheme
from pingyi.audit_seals import seals_record
from pingyi.audit_stream import engine
from shared.contracts.envelope import IntegrationMessage
from shared.persistence.message_log import has_store, last_position, read_bodies, read_messages
from tests.audit.stores import embedded, scored_history

SCHEME = Path(__file__).parent / "schemes" / "satisfaction.yaml"
ORIGINS = ("registry", "survey", "inspection", "scoring")

_CONNECTED: list[str] = []
_WATCHED: list[str] = []
"""The data directory whose stores' connections are counted (a hook stays for the process)."""


def _connecting(event: str, args: tuple[Any, ...]) -> None:
    if event == "sqlite3.connect" and _WATCHED and _WATCHED[0] in str(args[0]):
        _CONNECTED.append(Path(str(args[0]).split("?")[0]).stem)


sys.addaudithook(_connecting)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data = tmp_path_factory.mktemp("export-reads") / "pingyi-data"
    return data, scored_history(data, runs=False)


def _opened(data: Path, work: Callable[[], object]) -> dict[str, int]:
    """How many times `work` opened each store of the data directory."""
    _CONNECTED.clear()
    _WATCHED[:] = [data.as_posix()]
    try:
        work()
    finally:
        _WATCHED.clear()
    return {store: _CONNECTED.count(store) for store in ORIGINS}


def _exported(data: Path, facts: dict[str, Any], out: Path, compute: Any) -> dict[str, int]:
    """Exports the round under the scheme file; how many times each store was opened."""
    return _opened(
        data,
        lambda: export_bundle(
            embedded(data),
            campaign_id=facts["campaign_id"],
            round_=1,
            scheme=load_scheme(SCHEME),
            out=out,
            compute=compute,
        ),
    )


def test_each_log_is_read_twice_and_the_bundle_is_the_file_written_from_a_third_reading(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    opened = _exported(data, facts, tmp_path / "b.zip", engine())
    common = embedded(data)
    # Whether each store is there, its last position, and two readings of its log: the
    # decisions, then every message, written as the bundle's as it is read.
    there = _opened(data, lambda: [has_store(common, o) for o in ORIGINS])
    last = _opened(data, lambda: [last_position(common, o) for o in ORIGINS])
    reading = _opened(data, lambda: [list(read_bodies(common, o)) for o in ORIGINS])
    # And the seal check's reading of each log with messages (`pingyi.audit_seals`).
    stops = {o: last_position(common, o) or 0 for o in ORIGINS}
    sealed = _opened(data, lambda: seals_record(common, stops))
    assert {o for o, n in sealed.items() if n} == {o for o, stop in stops.items() if stop}
    assert opened == {o: there[o] + last[o] + 2 * reading[o] + sealed[o] for o in ORIGINS}, opened
    bundle = read_bundle(tmp_path / "b.zip")
    about = bundle.manifest["about"]
    write_bundle(
        tmp_path / "read-again.zip",
        scheme=bundle.scheme,
        messages={
            origin: (
                m.data for m in read_messages(common, origin, stop=last_position(common, origin))
            )
            for origin in bundle.origins
        },
        results=bundle.results,
        about=about,
    )
    assert hashlib.sha256((tmp_path / "b.zip").read_bytes()).hexdigest() == (
        hashlib.sha256((tmp_path / "read-again.zip").read_bytes()).hexdigest()
    )


def _stopping_early(
    scheme: Mapping[str, Any],
    messages: Iterable[IntegrationMessage],
    campaign: str,
    round_: int,
    revision: int | None,
) -> dict[str, Any]:
    """An engine that leaves the reading after the first message: the logs are not all
    written, so no bundle may be."""
    next(iter(messages))
    return engine()(scheme, list(messages), campaign, round_, revision)


def test_a_reading_left_before_its_end_writes_no_bundle(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    with pytest.raises(ValueError, match=r"^计分引擎没有读完所有消息: 未写入任何内容 \(the engine"):
        _exported(data, facts, tmp_path / "b.zip", _stopping_early)
    assert list(tmp_path.iterdir()) == []
