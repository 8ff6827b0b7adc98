"""Reporting's error base, every error it answers with, and the reasons it gives.

Every reason is Chinese first, English after (`没有这次评议活动 (no such campaign)`), as the
other services word theirs: the offices and the public who meet them read Chinese, and the
English keeps what a developer searches for. A reason said in more than one place is named
here once, so two routes never word the same refusal two ways."""

from __future__ import annotations

from pathlib import Path

from shared.errors import (
    ConflictError,
    InvalidError,
    NotFoundError,
    PingyiError,
    UnavailableError,
)


class ReportingError(PingyiError):
    """Base of every reporting domain error."""


class RoundRunNotFound(ReportingError, NotFoundError):
    code = "round_run_not_found"


class RoundNotFound(ReportingError, NotFoundError):
    """A round number past the campaign's rounds (as scoring answers it)."""

    code = "round_not_found"


class RoundNotScored(ReportingError, NotFoundError):
    code = "round_not_scored"


class NotPublished(ReportingError, NotFoundError):
    code = "not_published"


class CategoryNotFound(ReportingError, NotFoundError):
    code = "category_not_found"


class CampaignNotFound(ReportingError, NotFoundError):
    code = "campaign_not_found"


class WaveNotFound(ReportingError, NotFoundError):
    code = "wave_not_found"


class JurisdictionNotFound(ReportingError, NotFoundError):
    """Answered alike by every route that names a jurisdiction: an auditor, whom no scope
    stops, must not read an empty report of a jurisdiction that does not exist."""

    code = "jurisdiction_not_found"


class RunNotFinal(ReportingError, ConflictError):
    """Only a round result an office declared final may be published."""

    code = "run_not_final"


class RunReplaced(ReportingError, ConflictError):
    """A final run that a later final of the round replaced: no longer the round's result."""

    code = "run_replaced"


class ScoringNotCaughtUp(ReportingError, UnavailableError):
    """Reporting could not make sure, within its bound, that it has seen every final run of
    scoring's as of the request: publishing then might release a run replaced since."""

    code = "scoring_not_caught_up"
    retry_after = 5


class DigestMismatch(ReportingError, ConflictError):
    code = "results_digest_mismatch"


class PublicationChanged(ReportingError, ConflictError):
    """Another publication of the round was saved between reading it and saving this one
    (another replica, or another office), and it is not the run asked for: publishing on
    top of it would be a correction the caller never saw the grounds for."""

    code = "publication_changed"


class NothingToWithdraw(ReportingError, ConflictError):
    """Only results in public view can be withdrawn."""

    code = "nothing_to_withdraw"


class AlreadyWithdrawn(ReportingError, ConflictError):
    code = "already_withdrawn"


class PublicationWithdrawn(ReportingError):
    """What every public read of withdrawn results answers: they were public, so the public
    is told they were taken back, when and why, rather than that they never existed."""

    status_code = 410
    code = "publication_withdrawn"


class RunOfAnotherRound(ReportingError, InvalidError):
    code = "run_of_another_round"


class ReasonRequired(ReportingError, InvalidError):
    code = "reason_required"


class BadPeriod(ReportingError, InvalidError):
    code = "invalid_period"


