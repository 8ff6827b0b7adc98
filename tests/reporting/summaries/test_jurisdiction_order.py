"""A summary's jurisdictions below read in dictionary (pinyin) order, 本级 first, as every
list of names in Pingyi does (`shared.text_order`): 漯河市's counties and districts as its
office lists them — 临颍县 (lín), 召陵区 (shào, the place's own reading), 舞阳县 (wǔ),
郾城区 (yǎn), 源汇区 (yuán) — never by code point, which would put 源汇区 (U+6E90) before
舞阳县 (U+821E) and 郾城区 (U+90FE)."""

from __future__ import annotations

from services.reporting.summaries.read import OWN_LEVEL, jurisdiction_order


def test_the_jurisdictions_below_read_in_pinyin_order_own_level_first() -> None:
    names = ["源汇区", "舞阳县", OWN_LEVEL, "召陵区", "郾城区", "临颍县"]
    rows = [{"jurisdiction_id": f"j{i}", "jurisdiction_name": name} for i, name in enumerate(names)]
    rows[2]["jurisdiction_id"] = "top"
    ordered = [row["jurisdiction_name"] for row in jurisdiction_order(rows, "top")]
    assert ordered == [OWN_LEVEL, "临颍县", "召陵区", "舞阳县", "郾城区", "源汇区"]
