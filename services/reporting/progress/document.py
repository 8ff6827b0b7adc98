"""A wave's progress on paper: the tables of the page and its satisfaction charts (PNG)
in one PDF with the CJK font embedded, for an office's meeting or file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.reporting.documents import PdfWriter, beijing
from services.reporting.rounds.fonts import CjkFont
from shared.contracts.survey import VoterCheck
from shared.views import Document

PROGRESS_COLUMNS = (
    "收到",
    "作废或撤回",
    "回收",
    "计入",
    "待审核",
    "审核不计入",
    "目标",
    "完成率（%）",
)
DEFINITION = (
    "回收：收到的问卷中除去作废、批次撤回和审核不计入的（与调查服务的“回收”同义）；"
    "回收 = 计入 + 待审核；完成率 = 计入 ÷ 目标。"
)
SECTIONS = (
    ("按测评点", "by_point", ("所在县区", "county")),
    ("按县区", "by_county", None),
    ("按渠道", "by_channel", None),
    ("按调查对象", "by_group", ("目标占比（%）", "target_percent")),
    ("按测评机构", "by_agency", ("配额", "quota")),
)
STATUS_CAPTION = "按问卷状态"
STATUS_COLUMNS = ("状态", "问卷（份）", "占收到（%）")

VOTER_CHECK_NAMES: dict[VoterCheck, str] = {
    "sms_code": "短信验证码（投票须填写发到投票人手机的验证码）",
    "none": "不核验（格式正确的手机号即可投票）",
}
"""How a public wave checks its voters (survey's `VoterCheck`), as the page and the PDF say
it; a private wave takes no public votes."""
PRIVATE_WAVE = "不适用（非公开测评，不接受网上投票）"

ChartDrawer = Callable[[Document, str], bytes]
"""(progress document, "county" or "channel") -> the satisfaction chart as PNG."""


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def _progress_table(writer: PdfWriter, rows: list[Document], extra: tuple[str, str] | None) -> None:
    columns = ("名称", *((extra[0],) if extra else ()), *PROGRESS_COLUMNS)
    widths = (50, *((28,) if extra else ()), *(18,) * 7, 24)
    writer.table(
        columns,
        (
            (
                row["name"],
                *((_cell(row[extra[1]]),) if extra else ()),
                row["received"],
                row["voided_or_withdrawn"],
                row["collected"],
                row["counted"],
                row["quarantined"],
                row["rejected"],
                _cell(row["target"]),
                _cell(row["completion"]),
            )
            for row in rows
        ),
        widths,
    )


def _status_table(writer: PdfWriter, rows: list[Document]) -> None:
    writer.table(
        STATUS_COLUMNS,
        ((row["name"], row["count"], _cell(row["share"])) for row in rows),
        (40, 24, 24),
    )


def _satisfaction_table(writer: PdfWriter, rows: list[Document], numeric: bool) -> None:
    levels = list(rows[0]["counts"]) if rows else []
    measure = "平均分" if numeric else "满意率（%）"
    columns = ("名称", "计入问卷", *(f"{level}（个/%）" for level in levels), measure)
    widths = (40, 18, *(int(100 / max(len(levels), 1)),) * len(levels), 22)
    writer.table(
        columns,
        (
            (
                row["name"],
                row["counted"],
                *(f"{row['counts'][level]} / {_cell(row['shares'][level])}" for level in levels),
                _cell(row["mean"] if numeric else row["satisfied_rate"]),
            )
            for row in rows
        ),
        widths,
    )


def summary(total: Document) -> str:
    """The one sentence of counts the page and the PDF open with."""
    target = f"；目标{total['target']}份，完成{total['completion']}%" if total["target"] else ""
    return (
        f"共收到问卷{total['received']}份，其中作废或批次撤回{total['voided_or_withdrawn']}份，"
        f"审核不计入{total['rejected']}份；回收{total['collected']}份，其中计入"
        f"{total['counted']}份，待审核{total['quarantined']}份{target}。"
    )


def voter_check_line(value: VoterCheck | None) -> str:
    """The line of the page and the PDF that says how the wave's public votes are checked."""
    return f"投票核验方式：{PRIVATE_WAVE if value is None else VOTER_CHECK_NAMES[value]}"


def progress_pdf(document: Document, font: CjkFont, chart: ChartDrawer, numeric: bool) -> bytes:
    # Dated by the wave, not the clock: the same facts give the same bytes.
    created = datetime.fromisoformat(document["closed_at"] or document["opened_at"])
    writer = PdfWriter(font, f"{document['name']} 测评进度", created=created, landscape=True)
    round_text = f" · 第{document['round']}轮" if document["round"] else ""
    closed = document["closed_at"]
    state = f"已结束（{beijing(closed)}）" if closed else "进行中"  # as the page says it
    writer.para(f"{document['kind_name']} · {document['jurisdiction_name']}{round_text} · {state}")
    writer.para(voter_check_line(document["voter_check"]))
    writer.heading("一、回收进度")
    writer.para(summary(document["total"]))
    writer.para(DEFINITION)
    part = document.get("part")
    if part:
        writer.para(f"{'、'.join(part['counties'])}部分。{part['note']}")
    for caption, key, extra in SECTIONS:
        writer.heading(caption, 11)
        _progress_table(writer, document[key], extra)
    writer.heading(STATUS_CAPTION, 11)
    _status_table(writer, document["by_status"])
    satisfaction = document["satisfaction"]
    writer.heading("二、满意度分布（按县区、按渠道）")
    writer.para(satisfaction["note"])
    for by, caption in (("county", "按县区"), ("channel", "按渠道")):
        writer.heading(caption, 11)
        writer.image(chart(document, by))
        _satisfaction_table(writer, satisfaction[f"by_{by}"], numeric)
    return writer.output()
