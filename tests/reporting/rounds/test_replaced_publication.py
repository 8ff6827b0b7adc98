"""A final run that a later final of the round replaced is no longer the round's result:
publishing it is refused (409 `run_replaced`, naming the current final), so the public never
reads a run other than the one scoring, and the audit export, call the round's result. The
round's latest final still publishes, and again after a withdrawal (the real services)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.reasons import chinese_first
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    corrected_round,
    publish,
    run,
)
from tests.scoring.rounds.helpers import caught_up, push

Story = tuple[Scored, dict[str, Any], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def story() -> Iterator[Story]:
    """The first final published (version 1), then replaced twice: by a second final and
    by a third, neither published yet."""
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, first, second = corrected_round(cluster)
        push(cluster["survey"], scored.rnd, [("基本满意", "满意", "满意")], "S")
        caught_up(cluster)
        third = run(scored, final=True, reason="再补录一份问卷后重算")
        assert third["run_id"] not in (first["run_id"], second["run_id"])
        yield scored, first, second, third


def refused(scored: Scored, run_id: str, current: str) -> None:
    body = {"run_id": run_id, "reason": "误操作"}
    answer = publish(scored, body, status=409)
    assert answer["error"] == "run_replaced"
    [detail] = answer["detail"]
    assert (detail["field"], detail["context"]) == ("run_id", {"current_run_id": current})
    assert chinese_first(detail["reason"])


def in_force(scored: Scored) -> tuple[int, str]:
    shown = scored.reporting.get(scored.public("/rounds/1"))
    assert shown.status_code == 200, shown.text
    return shown.json()["published"]["version"], shown.json()["run_id"]


def test_only_the_rounds_latest_final_is_published(story: Story) -> None:
    scored, first, second, third = story
    # The second final, replaced by the third, is refused; the round stays as it was.
    refused(scored, second["run_id"], third["run_id"])
    assert in_force(scored) == (1, first["run_id"])

    corrected = publish(scored, {"run_id": third["run_id"], "reason": "更正为最新结果"})
    assert (corrected["version"], corrected["supersedes"]) == (2, 1)
    # The first final, replaced twice since, cannot come back as version 3.
    refused(scored, first["run_id"], third["run_id"])
    # Publishing the version in force again is still the no-op it was.
    again = publish(scored, {"run_id": third["run_id"]}, status=200)
    assert again["version"] == 2
    assert in_force(scored) == (2, third["run_id"])

    # After a withdrawal nothing is in force: the replaced runs are refused all the same,
    # and the latest final is published again as a new version.
    withdrawn = scored.reporting.post(
        scored.path("/rounds/1/withdrawals"), json={"reason": "发布有误"}, headers=scored.office
    )
    assert withdrawn.status_code == 201, withdrawn.text
    scored.cluster.wait_caught_up("reporting", "reporting")
    refused(scored, first["run_id"], third["run_id"])
    republished = publish(scored, {"run_id": third["run_id"]})
    assert (republished["version"], republished["supersedes"]) == (3, None)
    assert in_force(scored) == (3, third["run_id"])
