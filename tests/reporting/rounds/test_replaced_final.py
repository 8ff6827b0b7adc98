"""A final run that replaces the round's earlier final says so, and why (scoring's
`reason` and `replaces`): in the run list and the results an office reads, on the public
page of the version that publishes it, and in its PDF (the real services)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_text
from tests.reporting.rounds.helpers import (
    CORRECTION,
    SERVICES,
    Scored,
    corrected_round,
    publish,
)

RECOMPUTED = "补录两份问卷后重算"  # the second final's reason (`corrected_round`)
LINE = f"本次结果取代了前一次正式结果（原因：{RECOMPUTED}）"


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, first, second = corrected_round(cluster)
        publish(scored, {"run_id": second["run_id"], "reason": CORRECTION})
        yield scored, first, second


def _results(scored: Scored, run_id: str) -> Any:
    answer = scored.reporting.get(
        scored.path(f"/rounds/1/results?run_id={run_id}"), headers=scored.office
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_run_list_and_the_results_say_what_was_replaced_and_why(story: Any) -> None:
    scored, first, second = story
    rounds = scored.reporting.get(scored.path("/rounds"), headers=scored.office)
    assert rounds.status_code == 200, rounds.text
    [round_1] = rounds.json()
    assert [(r["run_id"], r["reason"], r["replaces"]) for r in round_1["runs"]] == [
        (first["run_id"], "上半年结果", None),
        (second["run_id"], RECOMPUTED, first["run_id"]),
    ]
    replacing = _results(scored, second["run_id"])
    assert (replacing["reason"], replacing["replaces"]) == (RECOMPUTED, first["run_id"])
    replaced = _results(scored, first["run_id"])
    assert (replaced["reason"], replaced["replaces"]) == ("上半年结果", None)


def test_the_public_page_of_the_replacing_version_says_why(story: Any) -> None:
    scored, first, second = story
    public = scored.reporting.get(scored.public("/rounds/1"))
    assert public.status_code == 200, public.text
    shown = public.json()
    assert (shown["run_id"], shown["replaces"]) == (second["run_id"], first["run_id"])
    page = scored.reporting.get(f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1")
    assert page.status_code == 200, page.text
    assert LINE in page.text
    # Version 1 (the first final) replaced nothing.
    older = scored.reporting.get(
        f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1?version=1"
    )
    assert older.status_code == 200, older.text
    assert "取代了前一次正式结果" not in older.text


def _pdf(scored: Scored, path: str, **headers: str) -> str:
    answer = scored.reporting.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return pdf_text(answer.content)[0]


def test_the_pdfs_of_the_replacing_run_say_why(story: Any) -> None:
    scored, _first, second = story
    # The public PDF of the version in force, and the office's PDF of the run.
    assert LINE in _pdf(scored, scored.public("/rounds/1/results.pdf"))
    office = scored.path(f"/rounds/1/results.pdf?run_id={second['run_id']}")
    assert LINE in _pdf(scored, office, **scored.office)
    # Version 1 (the first final) replaced nothing.
    older = _pdf(scored, scored.public("/rounds/1/results.pdf?version=1"))
    assert "取代了前一次正式结果" not in older
