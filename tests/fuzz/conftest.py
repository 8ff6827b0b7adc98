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
from tests.fuzz.seed import Fuzzed, Seeded, seed_state
from tests.harness import ADMIN, Cluster


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
        seeded = seed_state(cluster)
        seeded.add(UPLOAD_WAVE, _upload_wave(cluster, seeded))
        yield Fuzzed(cluster, seeded)


UPLOAD_WAVE = "upload_wave_id"
"""A wave for tests/fuzz/test_uploads.py alone: no parameter has this name, so no generated
request closes it or renames its units before the upload tests run."""


def _upload_wave(cluster: Cluster, seeded: Seeded) -> str:
    body = {
        "name": "2026年度问卷导入测试",
        "jurisdiction_id": seeded.ids["jurisdiction_id"][0],
        "agency_id": seeded.ids["principal_id"][0],
        "unit_ids": seeded.ids["unit_id"],
    }
    opened = cluster["survey"].post("/waves", json=body, headers=ADMIN)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["wave_id"])


DOWNSTREAM_CHECK = "test_downstream.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The downstream check (test_downstream.py) runs after every other test that uses the
    shared cluster, whatever the files' order, so it sees all that they stored."""
    here = __file__.rsplit("/", 1)[0]
    last = [i for i in items if str(i.path) == f"{here}/{DOWNSTREAM_CHECK}"]
    if not last:
        return
    rest = [i for i in items if i not in last]
    users = [n for n, i in enumerate(rest) if "fuzzed" in getattr(i, "fixturenames", ())]
    at = users[-1] + 1 if users else len(rest)
    items[:] = [*rest[:at], *last, *rest[at:]]
