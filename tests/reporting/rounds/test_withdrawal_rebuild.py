"""On SQLite (embedded mode), the `publications` view (version 2: withdrawals) rebuilt
offline from reporting's log holds the withdrawal byte for byte as the incremental build
did, and the public still reads the round as withdrawn from it."""

from __future__ import annotations

import json

from services.reporting.rounds.views import PUBLICATIONS_VIEW
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.rebuilds import assert_rebuilds_as_built
from tests.reporting.rounds.helpers import SERVICES, published_round

REASON = "发布时间早于约定的解禁时间"


def test_the_publications_view_rebuilds_with_its_withdrawals(
    embedded_settings: CommonSettings,
) -> None:
    assert PUBLICATIONS_VIEW.version == 2
    with Cluster(embedded_settings, SERVICES) as cluster:
        scored, _ = published_round(cluster)
        answer = scored.reporting.post(
            scored.path("/rounds/1/withdrawals"), json={"reason": REASON}, headers=scored.office
        )
        assert answer.status_code == 201, answer.text
        cluster.wait_caught_up("reporting", "reporting")
        before = scored.reporting.get(scored.public("/rounds/1"))
        assert before.status_code == 410, before.text
    incremental, _ = assert_rebuilds_as_built(embedded_settings, PUBLICATIONS_VIEW.name)
    [(_, _, text)] = incremental
    doc = json.loads(text)
    assert doc["withdrawn"]["reason"] == REASON
    assert [v["withdrawn"]["reason"] for v in doc["versions"]] == [REASON]
    with Cluster(embedded_settings, SERVICES) as cluster:
        after = cluster["reporting"].get(scored.public("/rounds/1"))
        assert after.status_code == 410
        assert after.json() == before.json()
