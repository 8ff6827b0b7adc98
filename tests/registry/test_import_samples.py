"""The shipped samples: seed 000's 80 Luohe units and seed 004's 37 Wuhan zone units."""

from __future__ import annotations

from collections import Counter

import pytest

from services.registry.domain import UNIT_KIND_BY_LABEL
from services.registry.importing.samples import SAMPLES, TITLES, sheet_from_csv
from shared.tabular import read_rows
from tests.registry.import_helpers import media_type, sample

EXPECTED = {
    "luohe_000_units": {"政府部门及其它机构": 53, "公共服务行业": 27},
    "wuhan_004_units": {
        "经济和社会事业发展类": 18,
        "城市管理和执法监督类": 11,
        "公共服务企业类": 8,
    },
}


def records(name: str) -> list[dict[str, str]]:
    rows, more = read_rows(sample(name), media_type(name), None, 1000)
    assert not more
    header = rows[0].cells
    return [dict(zip(header, row.cells, strict=False)) for row in rows[1:]]


@pytest.mark.parametrize("stem", sorted(EXPECTED))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_counts_per_category(stem: str, suffix: str) -> None:
    found = records(stem + suffix)
    assert Counter(r["类别"] for r in found) == EXPECTED[stem]
    assert len({r["单位名称"] for r in found}) == len(found)
    assert [r["序号"] for r in found] == [str(i) for i in range(1, len(found) + 1)]
    assert {r["单位类型"] for r in found} <= set(UNIT_KIND_BY_LABEL)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_xlsx_is_generated_from_the_csv(stem: str) -> None:
    xlsx = [{k: v for k, v in r.items() if v} for r in records(stem + ".xlsx")]
    csv = [{k: v for k, v in r.items() if v} for r in records(stem + ".csv")]
    assert xlsx == csv
    assert sheet_from_csv(SAMPLES / f"{stem}.csv", TITLES[stem]).rows[0][0] == "1"


def test_seed_004_keeps_the_units_it_lists_twice_apart() -> None:
    names = [r["单位名称"] for r in records("wuhan_004_units.csv")]
    assert names.count("区财政局") == names.count("区财政局(区金融工作局)") == 1
    assert names.count("区环保局") == names.count("区环保局(区水务局、区园林和林业局)") == 1
    assert "工委(区委)宣传部(区旅游局、区文体新闻广电出版局)" in names


def test_the_demo_still_reads_the_luohe_sample() -> None:
    from pingyi.demo import luohe_units

    units = luohe_units()
    assert len(units) == 80
    assert Counter(u["category"] for u in units) == EXPECTED["luohe_000_units"]
