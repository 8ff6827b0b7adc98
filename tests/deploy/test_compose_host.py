"""deploy/compose.host.yaml (host networking) agrees with the code it deploys.

The real file must report nothing; broken copies written to tmp_path must report the
breakage, so no check passes by checking nothing. scripts/image-smoke.sh runs the services
with this file's commands and environment (tests/deploy/test_image_smoke.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.compose_checks import APP_PORTS, load_compose, load_pyproject
from tests.deploy.compose_host_checks import (
    HOST_COMPOSE,
    check_host_service,
    check_host_service_set,
)

HOST_TEXT = HOST_COMPOSE.read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str) -> dict[str, Any]:
    assert old in HOST_TEXT, f"{old!r} is not in compose.host.yaml"
    path = tmp_path / "compose.host.yaml"
    path.write_text(HOST_TEXT.replace(old, new, 1), encoding="utf-8")
    return load_compose(path)


def test_host_compose_has_exactly_the_five_services() -> None:
    assert check_host_service_set(load_compose(HOST_COMPOSE)) == []


@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_host_service_is_consistent_with_its_settings(service: str) -> None:
    assert check_host_service(load_compose(HOST_COMPOSE), service, load_pyproject()) == []


HOST_BREAKAGES = [
    # (service, old text, new text, expected in a problem)
    ("registry", "  network_mode: host\n", "", "network_mode"),
    ("registry", "    network: host\n", "", "build"),
    ("survey", "PORT: ${PINGYI_SURVEY_PORT:-8702}", "PORT: 8702", "PORT"),
    # the probe must call the address the service binds, not 127.0.0.1 whatever it binds
    (
        "registry",
        '"pingyi-probe", "/readyz"',
        '"pingyi-probe", "http://127.0.0.1:${PINGYI_REGISTRY_PORT:-8701}/readyz"',
        "healthcheck",
    ),
    ("registry", '"pingyi-probe", "/readyz"', '"pingyi-probe", "/healthz"', "healthcheck"),
    ("survey", "${PINGYI_SURVEY_VOTER_KEY:?", "${PINGYI_SURVEY_VOTER_KEY:-", "VOTER_KEY"),
    ("survey", "      PINGYI_SURVEY_VOTER_KEY:", "      # PINGYI_SURVEY_VOTER_KEY:", "VOTER_KEY"),
    ("reporting", "PINGYI_REPORTING_PORT:-8705}\n", "PINGYI_REPORTING_PORT:-8750}\n", "binds"),
    ("inspection", "PINGYI_INSPECTION_HOST:", "PINGYI_INSPECTOIN_HOST:", "INSPECTOIN"),
    ("registry", "127.0.0.1:5432/pingyi}", "db:5432/pingyi}", "database"),
    ("survey", "nats://127.0.0.1:4222}", "nats://nats:4222}", "NATS"),
    ("survey", "PINGYI_MODE: production", "PINGYI_MODE: embedded", "production"),
    ("registry", "${PINGYI_BOOTSTRAP_ADMIN_KEY:?set it}", "${PINGYI_BOOTSTRAP_ADMIN_KEY:-}", "KEY"),
    ("registry", "stop_grace_period: 30s", "stop_grace_period: 5s", "stop_grace_period"),
    ("survey", "${PINGYI_SEAL_KEY:?", "${PINGYI_SEAL_KEY:-", "PINGYI_SEAL_KEY"),
    ("scoring", '"serve", "scoring"', '"serve", "score"', "command"),
    ("registry", "  network_mode: host\n", "  network_mode: host\n  ports: ['1:1']\n", "ports"),
]


@pytest.mark.parametrize(("service", "old", "new", "expected"), HOST_BREAKAGES)
def test_broken_host_compose_copy_fails(
    tmp_path: Path, service: str, old: str, new: str, expected: str
) -> None:
    problems = check_host_service(broken(tmp_path, old, new), service, load_pyproject())
    assert any(expected in problem for problem in problems), problems


def test_a_bridge_network_in_the_host_variant_is_reported(tmp_path: Path) -> None:
    compose = broken(tmp_path, "\nservices:\n", "\nnetworks:\n  default: {}\n\nservices:\n")
    assert check_host_service_set(compose) == [
        "networks are declared; the host variant uses the host's network only"
    ]
