from typing import Any

from shared.messaging.inbox import combine_handlers


def test_handlers_for_one_contract_all_run_in_table_order() -> None:
    calls: list[str] = []

    def first(*_: Any) -> None:
        calls.append("first")

    def second(*_: Any) -> None:
        calls.append("second")

    def other(*_: Any) -> None:
        calls.append("other")

    table = combine_handlers({int: first, str: other}, {int: second})
    table[int](None, None, None)
    table[str](None, None, None)
    assert calls == ["first", "second", "other"]
