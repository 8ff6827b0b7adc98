"""Ranking order and run supersession, applied through the view inbox as the consumer does."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from services.reporting.ranking import pinyin_key
from services.reporting.views import RANKINGS, RANKINGS_VIEW, RankingsView, ranking_key
from shared.contracts import IntegrationMessage
from shared.contracts.scoring import ScoreComputed
from shared.messaging.inbox import plan_batch
from shared.views import MemoryViewStore, ViewStore
from tests.reporting.helpers import GOV, PUBLIC, ScoringLog, computed, unit


@pytest.fixture
def views() -> Iterator[ViewStore]:
    store = MemoryViewStore()
    store.setup()
    yield store
    store.close()


class Scoring:
    """Delivers ScoreComputed messages to reporting's scoring inbox, in log order."""

    def __init__(self, views: ViewStore) -> None:
        self.views = views
        self.log = ScoringLog()

    def deliver(self, *payloads: ScoreComputed) -> list[IntegrationMessage]:
        messages = [self.log.message(p) for p in payloads]
        self.apply(messages)
        return messages

    def apply(self, messages: list[IntegrationMessage]) -> None:
        inbox = RANKINGS_VIEW.inbox(self.views, "scoring")
        plan = plan_batch(inbox.last_position("scoring"), messages)
        assert plan.gap_index is None
        inbox.apply("scoring", plan.to_apply)


@pytest.fixture
def scoring(views: ViewStore) -> Scoring:
    return Scoring(views)


def ranked(views: ViewStore, wave_id: UUID, category: str = GOV) -> list[tuple[int | None, str]]:
    rankings = RankingsView(views)
    wave = rankings.wave(str(wave_id))
    assert wave is not None
    doc = rankings.category(wave, category)
    assert doc is not None
    return [(e["rank"], e["unit_name"]) for e in doc["entries"]]


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    results = [
        unit("教育局", "85.00"),
        unit("公安局", "91.50"),
        unit("民政局", "85.0"),  # the same number written differently is still a tie
        unit("财政局", "80.25"),
    ]
    scoring.deliver(computed(wave, results))
    assert ranked(views, wave) == [(1, "公安局"), (2, "教育局"), (2, "民政局"), (4, "财政局")]


