"""How `pingyi verify-draw` words its rows (`draw_verify`): Chinese first, for the offices
and auditors who read them, and the English after it whole, as it always read (a script that
matched the English still finds it). Whether a check passed is `Check.passed`, never these
words."""

from __future__ import annotations


def said(chinese: str, english: str) -> str:
    """Chinese first, the English after it whole in brackets (`pingyi.audit_words.said`, which
    a service may not import)."""
    return f"{chinese} ({english})"


NAMES = {
    "revealed": "种子公布",
    "commitment": "种子承诺",
    "order": "先后顺序",
    "pool digest": "名单摘要",
    "pool eligibility": "名单资格",
    "exclusions": "取消资格",
    "draw": "抽取",
    "published copy": "发布的副本",
}
"""Each check's name in Chinese; `Check.name` stays the English, which picks a check out."""

PASSED = said("通过", "PASS")
FAILED = said("未通过", "FAIL")
"""A check's result; the command counts `Check.passed`."""

NOT_RERUN = "无法重新抽取 cannot be re-run:"
"""How a draw that cannot be re-run is said; the domain's reason after it."""
