"""An inspection choice takes the code or the Chinese name offices write (投诉, 重点项目, 通过,
已交办), as survey's and the registry's do, in a body and in a list's filter alike; full
width and Latin case do not matter. The code is what is stored and answered. A refusal is a
`literal_error` listing each code with its name (`complaint（投诉）`), and the schema lists
the codes, then the names. An evidence upload's type is a media type, named as such, but
its refusal says in Chinese what each is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.inspection.counties import (
    County,
    complaint_body,
    created,
    order,
    task_body,
    two_counties,
)

ENGLISH = "(should be one of these codes, or its Chinese name)"
KINDS = (
    "须为以下之一: emergency（紧急）、consultation（咨询）、complaint（投诉）、suggestion（建议） "
    f"{ENGLISH}"
)
ORDER_STATES = (
    "须为以下之一: issued（已下发）、reported（已报送）、returned（已退回）、"
    f"second_handling（二次办理）、accepted（已通过）、withdrawn（已撤销） {ENGLISH}"
)
METHODS = f"须为以下之一: 明察、暗访、随机检查、电话暗访、月检查、现场评审、交叉检查 {ENGLISH}"


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Cluster, County]]:
    with Cluster(in_memory(), ["registry", "inspection"]) as cluster:
        luohe, _ = two_counties(cluster)
        yield cluster, luohe


def _refusal(response: Any) -> tuple[int, str, str, str]:
    (detail,) = response.json()["detail"]
    return response.status_code, detail["field"], detail["code"], detail["reason"]


def _listed(client: TestClient, path: str, key: dict[str, str], **query: str) -> list[Any]:
    response = client.get(path, params=query, headers=key)
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()
    return found


def test_a_complaint_is_taken_and_listed_by_chinese_names(world: tuple[Cluster, County]) -> None:
    cluster, luohe = world
    client, office = cluster["inspection"], luohe.keys["office"]
    body = complaint_body(luohe, kind="投诉", channel="１２３４５热线")
    made = created(client, "/complaints", body, office)
    assert (made["kind"], made["channel"]) == ("complaint", "12345热线")
    path = f"/complaints/{made['complaint_id']}"
    created(client, f"{path}/dispatch", {"unit_id": luohe.unit}, office)
    created(client, f"{path}/reply", {"reply": "已当面答复"}, luohe.keys["unit"])
    concluded = created(
        client, f"{path}/outcome", {"outcome": "部分属实", "reason": "经核实"}, office
    )
    assert concluded["outcome"] == "partly_verified"
    assert client.get(path, headers=office).json()["outcome"] == "partly_verified"

    # A full-width code is the code.
    other = created(
        client, "/complaints", complaint_body(luohe, kind="ＣＯＮＳＵＬＴＡＴＩＯＮ"), office
    )
    assert other["kind"] == "consultation"

    replied = _listed(client, "/complaints", office, status="已办结")
    assert made["complaint_id"] in {c["complaint_id"] for c in replied}
    assert {c["status"] for c in replied} == {"concluded"}


def test_an_unknown_choice_lists_each_code_with_its_name(world: tuple[Cluster, County]) -> None:
    cluster, luohe = world
    client, office = cluster["inspection"], luohe.keys["office"]
    for kind in ("举报", "complaint\x0b", 3):
        refused = client.post("/complaints", json=complaint_body(luohe, kind=kind), headers=office)
        assert _refusal(refused) == (422, "body.kind", "literal_error", KINDS)
    refused = client.get("/rectifications", params={"status": "撤销"}, headers=office)
    assert _refusal(refused) == (422, "query.status", "literal_error", ORDER_STATES)
    # A vocabulary of Chinese words names each once.
    refused = client.get("/visits", params={"kind": "突击检查"}, headers=office)
    assert _refusal(refused) == (422, "query.kind", "literal_error", METHODS)


def test_an_order_is_verified_and_filtered_in_chinese(world: tuple[Cluster, County]) -> None:
    cluster, luohe = world
    client, office = cluster["inspection"], luohe.keys["office"]
    order_id = order(client, luohe)
    report = {"text": "已整改到位并张贴公示"}
    created(client, f"/rectifications/{order_id}/report", report, luohe.keys["unit"])
    verdict = {"outcome": "通过", "reason": "整改到位"}
    verified = created(client, f"/rectifications/{order_id}/verification", verdict, office)
    assert verified["status"] == "accepted"
    accepted = _listed(client, "/rectifications", office, status="已通过")
    assert [o["order_id"] for o in accepted] == [order_id]


def test_a_task_kind_is_taken_and_filtered_by_name(world: tuple[Cluster, County]) -> None:
    cluster, luohe = world
    client, office = cluster["inspection"], luohe.keys["office"]
    made = created(client, "/tasks", task_body(luohe, kind="重点项目"), office)
    assert made["kind"] == "key_project"
    found = _listed(client, "/tasks", office, kind="重点项目", status="已交办")
    assert [t["task_id"] for t in found] == [made["task_id"]]


def test_the_schema_lists_codes_then_names(world: tuple[Cluster, County]) -> None:
    client = world[0]["inspection"]
    openapi = client.get("/openapi.json").json()
    kind = openapi["components"]["schemas"]["ComplaintIn"]["properties"]["kind"]
    assert kind["enum"] == [
        *("emergency", "consultation", "complaint", "suggestion"),
        *("紧急", "咨询", "投诉", "建议"),
    ]
    [status] = [p for p in openapi["paths"]["/tasks"]["get"]["parameters"] if p["name"] == "status"]
    assert "已交办" in str(status["schema"]), status


def test_an_evidence_type_refusal_says_each_type_in_chinese(world: tuple[Cluster, County]) -> None:
    cluster, luohe = world
    headers = luohe.keys["inspector"] | {"Content-Type": "image/gif"}
    refused = cluster["inspection"].post("/evidence", content=b"GIF89a", headers=headers)
    assert refused.status_code == 422, refused.text
    (detail,) = refused.json()["detail"]
    assert detail["field"] == "Content-Type"
    assert detail["reason"].startswith(
        "须为以下类型之一: image/jpeg（JPEG 图片）、image/png（PNG 图片）、audio/mpeg（MP3 录音）、"
        "audio/mp4（M4A 录音）、application/pdf（PDF 文件） (must be one of image/jpeg"
    ), detail
