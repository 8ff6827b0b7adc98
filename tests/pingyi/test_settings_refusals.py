"""A command given settings it cannot start with says so in one line per problem, naming the
variable and the reason, and exits 2: no traceback, and never a value (the whole environment
is a settings class's input: a validation error used to print the tail of PINGYI_SEAL_KEY).
Production mode refuses to start without the secrets deploy/README.md calls required.

A few cases run `pingyi` as a process of its own (its exit code and its stderr as a shell
sees them); the others call the same command in this process (`_invoke`): a process spends
about 4 s importing the services before it reads its settings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from pingyi.catalog import NAMES, definition
from pingyi.cli import app as cli
from shared.settings import CommonSettings, settings_problems
from tests.e2e.processes import ROOT, pingyi_command

SEAL_KEY = "9f3c2a8b71683cb8f235043d260f" + "5e" * 18
ADMIN = "pyk_a-bootstrap-admin-key-that-must-not-leak"
CONTACT = "contact-key-that-must-not-leak-0123456789"
VOTER = "voter-key-that-must-not-leak-0123456789"
SECRETS = {
    "PINGYI_SEAL_KEY": SEAL_KEY,
    "PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN,
    "PINGYI_REGISTRY_CONTACT_KEY": CONTACT,
    "PINGYI_SURVEY_VOTER_KEY": VOTER,
    "PINGYI_OTLP_HEADERS": "authorization=Bearer otlp-token-that-must-not-leak",
    "PINGYI_DATABASE_URL": "postgresql://pingyi:db-password-not-to-leak@127.0.0.1:1/pingyi",
}


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    return subprocess.run(
        pingyi_command(*args),
        cwd=ROOT,
        env=clean | {"PINGYI_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "80"} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _invoke(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    env: dict[str, str],
    *args: str,
) -> subprocess.CompletedProcess[str]:
    """`pingyi <args>` called in this process through the same entry point (`PingyiApp`),
    with the environment `_run` gives a process."""
    for name in [name for name in os.environ if name.startswith("PINGYI_")]:
        monkeypatch.delenv(name)
    for name, value in ({"PINGYI_DATA_DIR": str(tmp_path / "data")} | env).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        cli(args=list(args), prog_name="pingyi")
    said = capsys.readouterr()
    code = exited.value.code
    return subprocess.CompletedProcess(list(args), code if isinstance(code, int) else 1, *said)


def _refused(done: subprocess.CompletedProcess[str], *variables: str) -> list[str]:
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "Traceback" not in said, said
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    problems = [line for line in lines if line.startswith("pingyi cannot start: ")]
    assert len(problems) == len(variables), said
    for variable, line in zip(variables, problems, strict=True):
        assert variable in line, said
    for secret in SECRETS.values():
        for part in (secret, secret[-20:], secret[:20]):
            assert part not in said, said
    return problems


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("PINGYI_MODE", "prod", "'production'"),
        ("PINGYI_REGISTRY_PORT", "abc", "valid integer"),
        ("PINGYI_NAMESPACE", "QA-Ops", "pattern"),
        ("PINGYI_RATE_PUBLIC", "lots", "not a rate"),
        ("PINGYI_SEAL_KEY", "abcdef", "32 bytes"),
        ("PINGYI_DATABASE_URL", "host=x port", "not a PostgreSQL URL"),
        # Retried for the whole start wait ("Servname not supported") before.
        ("PINGYI_DATABASE_URL", "postgresql://u:pw@db:x/pingyi", "the port 'x' is not a TCP"),
        ("PINGYI_DATABASE_URL", "postgresql://u:pw@a:5432,b:99999/p", "the port '99999'"),
        # nats-py took "http" for the host and retried it for the whole start wait.
        ("PINGYI_NATS_URL", "http://nats:4222", "the scheme 'http' is not one NATS speaks"),
        ("PINGYI_NATS_URL", "nats://a:4222,nats://b:port", "the port 'port' is not a TCP"),
        ("PINGYI_NATS_URL", "nats://:4222", "without a host name"),
        ("PINGYI_NATS_URL", " , ", "no NATS server given"),
        ("PINGYI_NATS_URL", "ws://a:80,nats://b:4222", "cannot be mixed"),
        # logging refused it at configure(), a traceback after uvicorn had started.
        ("PINGYI_LOG_LEVEL", "LOUD", "INFO"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    variable: str,
    value: str,
    reason: str,
) -> None:
    env = {"PINGYI_MODE": "embedded", variable: value}
    done = _invoke(monkeypatch, capsys, tmp_path, env, "serve", "registry")
    [line] = _refused(done, variable)
    assert reason in line, line
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("service", NAMES)
def test_every_service_refuses_a_port_out_of_range(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    """Each service redeclares its port's default, which dropped the bounds: 99999 was
    accepted, and uvicorn's bind failed with a traceback after the children started."""
    variable = f"PINGYI_{service.upper()}_PORT"
    monkeypatch.setenv(variable, "65536")
    with pytest.raises(ValidationError) as refused:
        definition(service).settings()
    assert settings_problems(refused.value) == [f"{variable}: must be a TCP port, 1 to 65535"]


