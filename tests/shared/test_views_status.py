"""How a views process's row reads in its API process's reports (shared/service/views_status.py):
only the consumers the service declares, never a row that reports none of them, and a
process that has not reported yet judged after PINGYI_VIEWS_START_GRACE_SECONDS."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pingyi.composition import default_transport
from shared.instance import INSTANCE_KEY
from shared.registry_view import SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.supervisor import ChildProcess
from shared.service.views_status import (
    STATUS_COLLECTION,
    STATUS_SCOPE,
    ConsumerStatusWriter,
    Expected,
    _aged,
    api_key,
    child_reports,
    owner_key,
)
from shared.settings import CommonSettings, ServiceSettings, SettingsRefused, load_settings
from shared.views import ViewStore
from shared.views.memory import MemoryViewStore
from tests.shared.test_security_copy import FRAGILE, _probe
from tests.shared.test_supervisor import until

DECLARED = Expected("probe-fragile-v2", "registry", "fragile")
ROOT = Path(__file__).resolve().parents[2]
# A views process as `pingyi serve` starts it: says the key it writes its row under.
SAY_OWNER_KEY = """
import pathlib, sys, time
sys.path.insert(0, sys.argv[1])
from shared.service.views_status import owner_key
said = pathlib.Path(sys.argv[2])
said.with_suffix(".part").write_text(owner_key())
said.with_suffix(".part").rename(said)
time.sleep(120)
"""


def test_a_rows_age_is_added_to_the_millisecond_without_float_noise() -> None:
    """0.1 + 0.7 is 0.7999999999999999 in floats; /readyz showed such figures."""
    assert _aged({"seconds_since_caught_up": 0.1}, 0.7)["seconds_since_caught_up"] == 0.8
    assert _aged({"seconds_since_caught_up": None}, 0.7)["seconds_since_caught_up"] is None


def status(consumer: str, position: int) -> dict[str, Any]:
    """One consumer as a views process writes it (`ConsumerStatus.as_dict`)."""
    return {
        "consumer": consumer,
        "upstream": "registry",
        "last_position": position,
        "applied": position,
        "duplicates": 0,
        "skipped": 0,
        "stalled": False,
        "stalled_reason": None,
        "stalled_at": None,
        "leading": True,
        "seconds_since_caught_up": 0.1,
        "pending": 0,
    }


def write_row(
    views: ViewStore, key: str, pid: int, *consumers: dict[str, Any], age: float = 0
) -> None:
    """A row of a running process, as `ConsumerStatusWriter` writes it, `age` seconds ago."""
    row = {
        "consumers": list(consumers),
        "state": "running",
        "pid": pid,
        "updated_at": time.time() - age,
    }
    with views.transaction(STATUS_SCOPE) as tx:
        tx.put(STATUS_COLLECTION, key, row)


def test_a_row_reporting_only_consumers_no_longer_declared_is_ignored() -> None:
    """A views process of the release before, which ran the view as v1, still writes its
    row: it says nothing about v2, neither that the views process is current nor, by its
    being there, that v2's process has stopped reporting."""
    views = MemoryViewStore()
    write_row(views, "old-host:7", 7, status("probe-fragile-v1", 40))
    reports, process = child_reports(views, [DECLARED], child=None, running_for=1, grace=30)
    assert [r["consumer"] for r in reports] == ["probe-fragile-v2"]
    [v2] = reports
    assert v2["last_position"] is None and not v2["stalled"], v2
    assert process == {"runs": "own_process", "current": False}, process

    # Once the new release's process writes, v2 is reported from its row, and only that
    # row speaks for the views process (the old one's fresher row is still ignored).
    write_row(views, "new-host:8", 8, status("probe-fragile-v2", 12))
    write_row(views, "old-host:7", 7, status("probe-fragile-v1", 41))
    reports, process = child_reports(views, [DECLARED], child=None, running_for=1, grace=30)
    assert [(r["consumer"], r["last_position"]) for r in reports] == [("probe-fragile-v2", 12)]
    assert process["current"] and process["pid"] == 8, process


def test_replicas_on_one_host_with_one_pid_each_read_their_own_views_process() -> None:
    """Two replicas with host networking: one host name, and pid 7 in each container. This
    replica's views process has stopped, the other's runs. Keyed by host and pid alone, the
    two wrote one row, and the running one's report hid the stopped one."""
    views = MemoryViewStore()
    stopped = asyncio.Event()
    stopped.set()
    asyncio.run(ConsumerStatusWriter(views, []).run(stopped))  # its last row, and no more
    other = owner_key(instance="b71e04")  # the other replica's child: same host, same pid
    write_row(views, other, 12, status("probe-fragile-v2", 41))
    mine = ChildProcess("probe-views", [sys.executable, "-c", "pass"])  # never started
    [fragile], process = child_reports(views, [DECLARED], child=mine, running_for=1, grace=30)
    assert fragile["stalled"] and fragile["last_position"] is None, fragile
    assert process["state"] == "stopped" and not process["current"], process


