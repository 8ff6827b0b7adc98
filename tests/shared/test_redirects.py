"""Every service answers a path with a trailing slash by redirecting to the path without it,
with a `Location` of path and query alone: the router would build it from the request's
`Host` header, which the client chooses and which, behind a proxy, is an internal address
(`shared/web/redirects.py`)."""

from __future__ import annotations

from pingyi.catalog import NAMES
from tests.conftest import in_memory
from tests.harness import Cluster

FORGED = {"Host": "evil.example"}


def test_every_service_redirects_a_trailing_slash_on_the_same_site() -> None:
    with Cluster(in_memory(), list(NAMES)) as cluster:
        for name in NAMES:
            client = cluster[name]
            for slashed, path in [("/healthz/", "/healthz"), ("/positions/?a=1", "/positions?a=1")]:
                answer = client.get(slashed, headers=FORGED, follow_redirects=False)
                assert answer.status_code == 307, (name, slashed, answer.text)
                assert answer.headers["location"] == path, (name, slashed)
