"""deploy/probe.py, the image's health probe, against a real local HTTP server."""

from __future__ import annotations

import importlib.util
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType

import pytest

from tests.deploy.compose_checks import APP_PORTS, DEPLOY, environment, service_settings_class


def _load_probe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pingyi_probe", DEPLOY / "probe.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


probe = _load_probe()


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


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthy_endpoint_exits_zero(server: str) -> None:
    assert probe.main([f"{server}/healthz"]) == 0


def test_not_ready_endpoint_exits_one(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert probe.main([f"{server}/readyz"]) == 1
    assert "503" in capsys.readouterr().err


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
