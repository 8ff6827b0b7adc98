"""A registry and a survey running for a whole module (memory mode), and the world seeded in
them: for a module whose tests each open a wave of their own and so need no fresh cluster.
Imported under the names of the per-test fixtures of tests/survey/conftest.py, which the
module's own then replace: `from tests.survey.module_world import cluster, world`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.survey.helpers import World, seed_world


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry", "survey"]) as running:
        yield running


@pytest.fixture(scope="module")
def world(cluster: Cluster) -> World:
    return seed_world(cluster)
