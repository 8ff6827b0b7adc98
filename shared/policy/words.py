"""What a scope refusal says, in the words of the API's users.

A scope's kind (`wave_points`, `progress_wave`, `round_run`…) is the name a route declares
and a resolver is registered under: an internal identifier, which a 403 once read back to
the caller ("only the agency keys this wave_points names…"). A refusal names the thing in
its plain name instead, and says who may act on it in the words of the role it concerns.
The kernel names its own kinds here; each service names its kinds beside the resolvers it
registers (`ServiceDefinition.scope_nouns`, checked when the service is defined), and
tests/shared/test_scope_words.py walks every kind a route declares.

A refusal reads Chinese first, the English after it (`shared.access_words`): the Chinese
for each noun is here, under the noun a service declares, so a service names a kind once
and the kernel words it in both languages (the test checks every declared noun has it)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.access_words import role_word

KERNEL_NOUNS: dict[str, str] = {"jurisdiction": "jurisdiction", "unit": "unit"}
"""The kernel's own scope kinds (`KERNEL_RESOLVERS`) -> the thing each names; a service
names its own beside its resolvers (`ServiceDefinition.scope_nouns`)."""

UNNAMED = "record"
"""What a kind named nowhere is called: never its identifier."""

CHINESE_NOUNS: dict[str, str] = {
    "record": "记录",
    "jurisdiction": "辖区",
    "unit": "单位",
    "campaign": "评议活动",
    "survey wave": "测评批次",
    "questionnaire template": "问卷模板",
    "scoring run": "计分",
    "inspection finding": "问题记录",
    "inspection visit": "督查走访",
    "supervised task": "督办任务",
    "rectification order": "整改通知",
    "assessment score": "考核评分",
    "veto": "一票否决",
    "complaint": "投诉",
    "API key": "API 密钥",
    "evaluation representative": "评议代表",
    "panel draw": "代表抽取",
    "appointing body": "选派单位",
}
"""A noun (the kernel's or a service's `scope_nouns` value) -> its Chinese."""

PARTIES: dict[str, str] = {
    "agency": (
        "只有获准承担此{zh}的测评机构可以操作 "
        "(only the agencies accredited to this {thing} may act on it)"
    ),
    "unit": (
        "只有此{zh}所列单位的密钥可以操作 (only the unit keys named on this {thing} may act on it)"
    ),
}
"""Who may act on a target that names its parties, per role (`ScopeTarget.parties`)."""

OTHER_PARTIES = (
    "只有此{zh}所列{role_zh}的密钥可以操作 "
    "(only the {role} keys named on this {thing} may act on it)"
)


def noun(kind: str, service_nouns: Mapping[str, str]) -> str:
    """What a target of `kind` is called: the service's noun, the kernel's, else a record."""
    return service_nouns.get(kind) or KERNEL_NOUNS.get(kind, UNNAMED)


def chinese_noun(thing: str) -> str:
    """`thing` (a noun) in Chinese; a noun without one is a record (记录), never English."""
    return CHINESE_NOUNS.get(thing, CHINESE_NOUNS[UNNAMED])


def only_parties(role: str, thing: str) -> str:
    """Why a caller of `role` who is not a party to `thing` (a noun) is refused."""
    return PARTIES.get(role, OTHER_PARTIES).format(
        role=role, thing=thing, role_zh=role_word(role), zh=chinese_noun(thing)
    )
