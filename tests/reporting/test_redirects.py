"""A link with a trailing slash (`…/rounds/1/`, as chat apps and mail clients leave one) is
redirected to the path without it with a relative `Location`, never one built from the
request's `Host` header, which the client chooses (and, behind a proxy, is the internal
address a phone cannot reach): `shared/web/redirects.py`, every service."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import in_memory
from tests.harness import Cluster

FORGED = {"Host": "evil.example", "Accept": "text/html"}


@pytest.fixture(scope="module")
def reporting() -> Iterator[TestClient]:
    with Cluster(in_memory(), ["registry", "reporting"]) as cluster:
        yield cluster["reporting"]


def test_a_trailing_slash_redirects_to_a_path_on_the_same_site(reporting: TestClient) -> None:
    campaign = uuid4()
    for slashed, path in [
        ("/public/pages/", "/public/pages"),
        (
            f"/public/pages/campaigns/{campaign}/rounds/1/",
            f"/public/pages/campaigns/{campaign}/rounds/1",
        ),
        ("/public/pages/?limit=5", "/public/pages?limit=5"),
        (
            f"/public/campaigns/{campaign}/rounds/1/?version=2",
            f"/public/campaigns/{campaign}/rounds/1?version=2",
        ),
        ("/public/results/", "/public/results"),
    ]:
        for method in ("GET", "HEAD"):
            answer = reporting.request(method, slashed, headers=FORGED, follow_redirects=False)
            assert answer.status_code == 307, (method, slashed, answer.text)
            assert answer.headers["location"] == path, (method, slashed)
    # Followed, it reaches the page (here: the index, on the client's own address).
    followed = reporting.get("/public/pages/", headers={"Accept": "text/html"})
    assert followed.status_code == 200 and str(followed.url) == "http://testserver/public/pages"
