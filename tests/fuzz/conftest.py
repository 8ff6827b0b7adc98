"""One embedded cluster of all five services, seeded once and shared by the fuzz tests
(package scope: it stops when they are done, not at the end of the whole run).

Starting five services and seeding them costs seconds; per-test clusters would spend the
suite's time budget on set-up instead of on generated requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pingyi.catalog import NAMES as SERVICES
from shared.settings import CommonSettings
from tests.conftest import ADMIN_KEY
from tests.fuzz.seed import Fuzzed, seed_state
from tests.harness import Cluster


@pytest.fixture(scope="package")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    # The same settings as tests/conftest.py's `embedded_settings`, at session scope.
    common = CommonSettings(
        mode="embedded",
        data_dir=tmp_path_factory.mktemp("fuzz"),
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
    )
    with Cluster(common, SERVICES) as cluster:
        yield Fuzzed(cluster, seed_state(cluster))
