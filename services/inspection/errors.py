"""What every inspection area shares to refuse a request: the service's error base, its
uniformly worded 404s, and the check of the text a command stores. Each area derives its own
errors from these (a task's `InvalidTask`, a complaint's `ComplaintNotFound`…).

Apart from the finding aggregate (`domain`), so an area's rules need not load it to refuse;
import them from here. A unit unknown is the kernel's 404 (`shared.policy.UnitNotFound`,
raised by the resolver of a route's unit scope), in the same words."""

from __future__ import annotations

from typing import Any, ClassVar

from shared.errors import NotFoundError, PingyiError


class InspectionError(PingyiError):
    """Base of every inspection domain error."""


class InspectionNotFound(InspectionError, NotFoundError):
    """Every inspection 404 reads alike: code `<thing>_not_found`, reason
    "没有这<量词><物> (no such <thing>)", and the field that named it. Subclasses say only
    what the thing is, in both languages, so no route words its answer its own way. The
    words are survey's ("没有这次评议活动 (no such campaign)"), so a campaign, unit or
    jurisdiction unknown reads the same whichever service answers it."""

    thing: ClassVar[str]
    thing_zh: ClassVar[str]
    measure: ClassVar[str] = "个"
    """The thing's measure word: 次 for an occasion (a campaign, a visit), 份 for a
    document, 条 for an entry, 项 for a decision or a task, 件 for a complaint."""

    def __init__(self, *, field: str | None = None, **context: Any) -> None:
        reason = f"没有这{self.measure}{self.thing_zh} (no such {self.thing})"
        super().__init__(reason, field=field, **context)


class CampaignNotFound(InspectionNotFound):
    code = "campaign_not_found"
    thing = "campaign"
    thing_zh = "评议活动"
    measure = "次"


class FindingNotFound(InspectionNotFound):
    code = "finding_not_found"
    thing = "finding"
    thing_zh = "问题记录"
    measure = "条"


def checked_text(value: str, field: str, limit: int, error: type[InspectionError]) -> str:
    """Text a command stores: stripped, not blank, at most `limit` characters; every
    inspection area checks its text with this, raising its own error."""
    cleaned = value.strip()
    if not cleaned:
        raise error("不能为空 (must not be blank)", field=field)
    if len(cleaned) > limit:
        raise error(f"不能超过 {limit} 个字 (must be at most {limit} characters)", field=field)
    return cleaned