def test_a_views_process_reports_under_the_key_of_the_api_process_that_started_it(
    tmp_path: Path,
) -> None:
    """It inherits its parent's instance id: the id is the parent's, the pid its parent's."""
    said = tmp_path / "owner_key"
    child = ChildProcess("probe-views", [sys.executable, "-c", SAY_OWNER_KEY, str(ROOT), str(said)])
    child.start()
    try:
        until(said.exists, "the views process said its key")
    finally:
        child.stop()
    assert said.read_text() == api_key()


def test_the_instance_id_reaches_a_child_whose_environment_was_copied_without_it(
    tmp_path: Path,
) -> None:
    """A ChildProcess keeps the environment it was built with: one built from an environment
    that does not carry the id (copied before `shared.instance` was first imported, or
    given explicitly) still starts its child with this process's id."""
    said = tmp_path / "owner_key"
    env = {k: v for k, v in os.environ.items() if k != INSTANCE_KEY}
    command = [sys.executable, "-c", SAY_OWNER_KEY, str(ROOT), str(said)]
    child = ChildProcess("probe-views", command, env=env)
    child.start()
    try:
        until(said.exists, "the views process said its key")
    finally:
        child.stop()
    assert said.read_text() == api_key()


def test_a_row_of_a_release_before_the_instance_id_is_no_api_process_s_own() -> None:
    """A rolling upgrade with host networking: the new API process has the host and the pid
    (7) its predecessor had, whose views process wrote under `host:7`. That row is not the
    new one's child's (which has not reported yet: not stalled within the grace); to a
    replica without a views process of its own it is a row like any other."""
    views = MemoryViewStore()
    write_row(views, f"{socket.gethostname()}:{os.getpid()}", 7, status(DECLARED.consumer, 40))
    mine = ChildProcess("probe-views", [sys.executable, "-c", "pass"])  # never started
    [own], process = child_reports(views, [DECLARED], child=mine, running_for=1, grace=30)
    assert own["last_position"] is None and not own["stalled"], own
    assert "pid" not in process and not process["current"], process
    [apart], process = child_reports(views, [DECLARED], child=None, running_for=1, grace=30)
    assert apart["last_position"] == 40 and process["pid"] == 7, (apart, process)


def test_a_views_process_not_reported_yet_is_stalled_only_after_the_grace() -> None:
    views = MemoryViewStore()
    [early] = child_reports(views, [DECLARED], child=None, running_for=45, grace=60)[0]
    assert not early["stalled"] and early["stalled_reason"] is None, early
    [late] = child_reports(views, [DECLARED], child=None, running_for=61, grace=60)[0]
    assert late["stalled"], late
    assert late["stalled_reason"] == "the views process has not reported yet", late


def apart_reports(common: CommonSettings, set_up_ago: float) -> list[dict[str, Any]]:
    """The consumers a service whose views run apart reports, `set_up_ago` seconds after it
    set up its views, no views process having reported."""
    apart = ServiceSettings(views_in_process=False)
    definition = _probe((SECURITY_VIEW, FRAGILE))
    runtime = ServiceRuntime(definition, common, apart, default_transport(common))
    runtime.started_at = time.monotonic() - set_up_ago
    return [r for r in runtime.consumer_reports() if r["runs"] == "own_process"]


def test_the_grace_is_the_setting(memory_settings: CommonSettings) -> None:
    """A views process that may take longer to start (waiting for a `pingyi rebuild` of its
    service, a slow node) is given longer than the default 30 s before it is paged for."""
    [default] = apart_reports(memory_settings, set_up_ago=45)
    assert default["stalled"], default
    longer = memory_settings.model_copy(update={"views_start_grace_seconds": 60.0})
    [given] = apart_reports(longer, set_up_ago=45)
    assert not given["stalled"] and given["consumer"] == "probe-fragile-v1", given


@pytest.mark.parametrize("value", ["0", "-5", "3601", "soon"])
def test_a_grace_that_is_not_a_positive_duration_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PINGYI_VIEWS_START_GRACE_SECONDS", value)
    with pytest.raises(SettingsRefused) as refused:
        load_settings(CommonSettings)
    [problem] = refused.value.problems
    assert problem.startswith("PINGYI_VIEWS_START_GRACE_SECONDS: "), problem


def test_the_grace_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINGYI_VIEWS_START_GRACE_SECONDS", raising=False)
    assert load_settings(CommonSettings).views_start_grace_seconds == 30.0
    monkeypatch.setenv("PINGYI_VIEWS_START_GRACE_SECONDS", "120")
    assert load_settings(CommonSettings).views_start_grace_seconds == 120.0
