"""A yes-or-no in a survey request's body is JSON `true` or `false`: `1`, `"true"` or `"yes"`
is a 422 naming the field (Chinese first, as every service answers it), never read as true
(`{"public": 1}` opened a public wave). Query parameters arrive as text and stay as they
were (an upload's `?all_or_nothing=true`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, questionnaire, seed_world, wave_body

WRONG = [1, "true", "yes"]
REASON = "须为 true 或 false (Input should be a valid boolean)"
TEMPLATE_FIELDS = ("opinions", "recommendations", "asks_group", "asks_district")


@dataclass
class Setting:
    cluster: Cluster
    world: World
    template_id: str
    wave_id: str
    pushed: list[int]

    def template(self) -> dict[str, Any]:
        return {"jurisdiction_id": self.world.county_id, "name": "问卷", "scale": "four_level"}

    def batch(self) -> dict[str, Any]:
        # A questionnaire id of its own each time, so every accepted push records anew.
        self.pushed.append(len(self.pushed))
        row = questionnaire(f"Q-{len(self.pushed)}", list(self.world.unit_ids))
        return {"questionnaires": [row]}


@dataclass(frozen=True)
class Case:
    """A body boolean: where it is posted, by whom, in what body, and at what place."""

    name: str
    path: Callable[[Setting], str]
    body: Callable[[Setting], dict[str, Any]]
    place: tuple[str, ...]
    agency: bool = False


def _waves(_: Setting) -> str:
    return "/waves"


def _templates(_: Setting) -> str:
    return "/templates"


def _versions(s: Setting) -> str:
    return f"/templates/{s.template_id}/versions"


def _pushes(s: Setting) -> str:
    return f"/waves/{s.wave_id}/questionnaires:batch"


def _revision(s: Setting) -> dict[str, Any]:
    return {"name": "问卷", "scale": "four_level", "reason": "修订"}


CASES = [
    Case("waves.public", _waves, lambda s: wave_body(s.world), ("public",)),
    *(
        Case(f"waves.integrity.{name}", _waves, lambda s: wave_body(s.world), ("integrity", name))
        for name in ("identical_across_ids", "over_quota")
    ),
    *(Case(f"templates.{f}", _templates, Setting.template, (f,)) for f in TEMPLATE_FIELDS),
    *(Case(f"versions.{f}", _versions, _revision, (f,)) for f in TEMPLATE_FIELDS),
    Case("batch.all_or_nothing", _pushes, Setting.batch, ("all_or_nothing",), agency=True),
]


@pytest.fixture(scope="module")
def setting() -> Iterator[Setting]:
    with Cluster(in_memory(), ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        template = {"jurisdiction_id": world.county_id, "name": "问卷", "scale": "four_level"}
        answer = cluster["survey"].post(
            "/templates", json=template, headers=world.county_office.headers
        )
        wave_id = open_wave(cluster, world)["wave_id"]
        yield Setting(cluster, world, created(answer)["template_id"], wave_id, [])


def _with(body: dict[str, Any], place: tuple[str, ...], value: Any) -> dict[str, Any]:
    head, rest = place[0], place[1:]
    return body | {head: value if not rest else _with(body.get(head, {}), rest, value)}


def _post(setting: Setting, case: Case, value: Any) -> Any:
    caller = setting.world.agency if case.agency else setting.world.county_office
    body = _with(case.body(setting), case.place, value)
    return setting.cluster["survey"].post(case.path(setting), json=body, headers=caller.headers)


@pytest.mark.parametrize("value", WRONG, ids=repr)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_body_boolean_is_json_true_or_false(setting: Setting, case: Case, value: Any) -> None:
    answer = _post(setting, case, value)
    assert answer.status_code == 422, answer.text
    field = "body." + ".".join(case.place)
    assert answer.json()["detail"] == [
        {"field": field, "reason": REASON, "code": "bool_type", "type": "bool_type"}
    ], answer.text


@pytest.mark.parametrize("value", [True, False], ids=repr)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_true_and_false_are_taken(setting: Setting, case: Case, value: bool) -> None:
    answer = _post(setting, case, value)
    assert answer.status_code in (200, 201), answer.text
    if case.agency:
        return  # a push answers with what it recorded, not with its options
    shown = answer.json()
    for part in case.place:
        shown = shown[part]
    assert shown is value
