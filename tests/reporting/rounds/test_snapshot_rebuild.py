"""A published snapshot stays what was published across a rebuild of `round_results`.

The snapshot is not stored with the publication: it is assembled from the run's row when
read, and its digest was taken at publication. So the row must hold what scoring's message
carried, whatever the contract has gained since: a run whose message was written before
`reason` and `replaces` were carried (as messages still on a stream or in scoring's log
are) is published, the view rebuilt, and the public results, the snapshot's bytes and
their digest are unchanged (embedded, the real services, scoring's log on SQLite)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from pingyi.catalog import definition
from pingyi.composition import open_outbox
from services.reporting.rounds.views import ROUND_RESULTS_VIEW
from shared.canonical import message_json
from shared.rebuild import rebuild
from shared.runtime import build_view_store
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.rebuilds import assert_rebuilds_as_built
from tests.reporting.rounds.helpers import SERVICES, Scored, publish, run, scored_round

NEWER_FIELDS = ("reason", "replaces")
READERS = ["registry", "reporting"]
"""Scoring not run again: its log now holds a body its event no longer maps to (the harness
checks every running service's bodies against its mapping on the way out)."""


def _as_written_before(log: Path) -> dict[str, Any]:
    """Scoring's `scoring.round.scored` body rewritten as the release before `reason` and
    `replaces` wrote it (the fields absent); that payload."""
    with sqlite3.connect(log) as db:
        [(rowid, body)] = db.execute(
            "SELECT rowid, message FROM stored_events WHERE topic LIKE ?",
            ("%:RoundRun.Computed",),
        ).fetchall()
        envelope = json.loads(body)
        for field in NEWER_FIELDS:
            del envelope["payload"][field]
        db.execute(
            "UPDATE stored_events SET message = ? WHERE rowid = ?",
            (message_json(envelope), rowid),
        )
    payload: dict[str, Any] = envelope["payload"]
    return payload


def _rebuild_round_results(common: CommonSettings) -> None:
    store = build_view_store(common, "reporting", None)
    try:
        rebuild(
            store,
            definition("reporting").views,
            [ROUND_RESULTS_VIEW.name],
            lambda upstream: open_outbox(upstream, common),
        )
    finally:
        store.close()


def _published(scored: Scored) -> tuple[Any, bytes, str]:
    """(the public results, the snapshot's bytes, the digest published)."""
    results = scored.reporting.get(scored.public("/rounds/1"))
    assert results.status_code == 200, results.text
    snapshot = scored.reporting.get(scored.public("/rounds/1/snapshot"))
    assert snapshot.status_code == 200, snapshot.text
    digest = results.json()["published"]["snapshot_digest"]
    assert snapshot.headers["X-Snapshot-Digest"] == digest
    return results.json(), snapshot.content, digest


def test_a_snapshot_of_an_older_message_survives_a_rebuild(
    embedded_settings: CommonSettings,
) -> None:
    with Cluster(embedded_settings, SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")
    wire = _as_written_before(embedded_settings.data_dir / "scoring.sqlite")
    # Reporting as it read that message when it was delivered.
    _rebuild_round_results(embedded_settings)

    with Cluster(embedded_settings, READERS) as cluster:
        scored = Scored(cluster, scored.rnd, scored.unit_key)
        publish(scored, {"run_id": final["run_id"], "reason": "经县纠风办审定"})
        before, snapshot, digest = _published(scored)
    assert digest == "sha256:" + hashlib.sha256(snapshot).hexdigest()
    # Exactly what scoring published: no field its message did not carry.
    published = json.loads(snapshot)
    assert published.keys() == wire.keys()
    assert {k: v for k, v in published.items() if k != "units"} == {
        k: v for k, v in wire.items() if k != "units"
    }
    # The run itself reads as a run without them: no reason given, replacing nothing.
    assert (before["reason"], before["replaces"]) == ("", None)

    assert_rebuilds_as_built(embedded_settings, ROUND_RESULTS_VIEW.name)
    with Cluster(embedded_settings, READERS) as cluster:
        after, again, digest_after = _published(Scored(cluster, scored.rnd, scored.unit_key))
    assert (after, again, digest_after) == (before, snapshot, digest)
    assert "sha256:" + hashlib.sha256(again).hexdigest() == digest
