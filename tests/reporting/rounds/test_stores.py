"""Round results and publication on the real stores: the whole path on PostgreSQL and NATS
JetStream (scoring's run and reporting's own publication travel through the relays), and,
on SQLite, the round views rebuilt offline from the logs byte for byte as they were built
message by message (the runs' summary tallies too)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from pingyi.catalog import definition
from pingyi.composition import open_outbox
from shared.rebuild import rebuild
from shared.runtime import build_view_store
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.rounds.helpers import SERVICES, Scored, publish, run, scored_round

ROUND_VIEWS = ["round_results", "publications"]


def _published_story(scored: Scored) -> dict[str, Any]:
    provisional = run(scored, final=False, reason="中期")
    assert scored.reporting.get(scored.public("/rounds/1")).status_code == 404
    final = run(scored, final=True, reason="上半年结果")
    version = publish(scored, {"run_id": final["run_id"], "reason": "审定发布"})
    shown = scored.reporting.get(scored.public("/rounds/1"))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["run_id"] == final["run_id"] != provisional["run_id"]
    scores = {e["unit_name"]: e["score"] for c in body["categories"] for e in c["entries"]}
    assert scores == {"舞阳县公安局": "93.00", "舞阳县教育局": "60.00", "舞阳县供电公司": "0.00"}
    snapshot = scored.reporting.get(scored.public("/rounds/1/snapshot")).content
    assert "sha256:" + hashlib.sha256(snapshot).hexdigest() == version["snapshot_digest"]
    return body


@pytest.mark.infra
def test_publication_on_postgresql_and_jetstream(production_settings: CommonSettings) -> None:
    with Cluster(production_settings, SERVICES) as cluster:
        _published_story(scored_round(cluster))


def _dump(common: CommonSettings) -> tuple[list[Any], dict[str, Any]]:
    store = build_view_store(common, "reporting", None)
    store.setup()
    try:
        views = [v for v in definition("reporting").views if v.name in ROUND_VIEWS]
        names = [name for view in views for name in view.collection_names]
        return list(store.dump(names)), store.positions()
    finally:
        store.close()


def test_the_round_views_rebuild_byte_for_byte(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, SERVICES) as cluster:
        _published_story(scored_round(cluster))
    incremental, positions = _dump(embedded_settings)
    assert {collection for collection, _, _ in incremental} == {
        "round_heads",
        "round_runs",
        "round_units",
        "round_tallies",
        "publications",
    }
    store = build_view_store(embedded_settings, "reporting", None)
    try:
        rebuild(
            store,
            definition("reporting").views,
            ROUND_VIEWS,
            lambda upstream: open_outbox(upstream, embedded_settings),
        )
    finally:
        store.close()
    rebuilt, rebuilt_positions = _dump(embedded_settings)
    assert rebuilt == incremental
    assert rebuilt_positions == positions