NO_SUCH_CAMPAIGN = "没有这次评议活动 (no such campaign)"
NO_SUCH_JURISDICTION = "没有这个辖区 (no such jurisdiction)"
NO_SUCH_WAVE = (
    "没有这次测评，或报表服务尚未收到 (no such survey wave, or reporting has not seen it yet)"
)
NO_SUCH_CATEGORY = "这些结果中没有这个类别 (no such category in these results)"
NO_SUCH_RUN = "没有这次计分 (no such round run)"
NO_SUCH_RUN_OF_ROUND = "本轮没有这次计分 (no such run of this round)"
NO_SUCH_VERSION = "没有这个已发布的版本 (no such published version)"
ROUND_NOT_SCORED = "本轮尚无计分结果 (no results for this round yet)"
UNIT_NOT_SCORED = "该单位没有评议结果 (no results for this unit)"
UNIT_NOT_SCORED_HERE = (
    "该单位在本次评议活动中没有评议结果 (no results for this unit in this campaign)"
)
ROUND_NOT_PUBLISHED = "这些结果尚未发布 (these results have not been published)"
CAMPAIGN_NOT_PUBLISHED = (
    "本次评议活动尚无已发布的结果 (nothing of this campaign has been published)"
)
NOTHING_TO_WITHDRAW = "本轮尚无已发布的结果 (nothing of this round has been published)"
ALREADY_WITHDRAWN = (
    "本轮结果已撤回，本轮没有公开的结果 "
    "(these results were already withdrawn; nothing of this round is public)"
)
WITHDRAWN_AT_ONCE = (
    "本轮的另一撤回已同时保存 (another withdrawal of this round was saved at the same time)"
)
PUBLISHED_AT_ONCE = (
    "本轮的另一发布已同时保存；请查看本轮的发布记录，本次计分应取代它时再发布一次 "
    "(another publication of this round was saved at the same time; read the round's "
    "publications and publish again if this run should replace it)"
)
CHANGED_BEFORE_WITHDRAWAL = (
    "本轮的另一发布已同时保存；请查看本轮的发布记录，应撤回时再撤回一次 "
    "(another publication of this round was saved at the same time; read the round's "
    "publications and withdraw again if it should be withdrawn)"
)
CORRECTION_NEEDS_REASON = (
    "更正已发布的结果须填写更正说明 (a correction of published results needs a reason)"
)
WITHDRAWAL_NEEDS_REASON = "撤回须填写撤回原因 (a withdrawal needs a reason)"
RUN_OF_ANOTHER_ROUND = "该次计分属于另一评议活动或另一轮 (the run scores another campaign or round)"
RUN_NOT_FINAL = (
    "暂定的计分不能发布，请发布本轮的最终计分：在计分服务 "
    "POST /campaigns/{id}/rounds/{n}/score-runs 时设 final=true "
    "(a provisional run cannot be published: publish the round's final run, "
    "POST /campaigns/{id}/rounds/{n}/score-runs with final=true on scoring)"
)
RUN_REPLACED = (
    "该次计分已被本轮之后的正式计分取代，不再是本轮的结果；请发布本轮现行的正式计分"
    "（见 context.current_run_id） "
    "(a later final run of the round replaced this run: it is no longer the round's result; "
    "publish the round's current final run, context.current_run_id)"
)
SCORING_NOT_CAUGHT_UP = (
    "报表服务尚未读完计分服务此刻已记录的计分，无法确认该次计分仍是本轮的结果，未发布；请稍后重试 "
    "(reporting has not yet applied everything scoring had recorded when this request came, "
    "so it cannot tell whether this run is still the round's result; nothing was published, "
    "retry later)"
)
DIGEST_MISMATCH = (
    "该次计分的 results_digest 与所给的不同 (the run's results_digest differs from the one given)"
)
BAD_WEEK = (
    "须为 0001 至 9999 年的 ISO 周，如 2026-W09，W53 仅限有第53周的年份 "
    "(an ISO week of years 0001 to 9999 such as 2026-W09, W53 only in years that have one)"
)
BAD_MONTH = "须为 0001 至 9999 年的月份，如 2026-05 (a month of years 0001 to 9999 such as 2026-05)"
KEY_NOT_FOR_COOKIE = (
    "此密钥不能保存在浏览器 Cookie 中 (this key cannot be kept in a browser cookie)"
)


def rounds_of_campaign(rounds: int) -> str:
    """A round past the campaign's rounds."""
    return f"本次评议活动共 {rounds} 轮 (the campaign has {rounds} rounds)"


def font_missing(path: Path) -> str:
    return (
        f"找不到中文字体 {path}：请安装 Debian 的 fonts-wqy-microhei（或 fonts-noto-cjk），"
        "或将 PINGYI_REPORTING_CJK_FONT 设为 .ttf/.ttc 文件 "
        f"(CJK font not found at {path}: install Debian's fonts-wqy-microhei "
        "(or fonts-noto-cjk) or set PINGYI_REPORTING_CJK_FONT to a .ttf/.ttc file)"
    )


def fallback_font_missing(path: Path) -> str:
    return (
        f"找不到备用字体 {path}：请安装 Debian 的 fonts-hanazono（汉字扩展区），"
        "或将 PINGYI_REPORTING_CJK_FALLBACK_FONTS 设为 .ttf 文件的 JSON 列表 "
        f"(fallback font not found at {path}: install Debian's fonts-hanazono "
        "(the CJK extensions) or set PINGYI_REPORTING_CJK_FALLBACK_FONTS to a JSON "
        "list of .ttf files)"
    )
