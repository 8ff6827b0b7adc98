#!/usr/bin/env python3
"""Container health probe: GET one of the service's health endpoints, exit 0 on a 2xx.

The image has no curl or wget, and importing the service to read its settings would cost
more than the check itself, so this is the standard library only. Installed in the image
as `pingyi-probe`.

    pingyi-probe /readyz                        # path on this container's own service (compose)
    pingyi-probe                                # /healthz on this container's own service
    pingyi-probe http://127.0.0.1:8701/readyz   # an explicit URL, called as given

Without a URL the address is found the way the service finds the one it binds:
PINGYI_<SERVICE>_HOST and PINGYI_<SERVICE>_PORT if set (names matched regardless of case,
as the settings match them), else the service's defaults. A wildcard address (0.0.0.0,
::) is called on the loopback of its family; any other is called as it is, so a service
bound to one address of the host (compose.host.yaml, PINGYI_LISTEN_ADDRESS) is reached
there. The service is read from the container's command line (`pingyi serve <service>`),
so one image-level HEALTHCHECK fits every service.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

# Must match each service's settings class; tests/deploy checks that it does.
DEFAULT_PORTS = {
    "registry": 8701,
    "survey": 8702,
    "inspection": 8703,
    "scoring": 8704,
    "reporting": 8705,
}
DEFAULT_HOST = "127.0.0.1"
"""ServiceSettings.host's default; tests/deploy checks that it is."""
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}
"""Addresses that bind every interface, and the loopback a probe calls instead."""
TIMEOUT_SECONDS = 4.0


def service_from_cmdline(argv: Sequence[str]) -> str | None:
    """The service in `... serve <service> ...`, wherever the init process put it."""
    for index, arg in enumerate(argv[:-1]):
        if arg == "serve" and argv[index + 1] in DEFAULT_PORTS:
            return argv[index + 1]
    return None


def container_cmdline() -> list[str]:
    try:
        with open("/proc/1/cmdline", "rb") as handle:
            raw = handle.read()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def resolve_url(target: str | None, env: Mapping[str, str], cmdline: Sequence[str]) -> str:
    if target and target.startswith(("http://", "https://")):
        return target
    path = target or "/healthz"
    service = service_from_cmdline(cmdline)
    if service is None:
        raise LookupError("no URL given and no `serve <service>` in the container command")
    port = setting(env, f"PINGYI_{service.upper()}_PORT") or str(DEFAULT_PORTS[service])
    host = setting(env, f"PINGYI_{service.upper()}_HOST")
    return f"http://{url_host(DEFAULT_HOST if host is None else host)}:{port.strip()}{path}"


def setting(env: Mapping[str, str], name: str) -> str | None:
    """The variable as pydantic-settings reads it: the exact name, else any casing of it."""
    if name in env:
        return env[name]
    wanted = name.lower()
    return next((value for key, value in env.items() if key.lower() == wanted), None)


def url_host(bound: str) -> str:
    """Where to call a service bound to `bound`, as a URL's host part."""
    host = bound.strip()
    host = WILDCARDS.get(host, host)
    if ":" in host and not host.startswith("["):
        return f"[{host}]"  # an IPv6 literal
    return host


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""No proxy, whatever the environment says: urlopen honours HTTP_PROXY, which networks that
route egress through a proxy set for the whole container, and then every probe of the
service's own port went to the proxy and failed (no_proxy rarely lists 127.0.0.1)."""


def probe(url: str, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, str]:
    try:
        with DIRECT.open(url, timeout=timeout) as response:
            return 200 <= response.status < 300, f"{response.status} {url}"
    except urllib.error.HTTPError as exc:  # 503 from /readyz lands here
        return False, f"{exc.code} {url}: {exc.read(500).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError) as exc:
        return False, f"unreachable {url}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        url = resolve_url(args[0] if args else None, os.environ, container_cmdline())
    except LookupError as exc:
        print(f"pingyi-probe: {exc}", file=sys.stderr)
        return 1  # Docker reserves exit code 2
    healthy, detail = probe(url)
    print(detail, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
