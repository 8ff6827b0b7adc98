"""Publication across replicas: two reporting application instances, each with its own
process lock, over one real PostgreSQL event store, publish the same round at the same moment
(released together by a barrier), many times over. Whatever the interleaving, the round gets
exactly one version per distinct publication: the same run twice is one version (one call
creates it, the other finds it in force); two different runs are one version and a clean
`publication_changed` conflict, or, when one call ran wholly after the other, a correction
that the later caller asked for with its reason.

Withdrawal (撤回) races the same way: two replicas withdrawing the round at once make one
`Withdrawn` event; the loser is told `already_withdrawn` (409) — by the conflict path, having
read the round before the winner saved — or, with the same Idempotency-Key, gets the
winner's answer; a withdrawal racing a correction is one of the two and a clean 409 for the
other. Never an unhandled error (the route's 500)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from pingyi.catalog import definition
from services.reporting.application import ReportingApplication
from services.reporting.domain import AlreadyWithdrawn, PublicationChanged, ReportingError
from shared.principals import Principal
from shared.settings import CommonSettings, eventsourcing_env

pytestmark = pytest.mark.infra

TRIALS = 20
JURISDICTION = str(uuid4())
OFFICE = Principal(uuid4(), "县纠风办", "office", UUID(JURISDICTION))


@pytest.fixture
def replicas(production_settings: CommonSettings) -> Iterator[list[ReportingApplication]]:
    with psycopg.connect(production_settings.database_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS reporting")  # as the service's views do
    env = eventsourcing_env(production_settings, "reporting", None)
    apps = []
    for _ in range(2):
        app = definition("reporting").open_application(dict(env))
        assert isinstance(app, ReportingApplication)
        apps.append(app)
    yield apps
    for app in apps:
        app.close()


def final_run(campaign_id: UUID) -> dict[str, Any]:
    """A final run of round 1 as the `round_results` view holds it (what publish reads)."""
    return {
        "run_id": str(uuid4()),
        "campaign_id": str(campaign_id),
        "round": 1,
        "jurisdiction_id": JURISDICTION,
        "final": True,
        "results_digest": "sha256:" + uuid4().hex * 2,
        "scheme": {"scheme_id": "s", "version": 1, "scheme_hash": "sha256:" + "ab" * 32},
    }


def released(run: dict[str, Any], byte: str) -> Any:
    """What the route releases: the run, a snapshot digest, and the run as the round's
    latest final (as each replica's view would have it when it read the run)."""
    return lambda: (run, "sha256:" + byte * 32, run["run_id"])


def race(
    apps: list[ReportingApplication], campaign_id: UUID, runs: list[dict[str, Any]]
) -> list[Any]:
    """Both replicas publish at once; each outcome is (version, created) or the error."""
    barrier = threading.Barrier(len(apps))
    outcomes: list[Any] = [None] * len(apps)

    def publish(index: int) -> None:
        barrier.wait()
        try:
            answer = apps[index].publish(
                OFFICE, campaign_id, 1, released(runs[index], "cd"), "复核后发布"
            )
            outcomes[index] = (answer["body"], answer["status_code"] == 201)
        except PublicationChanged as error:
            outcomes[index] = error

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_the_same_run_published_by_two_replicas_is_one_version(
    replicas: list[ReportingApplication],
) -> None:
    for _ in range(TRIALS):
        campaign_id = uuid4()
        run = final_run(campaign_id)
        outcomes = race(replicas, campaign_id, [run, run])
        assert sorted(created for _, created in outcomes) == [False, True], outcomes
        assert [version["version"] for version, _ in outcomes] == [1, 1]
        assert {version["run_id"] for version, _ in outcomes} == {run["run_id"]}
        for app in replicas:
            stored = app.publication(campaign_id, 1)
            assert stored is not None
            assert [v["run_id"] for v in stored.versions] == [run["run_id"]]


def test_two_runs_published_at_once_never_make_a_version_nobody_saw(
    replicas: list[ReportingApplication],
) -> None:
    conflicts = trials = 0
    # Threads released together usually collide; on a loaded machine a trial may still run
    # one after the other, so go on (within a bound) until the conflict has been seen.
    while trials < TRIALS or (conflicts == 0 and trials < 10 * TRIALS):
        trials += 1
        campaign_id = uuid4()
        runs = [final_run(campaign_id), final_run(campaign_id)]
        outcomes = race(replicas, campaign_id, runs)
        stored = replicas[0].publication(campaign_id, 1)
        assert stored is not None
        versions = stored.versions
        assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
        failed = [o for o in outcomes if isinstance(o, PublicationChanged)]
        if failed:
            # The loser read nothing or the state before the winner's save: refused, and
            # the round holds the winner's version alone.
            conflicts += 1
            [error] = failed
            assert len(versions) == 1
            assert error.body()["detail"][0]["context"]["run_id"] == versions[0]["run_id"]
            assert error.field == "run_id"
        else:
            # One ran wholly after the other: its publication is the correction (version 2,
            # superseding 1) it asked for with its reason.
            assert [v["supersedes"] for v in versions] == [None, 1]
            assert {v["run_id"] for v in versions} == {r["run_id"] for r in runs}
        created = [o for o in outcomes if not isinstance(o, PublicationChanged)]
        assert all(flag for _, flag in created)
    # Released together, the replicas do collide; a run of only sequential calls would not
    # have tested the conflict at all.
    assert conflicts > 0


CONFLICT_WITHDRAWN = "another withdrawal of this round was saved at the same time"
"""The reason of the `already_withdrawn` the conflict path answers (the command's own says
"already withdrawn"): how a trial tells that the save conflict itself was met."""


def at_once(calls: list[Any]) -> list[Any]:
    """Runs the calls in threads released together; each outcome is the answer or the
    project error it raised. Anything else (what the route would answer 500) fails."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)
    unexpected: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = calls[index]()
        except ReportingError as error:
            outcomes[index] = error
        except BaseException as error:  # reported below, as the route's 500 would be
            unexpected.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == [], unexpected
    return outcomes


def published(app: ReportingApplication) -> tuple[UUID, dict[str, Any]]:
    campaign_id = uuid4()
    run = final_run(campaign_id)
    answer = app.publish(OFFICE, campaign_id, 1, released(run, "cd"), None)
    assert answer["status_code"] == 201
    return campaign_id, run


def withdrawal(
    app: ReportingApplication, campaign_id: UUID, reason: str, key: str | None = None
) -> Any:
    request = {"reason": reason}
    return lambda: app.withdraw(OFFICE, campaign_id, 1, reason, key=key, request=request)


def publication(
    app: ReportingApplication,
    campaign_id: UUID,
    run: dict[str, Any],
    reason: str | None,
    key: str | None = None,
) -> Any:
    request = {"run_id": run["run_id"], "reason": reason}
    return lambda: app.publish(
        OFFICE,
        campaign_id,
        1,
        released(run, "ef"),
        reason,
        key=key,
        request=request,
    )


def withdrawals_stored(app: ReportingApplication, campaign_id: UUID) -> int:
    return sum(
        type(event).__name__ == "Withdrawn"
        for event in app.repository.event_store.get(app.publication(campaign_id, 1).id)  # type: ignore[union-attr]
    )


def test_two_replicas_withdrawing_at_once_make_one_withdrawal(
    replicas: list[ReportingApplication],
) -> None:
    conflicts = trials = 0
    while trials < TRIALS or (conflicts == 0 and trials < 10 * TRIALS):
        trials += 1
        campaign_id, run = published(replicas[0])
        reasons = ["误将未经审定的结果发布", "发布早于约定时间"]
        pairs = zip(replicas, reasons, strict=True)
        outcomes = at_once([withdrawal(app, campaign_id, reason) for app, reason in pairs])
        answers = [o for o in outcomes if isinstance(o, dict)]
        refused = [o for o in outcomes if isinstance(o, ReportingError)]
        assert len(answers) == 1 and len(refused) == 1, outcomes
        [won], [lost] = answers, refused
        assert won["status_code"] == 201 and won["body"]["status"] == "withdrawn"
        assert won["body"]["run_id"] == run["run_id"]
        # The loser is a clean 409 naming the round and the withdrawal that won.
        assert isinstance(lost, AlreadyWithdrawn) and lost.status_code == 409, lost
        detail = lost.body()["detail"][0]
        assert detail["field"] == "path.round_number"
        assert detail["context"]["withdrawal_reason"] == won["body"]["reason"]
        conflicts += CONFLICT_WITHDRAWN in lost.reason
        for app in replicas:
            stored = app.publication(campaign_id, 1)
            assert stored is not None and stored.withdrawn is not None
            assert stored.withdrawals == [stored.withdrawn]
            assert withdrawals_stored(app, campaign_id) == 1
    # Released together the replicas do collide: the save conflict's path was taken.
    assert conflicts > 0


def test_the_same_keyed_withdrawal_on_two_replicas_answers_the_winners_answer(
    replicas: list[ReportingApplication],
) -> None:
    for _ in range(TRIALS):
        campaign_id, _run = published(replicas[0])
        key = str(uuid4())
        outcomes = at_once(
            [withdrawal(app, campaign_id, "误将未经审定的结果发布", key) for app in replicas]
        )
        # A client's retry sent to the other replica: both get the one withdrawal's answer.
        assert all(isinstance(o, dict) for o in outcomes), outcomes
        assert [o["status_code"] for o in outcomes] == [201, 201]
        assert outcomes[0]["body"] == outcomes[1]["body"]
        assert withdrawals_stored(replicas[1], campaign_id) == 1


def test_a_withdrawal_racing_a_correction_is_one_or_the_other(
    replicas: list[ReportingApplication],
) -> None:
    for _ in range(TRIALS):
        campaign_id, _run = published(replicas[0])
        correction = final_run(campaign_id)
        outcomes = at_once(
            [
                publication(replicas[0], campaign_id, correction, "补录漏报问卷，更正排名"),
                withdrawal(replicas[1], campaign_id, "误将未经审定的结果发布"),
            ]
        )
        stored = replicas[0].publication(campaign_id, 1)
        assert stored is not None
        for outcome in outcomes:
            if isinstance(outcome, ReportingError):
                assert outcome.status_code == 409, outcome
                assert outcome.code in {"publication_changed", "already_withdrawn"}, outcome
        corrected, withdrawn = (not isinstance(o, ReportingError) for o in outcomes)
        assert corrected or withdrawn
        # What was answered is what the round holds, in some order of the two.
        assert (stored.versions[-1]["run_id"] == correction["run_id"]) == corrected
        assert len(stored.withdrawals) == int(withdrawn)


def test_the_same_keyed_publication_on_two_replicas_answers_the_winners_answer(
    replicas: list[ReportingApplication],
) -> None:
    for _ in range(TRIALS):
        campaign_id = uuid4()
        run = final_run(campaign_id)
        key = str(uuid4())
        outcomes = at_once([publication(app, campaign_id, run, None, key) for app in replicas])
        assert [o["status_code"] for o in outcomes] == [201, 201], outcomes
        assert outcomes[0]["body"] == outcomes[1]["body"]
        stored = replicas[1].publication(campaign_id, 1)
        assert stored is not None and len(stored.versions) == 1
