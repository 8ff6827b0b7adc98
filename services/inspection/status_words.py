"""The Chinese words for the states of inspection's records, for the reasons people read.

A state conflict's reason names the state the record is in; the code (`reported`) stays in
the English part and in the record's `status`, while the Chinese part reads as an office
writes it (已报送), so a refusal is never half in English where an office reads it."""

from __future__ import annotations

STATUS_WORDS: dict[str, str] = {
    # rectification orders
    "issued": "已下发",
    "reported": "已报送",
    "returned": "已退回",
    "second_handling": "二次办理",
    "accepted": "已通过",
    "withdrawn": "已撤销",
    # findings and assessment scores (`withdrawn` as above), vetoes
    "active": "有效",
    "revoked": "已撤销",
    # visits
    "planned": "计划中",
    "conducted": "已实施",
    "cancelled": "已取消",
    # supervised tasks (as reporting's bulletins name them)
    "started": "已交办",
    "in_progress": "推进中",
    "completed": "已办结",
    # complaints
    "received": "已受理",
    "dispatched": "已交办",
    "replied": "已答复",
    "concluded": "已办结",
    "closed": "已回访结案",
}


def status_word(status: str) -> str:
    """The Chinese word for a state; a state without one is shown as its code."""
    return STATUS_WORDS.get(status, status)
