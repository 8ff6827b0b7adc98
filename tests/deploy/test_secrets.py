"""Every secret setting the code reads is wired wherever the services are deployed.

A secret is a `SecretStr` field of `CommonSettings` (prefix PINGYI_, every service) or of a
service's own settings class (PINGYI_<SERVICE>_). Each must be required by compose.yaml and
compose.host.yaml (`${VAR:?…}`: an unset one refuses to start instead of failing the first
request that needs it), come from a Secret in the service's Kubernetes Deployment, and be
in deploy/README.md's table as required; only OPTIONAL_SECRETS, each with its reason, are
exempt. (PINGYI_SURVEY_VOTER_KEY was in none of them, so public voting answered 503
voting_unavailable in every documented production deployment.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import CommonSettings
from tests.deploy import k8s_checks as k8s
from tests.deploy.compose_checks import (
    APP_PORTS,
    DEPLOY,
    OPTIONAL_SECRETS,
    check_secrets_wired,
    load_compose,
    required_secrets,
    secret_names,
    service_settings_class,
)
from tests.deploy.compose_host_checks import HOST_COMPOSE

README = (DEPLOY / "README.md").read_text(encoding="utf-8")
COMPOSE_FILES = {"compose.yaml": DEPLOY / "compose.yaml", "compose.host.yaml": HOST_COMPOSE}


def all_secrets() -> set[str]:
    return secret_names(CommonSettings).union(
        *(secret_names(service_settings_class(name)) for name in APP_PORTS)
    )


def test_the_secrets_are_found_in_the_settings() -> None:
    found = all_secrets()
    assert {
        "PINGYI_BOOTSTRAP_ADMIN_KEY",
        "PINGYI_SEAL_KEY",
        "PINGYI_REGISTRY_CONTACT_KEY",
        "PINGYI_SURVEY_VOTER_KEY",
    } <= found
    assert "PINGYI_SURVEY_VOTER_KEY" in required_secrets("survey")
    assert "PINGYI_SURVEY_VOTER_KEY" not in required_secrets("registry")
    # An exemption names a secret that exists.
    assert set(OPTIONAL_SECRETS) <= found


@pytest.mark.parametrize("file", sorted(COMPOSE_FILES))
@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_every_secret_is_required_by_compose(file: str, service: str) -> None:
    assert check_secrets_wired(load_compose(COMPOSE_FILES[file]), service) == []


@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_every_secret_comes_from_a_kubernetes_secret(service: str) -> None:
    deployment = next(
        d for d in k8s.of_kind(k8s.manifests(), "Deployment") if d["metadata"]["name"] == service
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert k8s.check_pod_secrets(service, container) == []


def required_in_readme(text: str) -> set[str]:
    return set(re.findall(r"^\| `(PINGYI_[A-Z_]+)` \| — \(required\) \|", text, re.MULTILINE))


def test_every_secret_is_in_the_readme_as_required() -> None:
    wanted = set().union(*(required_secrets(name) for name in APP_PORTS))
    assert wanted - required_in_readme(README) == set()


def test_a_secret_missing_from_the_readme_is_seen() -> None:
    stripped = "\n".join(
        line for line in README.splitlines() if not line.startswith("| `PINGYI_SURVEY_VOTER_KEY`")
    )
    assert "PINGYI_SURVEY_VOTER_KEY" not in required_in_readme(stripped)


# --- a secret added to the code tomorrow is reported wherever it is not wired ---------------


def with_new_secret(service: str) -> Any:
    base = service_settings_class(service)
    prefix = str(base.model_config.get("env_prefix"))

    class Extended(base):  # type: ignore[valid-type,misc]
        model_config = SettingsConfigDict(env_prefix=prefix, extra="ignore")
        webhook_token: SecretStr | None = None

    return Extended


@pytest.mark.parametrize("file", sorted(COMPOSE_FILES))
def test_a_new_secret_not_in_compose_is_reported(file: str) -> None:
    def loader(name: str) -> Any:
        return with_new_secret(name) if name == "inspection" else service_settings_class(name)

    problems = check_secrets_wired(load_compose(COMPOSE_FILES[file]), "inspection", loader)
    assert any("PINGYI_INSPECTION_WEBHOOK_TOKEN" in p for p in problems), problems


def test_a_new_secret_not_in_the_deployment_is_reported() -> None:
    deployment = next(
        d
        for d in k8s.of_kind(k8s.manifests(), "Deployment")
        if d["metadata"]["name"] == "inspection"
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    problems = k8s.check_pod_secrets("inspection", container, with_new_secret)
    assert problems == [
        "inspection: the secret PINGYI_INSPECTION_WEBHOOK_TOKEN is not set from a Secret"
    ]
