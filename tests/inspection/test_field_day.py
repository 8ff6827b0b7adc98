"""A county inspection team's day in the field, as its phones speak to the service (memory
mode): instants sent in UTC around midnight in China, a deadline across the National Day
holiday, a visit planned for a weekend, findings in CJK with emoji and characters beyond
the basic plane, and evidence files as phones send them (empty, too large, a PDF whose
name is Chinese). Nothing answers 500 and nothing is lost or altered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.inspection.evidence import EVIDENCE_LIMIT
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.inspection.counties import (
    County,
    created,
    finding,
    finding_body,
    order_body,
    two_counties,
)


@pytest.fixture(scope="module")
def team() -> Iterator[tuple[Cluster, County]]:
    with Cluster(in_memory(), ["registry", "inspection"]) as cluster:
        mine, _ = two_counties(cluster)
        yield cluster, mine


def _client(team: tuple[Cluster, County]) -> TestClient:
    return team[0]["inspection"]


def test_a_finding_sent_in_utc_counts_on_the_day_in_china(team: tuple[Cluster, County]) -> None:
    """16:30 UTC on 30 November is 00:30 on 1 December in China: an order for it cannot be
    issued on 30 November, and is on 1 December."""
    client, mine = _client(team), team[1]
    found = finding(client, mine, found_at="2026-11-30T16:30:00Z")
    early = client.post(
        "/rectifications",
        json=order_body(mine, found, issued_on="2026-11-30"),
        headers=mine.keys["office"],
    )
    assert early.status_code == 422, early.text
    assert early.json()["detail"][0]["field"] == "issued_on"
    issued = created(
        client,
        "/rectifications",
        order_body(mine, found, issued_on="2026-12-01"),
        mine.keys["office"],
    )
    assert issued["issued_on"] == "2026-12-01"
    shown = client.get(f"/findings/{found}", headers=mine.keys["office"]).json()
    assert shown["found_at"] == "2026-11-30T16:30:00+00:00"  # kept as sent


def test_a_deadline_across_the_national_day_holiday(team: tuple[Cluster, County]) -> None:
    client, mine = _client(team), team[1]
    found = finding(client, mine, found_at="2026-09-29T10:00:00+08:00")
    body = order_body(mine, found, issued_on="2026-09-30", working_days=1)
    assert created(client, "/rectifications", body, mine.keys["office"])["deadline"] == (
        "2026-10-08"  # 1-7 October is the holiday (2026)
    )


def test_a_visit_planned_for_a_saturday(team: tuple[Cluster, County]) -> None:
    client, mine = _client(team), team[1]
    body = {
        "unit_id": mine.unit,
        "kind": "暗访",
        "planned_on": "2026-12-05",
        "inspectors": [mine.ids["inspector"]],
    }
    assert created(client, "/visits", body, mine.keys["office"])["planned_on"] == "2026-12-05"


@pytest.mark.parametrize(
    "summary",
    [
        "窗口人员上班玩手机😡，群众排队👨‍👩‍👧等候",
        "𠀀𪚥𰻞 生僻字姓名的群众反映办事难",
        "服务态度差\n第二行：未一次性告知",
    ],
)
def test_a_finding_in_cjk_and_emoji_is_kept_as_typed(
    team: tuple[Cluster, County], summary: str
) -> None:
    cluster, mine = team
    client = _client(team)
    found = finding(client, mine, summary=summary)
    corrected = created(
        client,
        f"/findings/{found}/corrections",
        {"summary": summary + "（更正）🙏", "reason": "补充说明😅"},
        mine.keys["inspector"],
    )
    assert [e["summary"] for e in corrected["history"]] == [summary, summary + "（更正）🙏"]
    cluster.wait_caught_up("inspection", "inspection")
    listed = client.get("/findings", params={"limit": 200}, headers=mine.keys["office"]).json()
    [doc] = [d for d in listed if d["finding_id"] == found]
    assert doc["summary"] == summary + "（更正）🙏"


def _upload(client: TestClient, mine: County, content: bytes, kind: str, **headers: str) -> Any:
    sent = mine.keys["inspector"] | {"Content-Type": kind} | headers
    return client.post("/evidence", content=content, headers=sent)


def test_evidence_as_phones_send_it(team: tuple[Cluster, County]) -> None:
    client, mine = _client(team), team[1]
    root = client.app.state.runtime.application.evidence_store.root  # type: ignore[attr-defined]
    before = sorted(p.name for p in root.rglob("*"))

    empty = _upload(client, mine, b"", "image/jpeg")
    assert (empty.status_code, empty.json()["detail"][0]["field"]) == (422, "body")
    large = _upload(client, mine, b"\xff\xd8\xff" + b"\0" * EVIDENCE_LIMIT, "image/jpeg")
    assert (large.status_code, large.json()["detail"][0]["field"]) == (422, "body")
    heic = _upload(client, mine, b"\0\0\0\x18ftypheic" + b"\0" * 32, "image/heic")
    assert (heic.status_code, heic.json()["detail"][0]["field"]) == (422, "Content-Type")
    assert sorted(p.name for p in root.rglob("*")) == before  # nothing kept of them

    pdf = "%PDF-1.7\n整改通知书（郾城区人社局）\n%%EOF\n".encode()
    name = "attachment; filename*=UTF-8''%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5%E4%B9%A6.pdf"
    first = _upload(client, mine, pdf, "application/pdf", **{"Content-Disposition": name})
    again = _upload(client, mine, pdf, "application/pdf")
    assert first.status_code == 201, first.text
    assert again.json() == first.json()
    sha256 = first.json()["sha256"]
    found = created(
        client, "/findings", finding_body(mine, evidence=[sha256]), mine.keys["inspector"]
    )
    assert found["evidence"] == [sha256]
    read = client.get(f"/evidence/{sha256}", headers=mine.keys["office"])
    assert (read.status_code, read.content) == (200, pdf)
    assert read.headers["content-type"] == "application/pdf"
