"""A cycle (届期) written otherwise than `2026` or `2026-2027` ("2026年") is refused in words
with an example, Chinese first, naming the field, as inspection's month is; not with the
pattern's "格式不符" and a regular expression no office reads. Appointments, draws and the
two reads that filter by cycle say it alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.registry.domain.errors import InvalidRegistration
from services.registry.domain.person_values import Cycle
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post
from tests.registry.people_helpers import COMMITMENT, office_body, person

WORDS = (
    "须为年份或年份区间, 如 2026 或 2026-2027 (must be a year or a range of years, "
    "e.g. 2026 or 2026-2027)"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry"]) as running:
        yield running


def _refusal(response: httpx.Response) -> tuple[int, str, str]:
    (detail,) = response.json()["detail"]
    return response.status_code, detail["field"], detail["reason"]


def test_a_cycle_in_another_form_is_said_in_words(cluster: Cluster) -> None:
    registry = cluster["registry"]
    city: str = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})[
        "jurisdiction_id"
    ]
    someone = person(cluster, city, "王某")
    for cycle in ("2026年", "2026—2027", "26-27"):
        appointment: dict[str, Any] = {"body": office_body(city), "cycle": cycle}
        refused = registry.post(
            f"/people/{someone['person_id']}/appointments", json=appointment, headers=ADMIN
        )
        assert _refusal(refused) == (422, "body.cycle", WORDS)
        draw = {"jurisdiction_id": city, "cycle": cycle, "size": 1, "commitment": COMMITMENT}
        refused = registry.post("/draws", json=draw, headers=ADMIN)
        assert _refusal(refused) == (422, "body.cycle", WORDS)
        listed = registry.get("/people", params={"cycle": cycle}, headers=ADMIN)
        assert _refusal(listed) == (422, "query.cycle", WORDS)
        rules = {"body": f"office:{city}", "cycle": cycle}
        checked = registry.get("/appointments/rules", params=rules, headers=ADMIN)
        assert _refusal(checked) == (422, "query.cycle", WORDS)
    # A well-formed cycle still passes the request model.
    appointment = {"body": office_body(city), "cycle": "2026"}
    taken = registry.post(
        f"/people/{someone['person_id']}/appointments", json=appointment, headers=ADMIN
    )
    assert taken.status_code == 200, taken.text


@pytest.mark.parametrize("text", ["2026年", "26", "2026/2027"])
def test_the_domain_says_it_in_the_same_words(text: str) -> None:
    """An import or a script reaches `Cycle.parse` without a request model in between."""
    with pytest.raises(InvalidRegistration) as refused:
        Cycle.parse(text, field="届期")
    assert (refused.value.reason, refused.value.field) == (WORDS, "届期")
