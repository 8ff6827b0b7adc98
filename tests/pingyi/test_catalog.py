"""A service's process loads that service only: `pingyi serve`, its relay and its views each
pay for building one service's models and routes, not all five; and the relay and views
processes, which serve no HTTP, load neither the service's API (`ServiceDefinition.api`) nor
the web packages it is built on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pingyi.catalog import NAMES, definition, every_service

# What `pingyi serve <name>` builds before uvicorn starts, and what its relay and views
# processes open: the app, the log opener and the view consumers.
_LOADS = """
import sys
from pingyi.composition import create_app, open_outbox
from pingyi.catalog import definition
from shared.settings import CommonSettings
name = sys.argv[1]
common = CommonSettings(mode="production", database_url="postgresql://127.0.0.1:1/none")
create_app(name, common)
definition(name).views
print(",".join(sorted({m.split(".")[1] for m in sys.modules if m.startswith("services.")})))
"""


@pytest.mark.parametrize("name", NAMES)
def test_a_service_process_loads_no_other_service(name: str) -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", _LOADS, name], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded.split(",") == [name]


# What `pingyi relay <name>` and `pingyi views <name>` load before they run (pingyi.cli): the
# web packages among them; and the service's modules that hold a router, before and after
# the definition's `api` is called.
_CHILD_LOADS = """
import json, sys
import pingyi.cli
from pingyi.composition import open_outbox
from pingyi.catalog import definition
import shared.messaging.relay_process, shared.service.views_process
service = definition(sys.argv[1])
service.views
web = sorted(top for top in sys.argv[2:] if top in sys.modules)
from fastapi import APIRouter
def routed():
    return sorted(
        name for name, module in list(sys.modules.items())
        if name.startswith("services.")
        and any(isinstance(value, APIRouter) for value in vars(module).values())
    )
before = routed()
service.routers
print(json.dumps([web, before, routed()]))
"""

# A child serves no HTTP and sends no text message: each of these is start-up time for
# nothing (together about a third of a child's imports). Scoring's engine counts with numpy
# in its consumers, so only the others are held to leaving it out.
_NOT_IN_CHILDREN = ("fastapi", "starlette", "uvicorn", "httpx", "limits")


@pytest.mark.parametrize("name", NAMES)
def test_the_relay_and_views_processes_leave_the_api_unloaded(name: str) -> None:
    unwanted = _NOT_IN_CHILDREN if name == "scoring" else (*_NOT_IN_CHILDREN, "numpy")
    web, before, after = json.loads(
        subprocess.run(
            [sys.executable, "-c", _CHILD_LOADS, name, *unwanted],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert web == [], "loaded by a process that serves no HTTP (python -X importtime says who)"
    assert before == []
    assert after, "the service's routers were found nowhere"


def test_names_are_the_services_own_names() -> None:
    assert tuple(service.name for service in every_service()) == NAMES


def test_an_unknown_service_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="registry, survey, inspection, scoring, reporting"):
        definition("billing")
