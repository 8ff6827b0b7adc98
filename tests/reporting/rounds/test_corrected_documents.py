"""The charts, the page and the PDF of a corrected round (`helpers.corrected_round`, then
version 2 published as a correction): what each draws and says of the published figures,
as `test_corrections_and_exports` works them out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_text
from tests.reporting.rounds.helpers import (
    CORRECTION,
    GOV,
    SERVICES,
    Scored,
    corrected_round,
    publish,
)

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def corrected() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored, first, second = corrected_round(cluster)
        publish(scored, {"run_id": second["run_id"], "reason": CORRECTION})
        yield scored, first, second


SVG = "{http://www.w3.org/2000/svg}"


def _svg(scored: Scored, path: str) -> Any:
    response = scored.reporting.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return ElementTree.fromstring(response.content)


def test_the_charts_draw_the_published_figures(corrected: Any) -> None:
    scored, _, _ = corrected
    first = _svg(scored, scored.public("/rounds/1/charts/ranking.svg?version=1"))
    bars = [(r.get("data-score"), r.get("width")) for r in first.iter(f"{SVG}rect")]
    # 480 px for 100 points: 93.00 → 446.4, 60.00 → 288.0; 供电公司 has no bar (样本不足)
    assert bars == [("93.00", "446.4"), ("60.00", "288.0")]
    texts = [t.text for t in first.iter(f"{SVG}text")]
    assert "舞阳县供电公司" in texts and "样本不足" in texts and "93.00（第1名）" in texts
    assert len(list(first.iter(f"{SVG}path"))) == 2  # a whisker per interval

    current = _svg(scored, scored.public(f"/rounds/1/charts/ranking.svg?category={GOV}"))
    assert [r.get("data-score") for r in current.iter(f"{SVG}rect")] == [
        "94.67",
        "76.00",
        "25.00",
    ]
    grades = _svg(scored, scored.public("/rounds/1/charts/grades.svg"))
    counts = [(r.get("data-grade"), r.get("data-count")) for r in grades.iter(f"{SVG}rect")]
    assert counts == [("好", "1"), ("中", "1"), ("差", "1")]
    missing = scored.reporting.get(scored.public("/rounds/1/charts/ranking.svg?category=无此类"))
    assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == "query.category"


POWER_LEVELS = (
    "满意 25.00%（1份）；基本满意 0.00%（0份）；不满意 75.00%（3份）；不了解 2份（不计入有效样本）"
)


def test_levels_read_in_the_scale_order_on_the_page_and_in_the_pdf(corrected: Any) -> None:
    # Scoring stores shares by code point (不满意, 基本满意, 满意) and leaves 不了解 out of
    # them; every output lists the scale's levels in its order, 不了解 with its count.
    scored, _, _ = corrected
    api = scored.reporting.get(scored.public("/rounds/1")).json()
    power = next(
        e for c in api["categories"] for e in c["entries"] if e["unit_name"] == "舞阳县供电公司"
    )
    [share] = power["shares"]
    assert list(share["shares"]) == ["满意", "基本满意", "不满意"]
    assert list(share["counts"]) == ["满意", "基本满意", "不满意", "不了解"]
    assert share["weighting"] == "none"
    page = scored.reporting.get(f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1")
    assert POWER_LEVELS in page.text
    document = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    text = pdf_text(document.content)[0]
    assert POWER_LEVELS.replace(" ", "") in text.replace(" ", "")


def test_the_page_names_the_audit_bundle_of_the_run_it_shows(corrected: Any) -> None:
    # Without --run, `pingyi audit export` takes the round's latest final run: not the one
    # an older (or any not-latest) published version shows.
    scored, first, second = corrected
    base = f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1"
    for query, run_id, version in [("?version=1", first["run_id"], 1), ("", second["run_id"], 2)]:
        page = scored.reporting.get(base + query)
        assert page.status_code == 200, page.text
        command = (
            f"pingyi audit export --campaign {scored.rnd.campaign_id} --round 1 "
            f"--run {run_id} --out round1-v{version}.zip"
        )
        assert command in page.text
        assert f"pingyi audit verify round1-v{version}.zip" in page.text
    # The flags printed are the command's own.
    from typer.testing import CliRunner

    from pingyi.audit_commands import audit_app

    usage = CliRunner().invoke(audit_app, ["export", "--help"], env={"COLUMNS": "200"}).output
    assert all(flag in usage for flag in ("--campaign", "--round", "--run", "--out"))


def test_the_pdf_states_times_in_beijing_time(corrected: Any) -> None:
    scored, _, _ = corrected
    shown = scored.reporting.get(scored.public("/rounds/1")).json()
    document = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    text = pdf_text(document.content)[0]
    published = datetime.fromisoformat(shown["published"]["published_at"]).astimezone(BEIJING)
    computed = datetime.fromisoformat(shown["computed_at"]).astimezone(BEIJING)
    assert f"发布于{published:%Y年%m月%d日 %H:%M}（北京时间）" in text
    assert f"计算于{computed:%Y年%m月%d日 %H:%M}（北京时间）" in text
    assert "+00:00" not in text and shown["published"]["published_at"] not in text
    page = scored.reporting.get(f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1")
    assert f"{published:%Y年%m月%d日 %H:%M}（北京时间）" in page.text
