"""The registry alone, in memory, for each test: the fixture most registry tests share. A
module that needs another (a module-wide cluster, production too) defines its own `cluster`,
which pytest takes over this one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.settings import CommonSettings
from tests.harness import Cluster


@pytest.fixture
def cluster(memory_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(memory_settings, ["registry"]) as running:
        yield running
