"""Debian's Chromium, headless, against a service app served on a real localhost port: the
page as the browser built it (`--dump-dom`), a screenshot at a phone's width, and what of
a page runs past a phone's screen (`narrow_layout`).

Headless Chromium lays a page out at least `MIN_WINDOW` (500) CSS pixels wide whatever
`--window-size` asks for: a page "at 412 px" is laid out at 500 and cut. A phone's width is
therefore an iframe of that width in a page of its own, which lays its document out exactly
as a phone's viewport of that width would (the pages' `width=device-width`)."""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import uvicorn
from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MIN_WINDOW = 500
"""The narrowest layout viewport headless Chromium gives a window."""
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
    """The page at `width` CSS pixels (narrower than `MIN_WINDOW`: in an iframe that wide,
    the shot cut to it), `height` tall. The framed page is the one `url` serves, saved
    beside its frame (its styles and charts are inline; `<base>` keeps its links on the
    site): a frame from another origin is drawn by another process, which a headless shot
    may take before it has painted."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if width >= MIN_WINDOW:
        _run(f"--screenshot={out}", f"--window-size={width},{height}", url)
        return out
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Accept": "text/html"})
    ) as got:
        page = got.read().decode("utf-8")
    base = f'<base href="{html_module.escape(url)}">'
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "page.html").write_text(
            page.replace("<head>", "<head>" + base, 1), encoding="utf-8"
        )
        frame = Path(folder) / "frame.html"
        frame.write_text(_framed("page.html", width, height), encoding="utf-8")
        _run(
            f"--screenshot={out}",
            f"--window-size={MIN_WINDOW},{height}",
            "--virtual-time-budget=5000",
            frame.as_uri(),
        )
    with Image.open(out) as shot:
        cut = shot.crop((0, 0, width, height))
    cut.save(out)
    return out


def _framed(src: str, width: int, height: int, script: str = "") -> str:
    return (
        '<!doctype html><html><body style="margin:0"><pre id="measured"></pre>'
        f'<iframe src="{html_module.escape(src)}" style="display:block;border:0;width:{width}px;'
        f'height:{height}px"></iframe>{script}</body></html>'
    )


MEASURE = """<script>
(() => {
  const width = window.innerWidth;
  const scrolled = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") return true;
    }
    return false;
  };
  const past = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5 && !scrolled(el)) {
      past.push({tag: el.tagName.toLowerCase(), right: Math.round(box.right),
                 text: (el.textContent || "").trim().slice(0, 40)});
    }
  }
  parent.postMessage(JSON.stringify({
    width, scroll_width: document.documentElement.scrollWidth, past,
  }), "*");
})();
</script>"""
RECEIVE = """<script>
addEventListener("message", (e) => { document.getElementById("measured").textContent = e.data; });
</script>"""


def narrow_layout(html: str, width: int = 375, height: int = 900) -> dict[str, Any]:
    """How Chromium lays `html` out on a screen `width` CSS pixels wide: the viewport's
    `width`, the document's `scroll_width` (wider: the whole page scrolls sideways) and
    every element that runs `past` the screen's right edge outside a box that scrolls or
    clips sideways (a wide table in its scroller is fine; a heading, a paragraph, a chart or
    a table that pushes the page wider is not). The page is taken as served (its styles
    and charts are inline), measured by a script added at its end."""
    page = html.replace("</body>", MEASURE + "</body>") if "</body>" in html else html + MEASURE
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "page.html").write_text(page, encoding="utf-8")
        frame = Path(folder) / "frame.html"
        frame.write_text(_framed("page.html", width, height, RECEIVE), encoding="utf-8")
        rendered = _run(
            "--dump-dom",
            "--virtual-time-budget=5000",
            f"--window-size={MIN_WINDOW + width},{height + 100}",
            frame.as_uri(),
        )
    found = re.search(r'<pre id="measured">(.*?)</pre>', rendered, re.S)
    assert found is not None and found.group(1), rendered[:500]
    measured: dict[str, Any] = json.loads(html_module.unescape(found.group(1)))
    return measured


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
