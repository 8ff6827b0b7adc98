"""A withdrawn rectification order (`inspection.rectification.withdrawn`, an order issued in
error) is as never issued: the round folds and scores as if none of its messages had been
published. A log without a withdrawal folds exactly as it did before withdrawals existed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.scoring.engine.compute import compute_round
from services.scoring.engine.fold import RoundFold
from services.scoring.engine.inputs import RoundInputs
from services.scoring.engine.scheme import Scheme
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.inspection_rectification import (
    RectificationEscalated,
    RectificationOrdered,
    RectificationReported,
    RectificationRerated,
    RectificationVerified,
    RectificationWithdrawn,
)

from .test_fold_builders import (
    ACTOR,
    CAMPAIGN,
    CITY,
    PUBLIC,
    ROUND,
    Feed,
    campaign_opened,
    enrol,
    sid,
    uid,
    unit,
)
from .test_fold_world import World, world

WORLD_ORDER = "order:市供电公司"
"""The world's one order (issued, reported, returned twice, 催办, 通报, re-rated)."""

WORLD_ORDER_FACT = {
    "order_id": sid(WORLD_ORDER),
    "status": "second_handling",
    "escalations": ["催办", "通报"],
    "second_handling": True,
    "rerating": "基本满意",
}
"""The order as its last message left it, worked out by hand from the world's messages
(test_fold_world_inspection): nothing about withdrawals in it."""


def fold(messages: list[IntegrationMessage]) -> RoundInputs:
    round_fold = RoundFold(str(CAMPAIGN), ROUND)
    for message in messages:
        round_fold.apply(message)
    return round_fold.inputs()


def _without_the_order() -> World:
    """The world whose log never carried the order (its messages dropped, positions kept)."""
    never = world()
    never.inspection.messages = [
        m for m in never.inspection.messages if m.payload.get("order_id") != sid(WORLD_ORDER)
    ]
    return never


def test_a_log_without_a_withdrawal_folds_exactly_as_before() -> None:
    """Stored runs replay as computed only if reading withdrawals changed nothing for a log
    that has none. Derived rather than pinned: the world folds to the world without its
    order plus that order's hand-worked fact, and to nothing more (the document has exactly
    the sections `RoundInputs` declares, so no withdrawal bookkeeping shows in it)."""
    folded = fold(world().in_order())
    assert folded["rectification"][sid("市供电公司")] == [WORLD_ORDER_FACT]
    assert set(folded) == RoundInputs.__required_keys__ | RoundInputs.__optional_keys__
    never = fold(_without_the_order().in_order())
    never["rectification"][sid("市供电公司")] = [WORLD_ORDER_FACT]
    assert canonical_json(folded) == canonical_json(never)


def test_a_withdrawal_of_an_order_the_log_never_carried_changes_nothing() -> None:
    """A withdrawal only removes its own order: one naming an order the round never saw
    (another round's, or one folded elsewhere) leaves the document byte for byte."""
    stray = world()
    stray.inspection(_withdrawal("order:未见于本轮", "市供电公司", 2))
    assert canonical_json(fold(stray.in_order())) == canonical_json(fold(world().in_order()))


def _withdrawal(order: str, unit_name: str, version: int, **facts: Any) -> RectificationWithdrawn:
    return RectificationWithdrawn(
        order_id=uid(order),
        unit_id=uid(unit_name),
        jurisdiction_id=CITY,
        finding_ids=(uid("finding:B"),),
        deadline=date(2024, 10, 15),
        withdrawn_from="second_handling",
        reason="整改通知书误发",
        withdrawn_on=date(2024, 11, 6),
        actor=ACTOR,
        version=version,
        **facts,
    )


def test_the_worlds_order_withdrawn_folds_as_if_never_issued() -> None:
    """The world with its order withdrawn at the end of inspection's log folds to the world
    whose log never carried the order at all (its messages dropped, positions kept)."""
    withdrawn = world()
    withdrawn.inspection(_withdrawal(WORLD_ORDER, "市供电公司", 7))
    folded = fold(withdrawn.in_order())
    assert folded["rectification"][sid("市供电公司")] == []
    assert canonical_json(folded) == canonical_json(fold(_without_the_order().in_order()))
    assert canonical_json(folded) != canonical_json(fold(world().in_order()))


def test_nothing_after_a_withdrawal_revives_the_order() -> None:
    """Inspection publishes nothing after a withdrawal; a fold that met a message for the
    order anyway (a log written by some other producer) still leaves the order out."""
    late = world()
    late.inspection(_withdrawal(WORLD_ORDER, "市供电公司", 7))
    late.inspection(
        _order(
            RectificationEscalated,
            WORLD_ORDER,
            "市供电公司",
            "second_handling",
            8,
            step="约谈",
            reason="逾期",
            escalated_on=date(2024, 11, 20),
        )
    )
    assert fold(late.in_order())["rectification"][sid("市供电公司")] == []


# -- a round scored with and without a withdrawal -------------------------------------------

POLICE, POWER = "市公安局", "市供电公司"

