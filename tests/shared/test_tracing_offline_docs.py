"""/docs and /redoc work on an intranet: every script, style and icon they load is served by
the service itself (the assets ship in a pinned package), none from a public host."""

from __future__ import annotations

import re

import pytest

from shared.settings import CommonSettings
from tests.harness import Cluster

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*['"]([^'"]+)['"]""")


def _references(html: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_nothing_from_elsewhere(
    memory_settings: CommonSettings, page: str
) -> None:
    with Cluster(memory_settings, ["registry"]) as cluster:
        client = cluster["registry"]
        html = client.get(page)
        assert html.status_code == 200
        references = _references(html.text)
        assert references, html.text
        for reference in references:
            assert reference.startswith("/"), f"{page} loads {reference}"
            assert not reference.startswith("//"), f"{page} loads {reference}"
            asset = client.get(reference)
            assert asset.status_code == 200, reference
            assert asset.content, reference
        assert "validator.swagger.io" not in html.text


def test_swagger_ui_is_version_5_for_openapi_3_1(memory_settings: CommonSettings) -> None:
    """FastAPI documents OpenAPI 3.1, which Swagger UI renders from version 5 on."""
    with Cluster(memory_settings, ["registry"]) as cluster:
        client = cluster["registry"]
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
        bundle = client.get("/docs/assets/swagger-ui-bundle.js").text
        assert re.search(r'"5\.\d+\.\d+"', bundle)