def test_a_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINGYI_LOG_LEVEL", " warning ")
    assert CommonSettings().log_level == "WARNING"


def test_a_bad_setting_of_each_kind_is_named_together_and_no_secret_shows(
    tmp_path: Path,
) -> None:
    env = SECRETS | {
        "PINGYI_MODE": "production",
        "PINGYI_WRITE_TERMINATE_AFTER": "10",
        "PINGYI_REGISTRY_PORT": "abc",
    }
    lines = _refused(
        _run(tmp_path, env, "serve", "registry"),
        "PINGYI_WRITE_TERMINATE_AFTER",
        "PINGYI_REGISTRY_PORT",
    )
    assert "PINGYI_WRITE_STATEMENT_TIMEOUT" in lines[0]


def test_a_process_says_it_in_one_line_too(tmp_path: Path) -> None:
    done = _run(
        tmp_path, {"PINGYI_MODE": "embedded", "PINGYI_REGISTRY_PORT": "abc"}, "serve", "registry"
    )
    [line] = _refused(done, "PINGYI_REGISTRY_PORT")
    assert "valid integer" in line, line


@pytest.mark.parametrize("command", ["relay", "views"])
def test_the_child_process_commands_refuse_alike(tmp_path: Path, command: str) -> None:
    env = SECRETS | {"PINGYI_MODE": "production", "PINGYI_SURVEY_CONSUMER_BATCH_SIZE": "0"}
    _refused(_run(tmp_path, env, command, "survey"), "PINGYI_SURVEY_CONSUMER_BATCH_SIZE")


def test_an_audit_command_refuses_alike(tmp_path: Path) -> None:
    env = SECRETS | {"PINGYI_MODE": "production", "PINGYI_NAMESPACE": "QA-Ops"}
    _refused(_run(tmp_path, env, "audit", "verify-log"), "PINGYI_NAMESPACE")


def test_production_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    env = {"PINGYI_MODE": "production", "PINGYI_DATABASE_URL": SECRETS["PINGYI_DATABASE_URL"]}
    _refused(
        _run(tmp_path, env, "serve", "registry"),
        "PINGYI_SEAL_KEY",
        "PINGYI_BOOTSTRAP_ADMIN_KEY",
        "PINGYI_REGISTRY_CONTACT_KEY",
    )


@pytest.mark.parametrize(
    ("service", "missing"),
    [
        ("registry", "PINGYI_REGISTRY_CONTACT_KEY"),
        ("survey", "PINGYI_SURVEY_VOTER_KEY"),
        ("scoring", "PINGYI_SEAL_KEY"),
        ("reporting", "PINGYI_BOOTSTRAP_ADMIN_KEY"),
    ],
)
def test_production_names_the_one_secret_missing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    service: str,
    missing: str,
) -> None:
    env = SECRETS | {"PINGYI_MODE": "production", missing: ""}
    [line] = _refused(_invoke(monkeypatch, capsys, tmp_path, env, "serve", service), missing)
    assert "required in production" in line


def test_no_settings_class_shows_a_value_in_its_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every settings class (the common one and each service's) hides its input: one bad
    value makes the error, the whole environment is its input."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    classes: list[type] = [CommonSettings, *(definition(name).settings for name in NAMES)]
    for cls in classes:
        prefix = "PINGYI_" if cls is CommonSettings else f"PINGYI_{cls.__name__[:-8].upper()}_"
        monkeypatch.setenv(f"{prefix}PORT" if prefix != "PINGYI_" else "PINGYI_MODE", "bad")
        with pytest.raises(ValidationError) as refused:
            cls()
        shown = (
            str(refused.value)
            + repr(refused.value)
            + "\n".join(settings_problems(refused.value) or [])
        )
        assert settings_problems(refused.value), cls
        for secret in SECRETS.values():
            for part in (secret, secret[-20:], secret[:20]):
                assert part not in shown, (cls, shown)
        monkeypatch.delenv(f"{prefix}PORT" if prefix != "PINGYI_" else "PINGYI_MODE")