SCHEME = Scheme.from_document(
    {
        "scheme_id": "test-rectification",
        "version": 1,
        "title": "测试：整改落实",
        "components": [
            {
                "code": "rectification",
                "source": "tally",
                "name": "整改落实",
                "weight": "1",
                "base": 100,
                "formula": "基础分100分，减去整改通知、催办通报约谈和整改不满意的扣分",
                "rules": [
                    {
                        "code": "orders",
                        "source": "rectification",
                        "name": "整改通知",
                        "per_status": {"issued": "5"},
                        "per_escalation": {"催办": "2", "通报": "5", "约谈": "10"},
                        "per_rerating": {"不满意": "10"},
                        "formula": "未报送整改情况的通知每件扣5分，催办2分、通报5分、约谈10分",
                    }
                ],
            }
        ],
        "grading": {
            "grades": ["合格", "不合格"],
            "rules": [{"grade": "合格", "name": "不低于80分", "when": {"min_score": "80"}}],
            "otherwise": "不合格",
        },
        "lists": [{"code": "interview", "name": "约谈", "when": {"escalation": ["约谈"]}}],
    }
)


def _order(
    contract: Any,
    order: str,
    unit_name: str,
    status: str,
    version: int,
    **facts: Any,
) -> IntegrationPayload:
    built: IntegrationPayload = contract(
        order_id=uid(order),
        unit_id=uid(unit_name),
        jurisdiction_id=CITY,
        finding_ids=(uid("finding:" + order),),
        deadline=date(2024, 9, 30),
        status=status,
        actor=ACTOR,
        version=version,
        campaign_id=CAMPAIGN,
        round=ROUND,
        **facts,
    )
    return built


def _issued(order: str, unit_name: str) -> IntegrationPayload:
    return _order(
        RectificationOrdered,
        order,
        unit_name,
        "issued",
        1,
        issued_on=date(2024, 9, 16),
        working_days=10,
        requirements="限期整改",
    )


def _escalated(order: str, unit_name: str, version: int, step: str) -> IntegrationPayload:
    return _order(
        RectificationEscalated,
        order,
        unit_name,
        "issued",
        version,
        step=step,
        reason="逾期未报送",
        escalated_on=date(2024, 10, 8),
    )


def _scored(with_withdrawal: bool) -> dict[str, Any]:
    registry, inspection = Feed("registry"), Feed("inspection", step=3)
    for payload in (
        unit(POLICE),
        unit(POWER, PUBLIC),
        campaign_opened(),
        enrol(POLICE),
        enrol(POWER, PUBLIC),
    ):
        registry(payload)
    inspection(_issued("A1", POLICE))
    for version, step in ((2, "催办"), (3, "通报"), (4, "约谈")):
        inspection(_escalated("A1", POLICE, version, step))
    inspection(_issued("A2", POLICE))
    inspection(
        _order(
            RectificationReported,
            "A2",
            POLICE,
            "reported",
            2,
            text="已整改",
            reported_on=date(2024, 9, 20),
        )
    )
    inspection(
        _order(
            RectificationVerified,
            "A2",
            POLICE,
            "accepted",
            3,
            outcome="accepted",
            reason="整改到位",
            verified_on=date(2024, 9, 23),
            second_handling=False,
        )
    )
    inspection(
        _order(
            RectificationRerated,
            "A2",
            POLICE,
            "accepted",
            4,
            rating="满意",
            raters="投诉人",
            reason="回访",
            rated_on=date(2024, 9, 25),
        )
    )
    inspection(_issued("B1", POWER))
    inspection(_escalated("B1", POWER, 2, "催办"))
    if with_withdrawal:
        inspection(
            RectificationWithdrawn(
                order_id=uid("A1"),
                unit_id=uid(POLICE),
                jurisdiction_id=CITY,
                finding_ids=(uid("finding:A1"),),
                deadline=date(2024, 9, 30),
                withdrawn_from="issued",
                reason="问题不属于该单位，通知书误发",
                withdrawn_on=date(2024, 10, 9),
                actor=ACTOR,
                version=5,
                campaign_id=CAMPAIGN,
                round=ROUND,
            )
        )
    return compute_round(SCHEME, fold(registry.messages + inspection.messages))


def _standing(results: dict[str, Any], unit_name: str) -> tuple[Any, ...]:
    [found] = [u for u in results["units"] if u["unit_id"] == sid(unit_name)]
    return found["score"], found["grade"]


def test_a_round_scored_with_and_without_the_withdrawal() -> None:
    """Scheme: 100 less 5 per order owing a report (issued), 2 per 催办, 5 per 通报, 10 per
    约谈, 10 per fix re-rated 不满意; 合格 at 80 or more; the 约谈 list names every unit an
    order of which was escalated to 约谈.

    Without the withdrawal:
      市公安局: A1 issued, 催办, 通报, 约谈: 5 + 2 + 5 + 10 = 22; A2 accepted, re-rated 满意:
        0. 100 − 22 = 78.00 → 不合格, and on the 约谈 list.
      市供电公司: B1 issued, 催办: 5 + 2 = 7. 100 − 7 = 93.00 → 合格.
    With A1 withdrawn (issued in error, after its three escalations):
      市公安局: A1 counts for nothing, status nor escalations; A2 still 0. 100.00 → 合格,
        off the 约谈 list.
      市供电公司: unchanged, 93.00 → 合格.
    """
    before, after = _scored(with_withdrawal=False), _scored(with_withdrawal=True)
    assert _standing(before, POLICE) == ("78.00", "不合格")
    assert _standing(before, POWER) == ("93.00", "合格")
    assert before["lists"]["interview"] == [sid(POLICE)]
    assert _standing(after, POLICE) == ("100.00", "合格")
    assert _standing(after, POWER) == ("93.00", "合格")
    assert after["lists"]["interview"] == []
