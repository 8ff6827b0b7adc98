"""PINGYI_PUBLIC_ORIGINS: a public voting page an office hosts on its own site may call the
public routes from a browser (CORS), and no page of another origin can call a keyed route
(shared/http.py, `_allow_public_origins`)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import CommonSettings
from tests.harness import Cluster

SITE = "https://pingyi.example.gov.cn"
VOTES = "/public/waves/00000000-0000-0000-0000-000000000000/votes"


def _preflight(cluster: Cluster, origin: str, headers: str) -> dict[str, str]:
    answer = cluster["survey"].options(
        VOTES,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers,
        },
    )
    return {"status": str(answer.status_code), **answer.headers}


def test_the_offices_site_may_vote_from_a_browser_and_no_other(
    memory_settings: CommonSettings,
) -> None:
    common = memory_settings.model_copy(update={"public_origins": f"{SITE}, https://x.example"})
    with Cluster(common, ["survey"]) as cluster:
        allowed = _preflight(cluster, SITE, "content-type,idempotency-key")
        assert allowed["status"] == "200" and allowed["access-control-allow-origin"] == SITE
        assert "POST" in allowed["access-control-allow-methods"]

        keyed = _preflight(cluster, SITE, "content-type,x-api-key")
        assert keyed["status"] == "400", "a key may not be sent across origins"
        stranger = _preflight(cluster, "https://evil.example", "content-type")
        assert stranger["status"] == "400" and "access-control-allow-origin" not in stranger

        vote = cluster["survey"].post(VOTES, json={}, headers={"Origin": SITE})
        assert vote.status_code == 422, vote.text  # an empty vote: answered, and readable
        assert vote.headers["access-control-allow-origin"] == SITE


def test_without_the_setting_no_origin_is_allowed(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["survey"]) as cluster:
        answer = _preflight(cluster, SITE, "content-type")
        assert "access-control-allow-origin" not in answer
        vote = cluster["survey"].post(VOTES, json={}, headers={"Origin": SITE})
        assert "access-control-allow-origin" not in vote.headers


@pytest.mark.parametrize("value", ["pingyi.example.gov.cn", "https://x.example/vote", "ftp://x"])
def test_an_origin_that_is_not_one_is_refused_naming_it(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CommonSettings(public_origins=value)
    assert "public_origins" in str(refused.value) and value in str(refused.value)
