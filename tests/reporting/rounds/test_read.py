"""A run's results read whatever optional field its `scoring.round.scored` message left
out: the view keeps only what the message carried (`inbox.as_carried`), so the read side
gives such a field the contract's default (`upstream_positions`: none) rather than failing
(a real run's message, from the real services, applied to a fresh `round_results`)."""

from __future__ import annotations

from services.reporting.rounds.read import RoundResults
from services.reporting.rounds.views import ROUND_RESULTS_VIEW
from shared.views import MemoryViewStore
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import SERVICES, round_scored, run, scored_round


def test_a_message_without_upstream_positions_reads_as_none_recorded() -> None:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")
        message = round_scored(cluster, final["run_id"])
    assert message.payload["upstream_positions"]  # the live service records them
    lacking = {k: v for k, v in message.payload.items() if k != "upstream_positions"}
    store = MemoryViewStore()
    store.declare(ROUND_RESULTS_VIEW.collections)
    store.setup()
    ROUND_RESULTS_VIEW.inbox(store, "scoring").apply(
        "scoring", [message.model_copy(update={"payload": lacking})]
    )
    results = RoundResults(store)
    stored = results.run(final["run_id"])
    assert "upstream_positions" not in stored["payload"]  # kept as the message carried it
    document = results.results(stored)
    assert document["upstream_positions"] == {}
    assert document["inputs_digest"] == message.payload["inputs_digest"]
