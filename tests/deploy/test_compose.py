"""deploy/compose.yaml and deploy/Dockerfile agree with the code they deploy.

Each check is run on the real files (must report nothing) and on broken copies written to
tmp_path (must report the breakage), so none of them can pass by checking nothing.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from pingyi.catalog import NAMES as SERVICES
from tests.deploy.compose_checks import (
    APP_PORTS,
    DEPLOY,
    ROOT,
    MissingVariable,
    check_app_service,
    check_infrastructure,
    check_service_set,
    interpolate,
    load_compose,
    load_pyproject,
)
from tests.deploy.image_checks import check_constraints, check_dockerfile

COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
DOCKERFILE_TEXT = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def broken_compose(tmp_path: Path, old: str, new: str, count: int = 1) -> dict[str, Any]:
    """The compose file with one edit, written to and read back from tmp_path."""
    assert COMPOSE_TEXT.count(old) >= count, f"{old!r} is not in compose.yaml"
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE_TEXT.replace(old, new, count), encoding="utf-8")
    return load_compose(path)


def new_problems(before: list[str], after: list[str]) -> list[str]:
    return [p for p in after if p not in before]


# --- the real files --------------------------------------------------------------------------


def test_compose_has_exactly_the_five_services_and_infrastructure() -> None:
    assert check_service_set(load_compose()) == []


@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_app_service_is_consistent_with_its_settings(service: str) -> None:
    assert check_app_service(load_compose(), service, load_pyproject()) == []


def test_nats_and_postgres_are_persistent_and_health_checked() -> None:
    assert check_infrastructure(load_compose()) == []


def test_dockerfile_installs_the_project_and_runs_it_unprivileged() -> None:
    assert check_dockerfile(DOCKERFILE_TEXT, load_compose()) == []


def test_image_constraints_pin_what_pyproject_pins() -> None:
    constraints = (DEPLOY / "constraints.txt").read_text(encoding="utf-8")
    assert check_constraints(load_pyproject(), constraints) == []


def test_console_script_has_a_serve_command() -> None:
    """`pingyi serve <service>` is what every container runs; an unknown service is refused,
    so the names compose passes are checked against the same list (pingyi.catalog)."""
    target = load_pyproject()["project"]["scripts"]["pingyi"]
    module, _, attr = target.partition(":")
    app = getattr(importlib.import_module(module), attr)
    assert isinstance(app, typer.Typer), f"{target} is not a Typer app"
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(app, ["serve", "no-such-service"])
    assert refused.exit_code != 0, refused.output
    assert set(APP_PORTS) <= set(SERVICES)


def test_admin_key_is_required_to_interpolate() -> None:
    with pytest.raises(MissingVariable):
        interpolate("${PINGYI_BOOTSTRAP_ADMIN_KEY:?set it}", {})
    with pytest.raises(MissingVariable):
        interpolate("${PINGYI_BOOTSTRAP_ADMIN_KEY:?set it}", {"PINGYI_BOOTSTRAP_ADMIN_KEY": ""})
    assert interpolate("a${X:-b}c$$", {}) == "abc$"


# --- broken copies are caught ----------------------------------------------------------------

COMPOSE_BREAKAGES = [
    # (service, old text, new text, expected in a new problem)
    ("registry", "PINGYI_REGISTRY_PORT:", "PINGYI_REGISTRY_PROT:", "PINGYI_REGISTRY_PROT"),
    ("survey", "PINGYI_NATS_URL:", "PINGYI_NAT_URL:", "PINGYI_NAT_URL"),
    ("inspection", '"serve", "inspection"', '"serve", "inspections"', "command"),
    ("scoring", '"8704:8704"', '"8704:8740"', "ports"),
    (
        "registry",
        '"pingyi-probe", "/readyz"',
        '"pingyi-probe", "http://127.0.0.1:8750/readyz"',
        "healthcheck",
    ),
    ("registry", '"pingyi-probe", "/readyz"', '"pingyi-probe", "/healthz"', "healthcheck"),
    ("registry", "condition: service_healthy", "condition: service_started", "healthy"),
    ("registry", "stop_grace_period: 30s", "stop_grace_period: 5s", "stop_grace_period"),
    (
        "registry",
        "${PINGYI_BOOTSTRAP_ADMIN_KEY:?set it}",
        "${PINGYI_BOOTSTRAP_ADMIN_KEY:-}",
        "PINGYI_BOOTSTRAP_ADMIN_KEY",
    ),
    ("scoring", "${PINGYI_SEAL_KEY:?", "${PINGYI_SEAL_KEY:-", "PINGYI_SEAL_KEY"),
    # public voting answers 503 voting_unavailable without the voter key
    ("survey", "${PINGYI_SURVEY_VOTER_KEY:?", "${PINGYI_SURVEY_VOTER_KEY:-", "VOTER_KEY"),
    ("survey", "PINGYI_SURVEY_VOTER_KEY: $", "PINGYI_SURVEY_VOTER_KEYS: $", "VOTER_KEY"),
    (
        "registry",
        "PINGYI_REGISTRY_CONTACT_KEY: ${",
        "PINGYI_REGISTRY_CONTACT_KEY: x${",
        "PINGYI_REGISTRY_CONTACT_KEY",
    ),
    ("scoring", "KEY: ${PINGYI_SEAL_KEY:?", "KEY: x${PINGYI_SEAL_KEY:?", "PINGYI_SEAL_KEY"),
    ("survey", "PINGYI_SURVEY_HOST: 0.0.0.0", "PINGYI_SURVEY_HOST: 127.0.0.1", "0.0.0.0"),
    ("survey", "PINGYI_MODE: production", "PINGYI_MODE: embedded", "production"),
    ("survey", "PINGYI_MODE: production", "PINGYI_MODE: prod", "reject"),
    ("registry", "@postgres:5432/pingyi", "@postgres:5432/other", "database URL"),
    # a variable that belongs to another service is read by nobody here
    (
        "registry",
        "PINGYI_REGISTRY_HOST: 0.0.0.0",
        'PINGYI_REGISTRY_HOST: 0.0.0.0\n      PINGYI_SURVEY_PORT: "8702"',
        "PINGYI_SURVEY_PORT",
    ),
]


@pytest.mark.parametrize(("service", "old", "new", "expected"), COMPOSE_BREAKAGES)
def test_broken_compose_copy_fails(
    tmp_path: Path, service: str, old: str, new: str, expected: str
) -> None:
    pyproject = load_pyproject()
    before = check_app_service(load_compose(), service, pyproject)
    after = check_app_service(broken_compose(tmp_path, old, new), service, pyproject)
    found = new_problems(before, after)
    assert any(expected in problem for problem in found), found


def test_missing_service_settings_module_fails_rather_than_skips(tmp_path: Path) -> None:
    def absent(service: str) -> Any:
        return importlib.import_module(f"services.{service}.no_such_settings").Settings

    problems = check_app_service(load_compose(), "survey", load_pyproject(), absent)
    assert any("cannot be loaded" in p for p in problems), problems


def test_undeclared_console_script_fails() -> None:
    pyproject = load_pyproject()
    pyproject["project"]["scripts"] = {"pingyi-server": "pingyi.cli:app"}
    problems = check_app_service(load_compose(), "registry", pyproject)
    assert any("console script" in p for p in problems), problems


INFRA_BREAKAGES = [
    ('["-js", "-sd", "/data", "-m", "8222"]', '["-sd", "/data", "-m", "8222"]', "JetStream"),
    ("- nats-data:/data", "- nats-data:/elsewhere", "volume"),
    ("http://127.0.0.1:8222/healthz", "http://127.0.0.1:4222/", "healthz"),
    ("POSTGRES_DB: pingyi", "POSTGRES_DB: postgres", "POSTGRES_DB"),
    ('["CMD", "pg_isready"', '["CMD", "true"', "pg_isready"),
]


@pytest.mark.parametrize(("old", "new", "expected"), INFRA_BREAKAGES)
def test_broken_infrastructure_copy_fails(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    problems = check_infrastructure(broken_compose(tmp_path, old, new))
    assert any(expected in p for p in problems), problems


def test_extra_service_is_reported(tmp_path: Path) -> None:
    compose = broken_compose(
        tmp_path, "  registry:\n", "  registry-old:\n    image: x\n  registry:\n"
    )
    assert check_service_set(compose) == ["unexpected service 'registry-old'"]


DOCKERFILE_BREAKAGES = [
    ("USER pingyi:pingyi\n", "", "USER"),
    ("USER pingyi:pingyi\n", "USER root\n", "root"),
    ('CMD ["pingyi", "--help"]', 'ENTRYPOINT ["pingyi"]\nCMD ["--help"]', "ENTRYPOINT"),
    ('CMD ["pingyi", "--help"]', "CMD pingyi --help", "CMD"),
    (
        "-c /src/deploy/constraints.txt . \\",
        "-c /src/deploy/constraints.txt -e . \\",
        "dev install",
    ),
    ("-c /src/deploy/constraints.txt . \\", "-c /src/deploy/constraints.txt \\", "pip-installs"),
    ('ENTRYPOINT ["tini", "-e", "143", "--"]\n', "", "PID 1"),
    ('ENTRYPOINT ["tini", "-e", "143", "--"]', 'ENTRYPOINT ["tini", "--"]', "143"),
    ('ENTRYPOINT ["tini", "-e", "143", "--"]', 'ENTRYPOINT ["tini", "-e", "143"]', "prefixed"),
    ("--no-install-recommends tini", "--no-install-recommends curl", "not installed"),
    ("FROM python:3.11-slim\n", "FROM python:3.12\n", "python:3.11-slim"),
    ("PATH=/opt/pingyi/bin:$PATH", "PATH=$PATH", "PATH"),
    ("COPY --chmod=0755 deploy/probe.py", "COPY --chmod=0755 deploy/probe2.py", "probe"),
    ('CMD ["pingyi-probe", "/healthz"]', 'CMD ["true"]', "HEALTHCHECK"),
    (
        "COPY pyproject.toml setup.py /src/",
        "COPY pyproject.toml setup.py NO_SUCH_FILE.md /src/",
        "NO_SUCH_FILE",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), DOCKERFILE_BREAKAGES)
def test_broken_dockerfile_copy_fails(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in DOCKERFILE_TEXT, old
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE_TEXT.replace(old, new, 1), encoding="utf-8")
    problems = check_dockerfile(path.read_text(encoding="utf-8"), load_compose(), ROOT)
    assert any(expected in p for p in problems), problems


def test_constraints_drift_is_reported() -> None:
    constraints = (DEPLOY / "constraints.txt").read_text(encoding="utf-8")
    drifted = constraints.replace("fastapi==", "fastapi==0.0.1\n# was ")
    problems = check_constraints(load_pyproject(), drifted)
    assert any("fastapi" in p for p in problems), problems
    with_test_dep = constraints + "pytest==9.2.0\n"
    assert any("pytest" in p for p in check_constraints(load_pyproject(), with_test_dep))
