"""deploy/probe.py, the image's health probe, against a real local HTTP server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType

import pytest

from shared.settings import ServiceSettings
from tests.deploy.compose_checks import APP_PORTS, environment, load_probe, service_settings_class

probe: ModuleType = load_probe()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/healthz" else 503
        body = b'{"status":"not_ready"}' if status == 503 else b'{"status":"alive"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def serving(address: str) -> Iterator[int]:
    """A tiny HTTP server on `address` (any port); yields the port."""
    httpd = ThreadingHTTPServer((address, 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def server() -> Iterator[str]:
    with serving("127.0.0.1") as port:
        yield f"http://127.0.0.1:{port}"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthy_endpoint_exits_zero(server: str) -> None:
    assert probe.main([f"{server}/healthz"]) == 0


def test_not_ready_endpoint_exits_one(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert probe.main([f"{server}/readyz"]) == 1
    assert "503" in capsys.readouterr().err


@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY"])
def test_a_proxy_in_the_environment_is_not_used(server: str, variable: str) -> None:
    """A container on a network whose egress goes through a proxy has it in its
    environment; the probe calls the service itself, never through it."""
    # A process of its own, as in the container: urlopen reads the proxies once a process.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    done = subprocess.run(
        [sys.executable, probe.__file__, f"{server}/healthz"],
        env=env | {variable: f"http://127.0.0.1:{_closed_port()}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_nothing_listening_exits_one() -> None:
    assert probe.main([f"http://127.0.0.1:{_closed_port()}/healthz"]) == 1


@pytest.mark.parametrize(
    "cmdline",
    [
        ["/opt/pingyi/bin/python", "/opt/pingyi/bin/pingyi", "serve", "scoring"],
        ["/sbin/docker-init", "--", "pingyi", "serve", "scoring"],
    ],
)
def test_port_comes_from_the_container_command(cmdline: list[str]) -> None:
    assert probe.resolve_url("/readyz", {}, cmdline) == "http://127.0.0.1:8704/readyz"
    env = {"PINGYI_SCORING_PORT": "9000"}
    assert probe.resolve_url(None, env, cmdline) == "http://127.0.0.1:9000/healthz"


def test_no_service_in_the_command_is_an_error() -> None:
    with pytest.raises(LookupError):
        probe.resolve_url("/healthz", {}, ["pingyi", "--help"])
    assert probe.resolve_url("http://x:1/readyz", {}, []) == "http://x:1/readyz"


@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_probe_default_port_is_the_service_default(service: str) -> None:
    with environment({}):
        default = service_settings_class(service)().port
    assert probe.DEFAULT_PORTS[service] == default == APP_PORTS[service]


# --- the address the service binds ---------------------------------------------------------

SURVEY = ["/sbin/tini", "-e", "143", "--", "pingyi", "serve", "survey"]


def test_the_probe_calls_the_address_the_service_binds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """compose.host.yaml with PINGYI_LISTEN_ADDRESS=<one of the host's addresses>: the
    service listens there only, and a probe calling 127.0.0.1 never saw it healthy."""
    monkeypatch.setattr(probe, "container_cmdline", lambda: SURVEY)
    with serving("127.0.0.2") as port:
        monkeypatch.setenv("PINGYI_SURVEY_HOST", "127.0.0.2")
        monkeypatch.setenv("PINGYI_SURVEY_PORT", str(port))
        assert probe.main(["/healthz"]) == 0
        assert f"200 http://127.0.0.2:{port}/healthz" in capsys.readouterr().out
        assert probe.main([]) == 0  # the image's HEALTHCHECK: /healthz by default
        assert probe.main(["/readyz"]) == 1  # and it reports what that address answers
        assert "503" in capsys.readouterr().err


def test_nothing_on_the_loopback_is_taken_for_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server listens on 127.0.0.2 only: 127.0.0.1 on its port refuses."""
    monkeypatch.setattr(probe, "container_cmdline", lambda: SURVEY)
    with serving("127.0.0.2") as port:
        assert probe.main([f"http://127.0.0.1:{port}/healthz"]) == 1
        monkeypatch.setenv("PINGYI_SURVEY_PORT", str(port))
        assert probe.main(["/healthz"]) == 1  # no host set: the default, 127.0.0.1


def test_a_wildcard_address_is_called_on_the_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe, "container_cmdline", lambda: SURVEY)
    with serving("127.0.0.1") as port:
        monkeypatch.setenv("PINGYI_SURVEY_HOST", "0.0.0.0")
        monkeypatch.setenv("PINGYI_SURVEY_PORT", str(port))
        assert probe.main(["/healthz"]) == 0


@pytest.mark.parametrize(
    ("host", "called"),
    [
        ("0.0.0.0", "127.0.0.1"),
        ("::", "[::1]"),
        ("", "127.0.0.1"),
        ("10.1.2.3", "10.1.2.3"),
        ("fd00::5", "[fd00::5]"),
        ("[fd00::5]", "[fd00::5]"),
        ("survey.internal", "survey.internal"),
    ],
)
def test_the_url_follows_the_host_setting(host: str, called: str) -> None:
    env = {"PINGYI_SURVEY_HOST": host, "PINGYI_SURVEY_PORT": "9002"}
    assert probe.resolve_url("/readyz", env, SURVEY) == f"http://{called}:9002/readyz"


def test_variable_names_match_in_any_case_as_the_settings_do() -> None:
    env = {"pingyi_survey_host": "127.0.0.3", "Pingyi_Survey_Port": "9002"}
    with environment(env):
        settings = service_settings_class("survey")()
    assert (settings.host, settings.port) == ("127.0.0.3", 9002)
    assert probe.resolve_url("/readyz", env, SURVEY) == "http://127.0.0.3:9002/readyz"


def test_probe_default_host_is_the_settings_default() -> None:
    with environment({}):
        assert ServiceSettings().host == probe.DEFAULT_HOST
        assert all(service_settings_class(s)().host == probe.DEFAULT_HOST for s in APP_PORTS)
