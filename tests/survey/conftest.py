"""What the survey tests set up alike: a registry and a survey running for one test (memory
mode), the world seeded in them and a wave opened in it; and the survey application alone,
its registry copy fed by contracts (`Setup`). A module whose variant differs (a cluster for
the whole module, a world with a campaign) defines its own fixture of the same name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, seed_world
from tests.survey.test_application import Setup


@pytest.fixture
def cluster(common: CommonSettings) -> Iterator[Cluster]:
    """Registry and survey, in memory mode; on SQLite files in a module marked
    `pytest.mark.parametrize("common", ["embedded"], indirect=True)`."""
    with Cluster(common, ["registry", "survey"]) as running:
        yield running


@pytest.fixture
def world(cluster: Cluster) -> World:
    return seed_world(cluster)


@pytest.fixture
def wave(cluster: Cluster, world: World) -> dict[str, Any]:
    return open_wave(cluster, world)


@pytest.fixture
def setup() -> Iterator[Setup]:
    s = Setup()
    yield s
    s.app.close()
    s.views.close()
