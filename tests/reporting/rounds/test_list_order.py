"""A scheme's lists read in the order the scheme declares them (先进, 一般, 差), in every
document reporting makes of a round: the results, the PDF (the lists and the methodology),
the page, the CSV and XLSX (a unit's lists) and the jurisdiction summary. Their codes are
chosen so that code order (cha, xianjin, yiban: 差, 先进, 一般, which is also their names'
pinyin order) differs from the scheme's: the results' objects travel with sorted keys, so
scoring carries the order beside them (`RoundScored.list_order`)."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from services.reporting.rounds.read import scheme_lists
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.reporting.documents import pdf_text
from tests.reporting.rounds.helpers import (
    ANSWERS,
    SCHEME,
    SERVICES,
    Scored,
    publish,
    round_scored,
    run,
    unit_caller,
)
from tests.scoring.rounds.helpers import campaign_round, caught_up, push, record_finding

EVERY_GRADE = {"grades": ["好", "中", "差"]}
LISTS = [
    {"code": "xianjin", "name": "先进", "when": EVERY_GRADE},
    {"code": "yiban", "name": "一般", "when": EVERY_GRADE},
    {"code": "cha", "name": "差", "when": EVERY_GRADE},
]
DECLARED = ["先进", "一般", "差"]


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any]]]:
    scheme = copy.deepcopy(SCHEME) | {"scheme_id": "list-order", "lists": LISTS}
    with Cluster(in_memory(), SERVICES) as cluster:
        rnd = campaign_round(cluster)
        push(cluster["survey"], rnd, list(ANSWERS), "Q")
        record_finding(cluster["inspection"], rnd.world.unit_ids[0], "严重", "2")
        caught_up(cluster)
        scoring = cluster["scoring"]
        registered = scoring.post(
            "/schemes", json={"document": scheme, "reason": "本县方案"}, headers=ADMIN
        )
        assert registered.status_code == 201, registered.text
        assigned = scoring.put(
            f"/campaigns/{rnd.campaign_id}/scheme",
            json={"scheme_id": "list-order", "version": 1, "reason": "本年度方案"},
            headers=rnd.world.county_office.headers,
        )
        assert assigned.status_code == 200, assigned.text
        unit_key = unit_caller(cluster["registry"], "舞阳县公安局", rnd.world.unit_ids[0])
        cluster.wait_caught_up("reporting", "registry")
        scored = Scored(cluster, rnd, unit_key)
        final = run(scored, final=True, reason="上半年结果")
        publish(scored, {"run_id": final["run_id"], "reason": "经县纠风办审定"})
        yield scored, final


def test_scoring_publishes_the_scheme_s_order(story: Any) -> None:
    scored, final = story
    message = round_scored(scored.cluster, final["run_id"])
    assert message.payload["list_order"] == ["xianjin", "yiban", "cha"]
    # The objects beside it travel with sorted keys: they alone cannot say the order.
    assert list(message.payload["list_names"]) == ["cha", "xianjin", "yiban"]


def test_the_results_and_the_summary_list_them_in_the_scheme_s_order(story: Any) -> None:
    scored, _ = story
    results = scored.reporting.get(scored.path("/rounds/1/results"), headers=scored.office)
    assert results.status_code == 200, results.text
    body = results.json()
    assert [item["name"] for item in body["lists"]] == DECLARED
    assert list(body["list_names"].values()) == DECLARED
    summary = scored.reporting.get(
        f"/public/summaries/jurisdictions/{scored.rnd.world.county_id}/campaigns/"
        f"{scored.rnd.campaign_id}/rounds/1"
    )
    assert summary.status_code == 200, summary.text
    assert [item["name"] for item in summary.json()["lists"]] == DECLARED


def test_the_pdf_and_the_page_list_them_in_the_scheme_s_order(story: Any) -> None:
    scored, _ = story
    pdf = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    assert pdf.status_code == 200, pdf.text
    text, _ = pdf_text(pdf.content)
    lists = text[text.index("名单") : text.index("评议方法")]
    assert [lists.index(f"{name}：") for name in DECLARED] == sorted(
        lists.index(f"{name}：") for name in DECLARED
    ), lists
    assert "名单：先进、一般、差" in text
    page = scored.reporting.get(f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1")
    assert page.status_code == 200, page.text
    section = page.text[page.text.index('<section id="lists">') :]
    assert [section.index(f"<dt>{name}</dt>") for name in DECLARED] == sorted(
        section.index(f"<dt>{name}</dt>") for name in DECLARED
    )


def test_a_unit_s_lists_read_in_the_scheme_s_order_in_the_files(story: Any) -> None:
    scored, _ = story
    listed = "、".join(DECLARED)
    response = scored.reporting.get(scored.public("/rounds/1/results.csv"))
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = rows[0].index("名单")
    assert {row[column] for row in rows[1:]} == {listed, ""}
    workbook = load_workbook(
        io.BytesIO(scored.reporting.get(scored.public("/rounds/1/results.xlsx")).content)
    )
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    cells = {row[header.index("名单")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells == {listed, None}


def test_results_published_before_the_order_was_carried_keep_code_order() -> None:
    names = {"cha": "差", "xianjin": "先进", "yiban": "一般"}
    assert list(scheme_lists({"list_names": names}).values()) == ["差", "先进", "一般"]
    carried = {"list_names": names, "list_order": ["xianjin", "yiban", "cha"]}
    assert list(scheme_lists(carried).values()) == DECLARED
