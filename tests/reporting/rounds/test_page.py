"""The public results page in a real browser: Debian's Chromium, headless, loads the page
from the reporting service served on localhost (memory mode, behind the real registry,
survey, inspection and scoring). Nothing shows before publication; after version 1 is
published and a later final run is computed but not published, the page shows version 1's
numbers, equal to the public API's, and nothing of the unpublished run. A screenshot at a
phone's width is saved under test-artifacts/reporting/.

Figures (helpers): version 1 — 公安局 93.00 好 rank 1, 教育局 60.00 差 rank 2, 供电公司
样本不足; the unpublished run — 公安局 94.67, 教育局 76.00 中, 供电公司 25.00 差."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds import browser
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    run,
    scored_round,
)

ARTIFACTS = Path(os.environ.get("PINGYI_TEST_ARTIFACTS", "test-artifacts")) / "reporting"


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[Scored, str, dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        first = run(scored, final=True, reason="上半年结果")
        with browser.served(cluster["reporting"].app) as base:
            yield scored, base, first


def _round_url(scored: Scored, base: str) -> str:
    return f"{base}/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1"


def test_before_publication_the_browser_sees_nothing(site: Any) -> None:
    scored, base, _ = site
    index = browser.dom(f"{base}/public/pages")
    assert "暂无已发布的评议结果" in index
    unit = scored.rnd.world.unit_ids[0]
    for url in (
        _round_url(scored, base),
        f"{base}/public/pages/campaigns/{scored.rnd.campaign_id}/units/{unit}",
    ):
        page = browser.dom(url)
        assert "not_published" in page
        for name in ("舞阳县公安局", "93.00", "样本不足"):
            assert name not in page


def test_the_published_round_shows_in_the_browser_and_the_unpublished_run_does_not(
    site: Any,
) -> None:
    scored, base, first = site
    publish(scored, {"run_id": first["run_id"], "reason": "经县纠风办审定"})
    more_answers(scored)
    later = run(scored, final=True, reason="补录两份问卷后重算")

    index = browser.parsed(browser.dom(f"{base}/public/pages"))
    round_link = f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1"
    assert round_link in index.links

    html = browser.dom(_round_url(scored, base))
    page = browser.parsed(html)
    rows = {row[2]: row for row in page.rows}
    assert set(rows) == {"舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"}
    police = rows["舞阳县公安局"]
    assert (police[0], police[3], police[5]) == ("1", "93.00", "好")
    assert rows["舞阳县教育局"][3] == "60.00" and rows["舞阳县教育局"][5] == "差"
    assert rows["舞阳县供电公司"][3] == "样本不足"

    api = scored.reporting.get(scored.public("/rounds/1")).json()
    for category in api["categories"]:
        for line in category["entries"]:
            shown = rows[line["unit_name"]]
            expected = "样本不足" if line["insufficient_sample"] else line["score"]
            assert shown[3] == expected
            assert shown[0] == ("—" if line["rank"] is None else str(line["rank"]))
            rank_range = line["rank_range"]
            assert shown[1] == ("—" if rank_range is None else "–".join(map(str, rank_range)))
            if line["interval"] and not line["insufficient_sample"]:
                assert shown[4] == "–".join(line["interval"])
            # 标记: the flags as the PDF and the sheets name them, 样本不足 said above.
            others = [f for f in line["flags"] if f != "样本不足"]
            assert shown[8] == (_flag_words(others) if others else "—"), shown
    assert api["run_id"] == first["run_id"] in html
    # Nothing of the later, unpublished final run.
    assert later["run_id"] not in html
    for figure in ("94.67", "76.00"):
        assert figure not in html
    # The methodology in the scheme's words, with its hash, and the digests to check it.
    assert "满意计100分、基本满意计80分、不满意计0分，取有效问卷的平均分" in html
    assert api["scheme"]["scheme_hash"] in html
    assert api["published"]["snapshot_digest"] in html
    assert "先进单位" in html and "通报批评" in html
    # No asset from the internet: every link and source is on this site.
    assert page.links and all(link.startswith(("/", "?", "#")) for link in page.links), page.links


def test_the_unit_dossier_page_follows_from_the_ranking(site: Any) -> None:
    scored, base, _ = site
    page = browser.parsed(browser.dom(_round_url(scored, base)))
    police = scored.rnd.world.unit_ids[0]
    link = f"/public/pages/campaigns/{scored.rnd.campaign_id}/units/{police}"
    assert link in page.links
    html = browser.dom(base + link)
    assert "舞阳县公安局 评议档案" in html
    dossier = scored.reporting.get(scored.public(f"/units/{police}")).json()
    [point] = dossier["trend"]
    rows = browser.parsed(html)
    assert point["score"] == "93.00" and point["score"] in html and "先进单位" in html
    assert "满意计100分、基本满意计80分、不满意计0分，取有效问卷的平均分" in html
    assert "明察暗访发现问题扣分" in html and dossier["rounds"][0]["result"]["explanation"] in html
    # The trend chart: one bar per published round, to the published score.
    assert 'class="bar"' in html and 'data-score="93.00"' in html and "第1轮" in html
    # Only the published version: the later final run's 94.67 is not there.
    assert "94.67" not in html
    assert all(link.startswith(("/", "?", "#")) for link in rows.links)


def test_a_phone_sized_screenshot_is_saved(site: Any) -> None:
    scored, base, _ = site
    out = browser.screenshot(_round_url(scored, base), ARTIFACTS / "round-page-phone.png")
    image = Image.open(out)
    assert image.format == "PNG" and image.size == (412, 1600)
    # Not a blank page: the header rule and the bars are drawn in the brand colour.
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert any(rgb == (0x1F, 0x4E, 0x79) for _, rgb in colours)


def _flag_words(flags: list[str]) -> str:
    words = {"indistinguishable_from_neighbours": "与相邻名次差异不显著"}
    return "、".join(words.get(flag, flag) for flag in flags)
