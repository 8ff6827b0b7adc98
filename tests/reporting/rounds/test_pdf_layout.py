"""The results PDF laid out as an office prints it, for a round of 80 units (the document
`RoundResults.results` builds, written here in full): the provenance and the start of the
ranking share the first page, the table holds 15 to 25 units a page, the whole round takes
at most 10 pages (it took 18 to 35, three units a page, before), the 满意度分布 text is
left-aligned (no justified gaps, "满意        90.40%"), and every fact the PDF showed is still
read back from it: each unit's rank, rank range, name, score, interval, grade, sample,
distribution and flags, the provenance, the grade counts, the lists and the methodology."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader

from services.reporting.rounds.files import Edition
from services.reporting.rounds.fonts import CjkFont, checked
from services.reporting.rounds.pdf import results_pdf
from services.reporting.rounds.shares import distribution
from services.reporting.settings import DEFAULT_CJK_FALLBACK_FONTS, DEFAULT_CJK_FONT

UNITS = 80
CATEGORY = "政府部门及其它机构"
LEVELS = ("满意", "基本满意", "不满意", "不了解")


def _name(n: int) -> str:
    return f"舞阳县第{n:03d}号便民服务中心"


def _line(n: int) -> dict[str, Any]:
    satisfied, basic, unsatisfied, unknown = 300 + n, 100 - n // 2, 29 - n // 4, 39
    valid = satisfied + basic + unsatisfied
    counts = dict(zip(LEVELS, (satisfied, basic, unsatisfied, unknown), strict=True))
    # The figures are scoring's; here only their layout matters.
    shares = {level: f"{counts[level] * 100 / valid:.2f}" for level in LEVELS[:3]}
    score = f"{95 - n * 0.3:.2f}"
    insufficient = n == UNITS
    return {
        "rank": None if insufficient else n,
        "rank_range": None if insufficient else [max(1, n - 1), n + 1],
        "unit_id": f"00000000-0000-0000-0000-{n:012d}",
        "unit_name": _name(n),
        "category": CATEGORY,
        "sub_unit": False,
        "status": "active",
        "score": score,
        "interval": None
        if insufficient
        else [f"{95 - n * 0.3 - 2:.2f}", f"{95 - n * 0.3 + 2:.2f}"],
        "grade": None if insufficient else ("好" if n <= 20 else "中" if n <= 60 else "差"),
        "grade_basis": None,
        "valid_sample": valid,
        "flags": ["样本不足"] if insufficient else ["indistinguishable_from_neighbours"],
        "lists": [],
        "result_digest": "sha256:00",
        "insufficient_sample": insufficient,
        "shares": [
            {
                "code": "questionnaire",
                "name": "问卷测评群众满意度",
                "counts": counts,
                "valid": valid,
                "shares": shares,
                "satisfaction_rate": "90.00",
                "weighted_score": score,
                "weighting": "none",
            }
        ],
        "component_names": {"questionnaire": "问卷测评群众满意度"},
    }


DOCUMENT: dict[str, Any] = {
    "run_id": "0e64450d-bdd2-5b8a-b06f-86def82f502e",
    "final": True,
    "results_digest": "sha256:d1a58f42aaab86218ff3304e43482cf317a698399caec974bb1e48a0ac7be91b",
    "computed_at": "2026-06-30T05:58:41+00:00",
    "round": 1,
    "scheme": {"scheme_id": "wuyang-2026", "version": 1, "scheme_hash": "sha256:2a85"},
    "scheme_title": "舞阳县民主评议政风行风综合考核",
    "campaign_name": "舞阳县2026年度民主评议政风行风",
    "categories": [{"category": CATEGORY, "entries": [_line(n) for n in range(1, UNITS + 1)]}],
    "lists": [
        {"code": "advanced", "name": "先进单位", "units": [{"unit_name": _name(1)}]},
        {"code": "criticised", "name": "通报批评", "units": [{"unit_name": _name(79)}]},
    ],
    "grade_counts": {"好": 20, "中": 40, "差": 19},
}
METHOD: dict[str, Any] = {
    "scheme": DOCUMENT["scheme"],
    "scheme_title": DOCUMENT["scheme_title"],
    "inputs_digest": "sha256:20f3",
    "components": [
        {"name": "问卷测评群众满意度", "weight": "1", "formula": "满意计100分、基本满意计80分"}
    ],
    "deductions": [{"name": "明察暗访发现问题扣分", "formula": "一般问题每个扣0.5分，最多扣5分"}],
    "overrides": [],
    "grades": [{"grade": "好", "bases": ["不低于85分"]}],
    "lists": [{"name": "先进单位"}, {"name": "通报批评"}],
}
PUBLISHED = {
    "version": 1,
    "published_at": "2026-07-01T01:00:00+00:00",
    "reason": "经县纠风办审定",
    "snapshot_digest": "sha256:5a89",
}


@pytest.fixture(scope="module")
def font() -> CjkFont:
    return checked(DEFAULT_CJK_FONT, 0, DEFAULT_CJK_FALLBACK_FONTS)


@pytest.fixture(scope="module")
def pages(font: CjkFont) -> Iterator[list[Any]]:
    body = results_pdf(DOCUMENT, METHOD, font, PUBLISHED, Edition("x", "x", "第1版"))
    yield list(PdfReader(io.BytesIO(body)).pages)


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_eighty_units_print_on_few_pages_with_the_table_starting_under_the_provenance(
    pages: list[Any],
) -> None:
    assert len(pages) <= 10, len(pages)
    first = _bare(pages[0].extract_text())
    assert "发布快照摘要：sha256:5a89" in first
    # A unit's row: its name, then its score (or 样本不足).
    rows = [
        _bare(line["unit_name"] + ("样本不足" if line["insufficient_sample"] else line["score"]))
        for line in DOCUMENT["categories"][0]["entries"]
    ]
    per_page = [sum(row in _bare(page.extract_text()) for row in rows) for page in pages]
    tables = [count for count in per_page if count]
    assert per_page[0] >= 15, per_page  # the provenance and the start of the ranking
    assert sum(tables) == UNITS, per_page  # every unit once
    # Every page of the table but its last holds 15 to 25 units.
    assert all(15 <= count <= 25 for count in tables[:-1]), per_page


def test_the_distribution_is_left_aligned_without_justified_gaps(pages: list[Any]) -> None:
    for page in pages:
        laid_out = page.extract_text(extraction_mode="layout")
        assert not re.search(r"满意 {2,}[0-9]", laid_out), laid_out[:2000]


def test_every_fact_is_read_back(pages: list[Any]) -> None:
    text = _bare("".join(page.extract_text() for page in pages))
    for fact in (
        "舞阳县2026年度民主评议政风行风第1轮评议结果（第1版）",
        "评分方案：舞阳县民主评议政风行风综合考核（wuyang-2026第1版，sha256:2a85）",
        "计分运行：0e64450d-bdd2-5b8a-b06f-86def82f502e（正式",
        DOCUMENT["results_digest"],
        "发布：第1版，发布于2026年07月01日09:00（北京时间），经县纠风办审定",
        f"{CATEGORY}排名",
        "好：20个单位；中：40个单位；差：19个单位",
        f"先进单位：{_name(1)}",
        f"通报批评：{_name(79)}",
        "【问卷测评群众满意度】权重1：满意计100分、基本满意计80分",
        "【明察暗访发现问题扣分】一般问题每个扣0.5分，最多扣5分",
        "等级“好”：不低于85分",
    ):
        assert _bare(fact) in text, fact
    for line in DOCUMENT["categories"][0]["entries"]:
        if line["insufficient_sample"]:
            row = [line["unit_name"], "样本不足"]
        else:
            row = [
                str(line["rank"]),
                "–".join(map(str, line["rank_range"])),
                line["unit_name"],
                line["score"],
                "–".join(line["interval"]),
                line["grade"],
            ]
        row += [str(line["valid_sample"]), distribution(line["shares"])]
        if not line["insufficient_sample"]:
            row.append("与相邻名次差异不显著")
        assert _bare("".join(row)) in text, row