def test_satisfaction_rate_then_valid_count_break_score_ties(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    results = [
        unit("甲局", "88.00", rate="0.8000", valid=100),
        unit("乙局", "88.00", rate="0.9500", valid=50),
        unit("丙局", "88.00", rate="0.9500", valid=120),
        unit("丁局", "88.00", rate=None, valid=300),
    ]
    scoring.deliver(computed(wave, results))
    assert ranked(views, wave) == [(1, "丙局"), (2, "乙局"), (3, "甲局"), (4, "丁局")]


def test_ties_are_listed_in_pinyin_order_and_unscored_units_come_last_without_rank(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    results = [
        unit("郑州局", None),
        unit("郑州站", "70.00"),
        unit("北京站", "70.00"),
        unit("安阳局", None),
        unit("安阳站", "70.00"),
        unit("北京局", "95.00"),
    ]
    scoring.deliver(computed(wave, results))
    assert ranked(views, wave) == [
        (1, "北京局"),
        (2, "安阳站"),
        (2, "北京站"),
        (2, "郑州站"),
        (None, "安阳局"),
        (None, "郑州局"),
    ]


def test_identical_names_fall_back_to_unit_id(scoring: Scoring, views: ViewStore) -> None:
    wave = uuid4()
    low, high = UUID(int=1), UUID(int=2)
    scoring.deliver(
        computed(wave, [unit("税务所", "80", unit_id=high), unit("税务所", "80", unit_id=low)])
    )
    doc = RankingsView(views).categories(RankingsView(views).wave(str(wave)) or {})[0]
    assert [e["unit_id"] for e in doc["entries"]] == [str(low), str(high)]


def test_pinyin_order_of_chinese_names() -> None:
    names = ["郑州", "北京", "安阳", "漯河", "孟州", "重庆", "长沙"]
    assert sorted(names, key=pinyin_key) == ["安阳", "北京", "长沙", "重庆", "漯河", "孟州", "郑州"]


def test_categories_are_kept_apart_and_listed_in_pinyin_order(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    results = [
        unit("市教育局", "90", category=GOV),
        unit("中国移动漯河分公司", "85", category=PUBLIC),
        unit("国网漯河供电公司", "85.5", category=PUBLIC),
    ]
    scoring.deliver(computed(wave, results))
    doc = RankingsView(views).wave(str(wave))
    assert doc is not None
    assert doc["categories"] == [PUBLIC, GOV]  # gong before zheng
    assert ranked(views, wave, PUBLIC) == [(1, "国网漯河供电公司"), (2, "中国移动漯河分公司")]
    assert ranked(views, wave, GOV) == [(1, "市教育局")]


def test_document_says_what_the_ranking_was_computed_from(
    scoring: Scoring, views: ViewStore
) -> None:
    wave, jurisdiction = uuid4(), uuid4()
    payload = computed(wave, [unit("教育局", "85")], final=True, jurisdiction_id=jurisdiction)
    [message] = scoring.deliver(payload)
    rankings = RankingsView(views)
    doc = rankings.category(rankings.wave(str(wave)) or {}, GOV)
    assert doc is not None
    assert doc["run_id"] == str(payload.run_id)
    assert doc["final"] is True
    assert doc["scheme"] == payload.scheme.model_dump()
    assert doc["upstream_positions"] == {"survey": 42, "registry": 17}
    assert doc["inputs_digest"] == payload.inputs_digest
    assert doc["results_digest"] == payload.results_digest
    assert doc["jurisdiction_id"] == str(jurisdiction)
    assert doc["wave_name"] == payload.wave_name
    assert doc["position"] == message.position
    assert doc["entries"][0]["result_digest"] == payload.results[0].result_digest


def test_a_later_run_replaces_the_current_ranking_but_keeps_the_old_one(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    first = computed(wave, [unit("教育局", "80"), unit("公安局", "70", category=PUBLIC)])
    second = computed(wave, [unit("教育局", "60"), unit("民政局", "75")])
    scoring.deliver(first, second)
    doc = RankingsView(views).wave(str(wave))
    assert doc is not None
    assert doc["run_id"] == str(second.run_id)
    assert doc["categories"] == [GOV]  # the category the new run no longer has is gone
    assert ranked(views, wave) == [(1, "民政局"), (2, "教育局")]
    old = views.get(RANKINGS, ranking_key(str(wave), str(first.run_id), PUBLIC))
    assert old is not None and old["entries"][0]["unit_name"] == "公安局"
    assert [r["run_id"] for r in doc["runs"]] == [str(first.run_id), str(second.run_id)]


def test_final_supersedes_provisional_and_provisional_never_replaces_final(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    provisional = computed(wave, [unit("教育局", "80")])
    final = computed(wave, [unit("教育局", "82")], final=True)
    late = computed(wave, [unit("教育局", "10")])
    scoring.deliver(provisional, final)
    scoring.deliver(late)
    doc = RankingsView(views).wave(str(wave))
    assert doc is not None
    assert (doc["run_id"], doc["final"]) == (str(final.run_id), True)
    category = RankingsView(views).category(doc, GOV)
    assert category is not None and category["entries"][0]["score"] == "82"
    assert [(r["run_id"], r["published"]) for r in doc["runs"]] == [
        (str(provisional.run_id), True),
        (str(final.run_id), True),
        (str(late.run_id), False),
    ]
    assert views.get(RANKINGS, ranking_key(str(wave), str(late.run_id), GOV)) is None


def test_a_corrected_final_run_replaces_the_earlier_final(
    scoring: Scoring, views: ViewStore
) -> None:
    wave = uuid4()
    scoring.deliver(computed(wave, [unit("教育局", "82")], final=True))
    corrected = computed(wave, [unit("教育局", "79")], final=True)
    scoring.deliver(corrected)
    doc = RankingsView(views).wave(str(wave))
    assert doc is not None and doc["run_id"] == str(corrected.run_id)


def test_redelivery_changes_nothing(scoring: Scoring, views: ViewStore) -> None:
    wave = uuid4()
    messages = scoring.deliver(computed(wave, [unit("教育局", "80")]))
    before = RankingsView(views).wave(str(wave))
    inbox = RANKINGS_VIEW.inbox(views, "scoring")
    plan = plan_batch(inbox.last_position("scoring"), messages)
    assert plan.to_apply == [] and plan.duplicates == messages
    inbox.apply("scoring", messages)  # even applied blindly, the recorded position skips it
    assert RankingsView(views).wave(str(wave)) == before
    assert inbox.last_position("scoring") == messages[-1].position


def test_waves_are_ranked_independently(scoring: Scoring, views: ViewStore) -> None:
    one, two = uuid4(), uuid4()
    scoring.deliver(
        computed(one, [unit("教育局", "80")], final=True), computed(two, [unit("公安局", "90")])
    )
    assert ranked(views, one) == [(1, "教育局")]
    assert ranked(views, two) == [(1, "公安局")]
    assert {w["wave_id"] for w in RankingsView(views).waves()} == {str(one), str(two)}
