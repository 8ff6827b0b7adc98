"""Debian's Chromium, headless, against a service app served on a real localhost port: the
page as the browser built it (`--dump-dom`) and a screenshot at a phone's width."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import uvicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# This machine's network is closed: without these Chromium keeps trying Google's hosts.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The app on 127.0.0.1 (a free port) in a thread; yields its base URL. The app's
    lifespan already ran under its TestClient, so the server does not run it again."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _run(*args: str) -> str:
    # Not skipped when missing: scripts/test.sh installs Debian's chromium, and a page test
    # that quietly does not run would pass for the wrong reason.
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            timeout=60,
            check=True,
        )
    return done.stdout.decode("utf-8")


def dom(url: str) -> str:
    """The document as Chromium rendered it."""
    return _run("--dump-dom", url)


def screenshot(url: str, out: Path, width: int = 412, height: int = 1600) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(f"--screenshot={out}", f"--window-size={width},{height}", url)
    return out


class Rows(HTMLParser):
    """The text of each cell of every `<tr class="unit">`, and every src/href."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._in_unit = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.links += [v for k, v in attrs if k in ("src", "href") and v is not None]
        if tag == "tr":
            self._in_unit = "unit" in (found.get("class") or "").split()
            if self._in_unit:
                self.rows.append([])
        elif tag in ("td", "th") and self._in_unit and self._cell is None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parsed(html: str) -> Rows:
    rows = Rows()
    rows.feed(html)
    return rows
