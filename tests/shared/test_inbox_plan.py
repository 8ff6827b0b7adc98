from shared.messaging.inbox import plan_batch
from tests.shared.messages import chain, unit_message


def test_fresh_consumer_applies_a_chain_from_the_start() -> None:
    plan = plan_batch(None, chain(1, 3, 4))
    assert [m.position for m in plan.to_apply] == [1, 3, 4]
    assert plan.gap_index is None


def test_positions_already_applied_are_duplicates() -> None:
    plan = plan_batch(3, chain(1, 3, 4))
    assert [m.position for m in plan.duplicates] == [1, 3]
    assert [m.position for m in plan.to_apply] == [4]


def test_a_missing_message_is_a_gap_not_a_skip() -> None:
    # 5 was published after 3, but the consumer has only seen 1.
    messages = [unit_message(5, 3), unit_message(6, 5)]
    plan = plan_batch(1, messages)
    assert plan.to_apply == []
    assert plan.gap_after == 1
    assert plan.gap_index == 0


def test_fresh_consumer_that_misses_the_first_message_sees_a_gap() -> None:
    plan = plan_batch(None, [unit_message(2, 1)])
    assert plan.gap_index == 0 and plan.to_apply == []


def test_gap_in_the_middle_keeps_what_came_before() -> None:
    messages = [*chain(1, 2), unit_message(9, 7)]
    plan = plan_batch(None, messages)
    assert [m.position for m in plan.to_apply] == [1, 2]
    assert plan.gap_index == 2 and plan.gap_after == 2
