"""Scoring's refusals a campaign's office meets read Chinese first, with the English they
had kept after it in brackets, and their codes and fields unchanged."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster

UNKNOWN = "00000000-0000-4000-8000-000000000009"
CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _problem(response: Any) -> tuple[int, str, str, str]:
    body = response.json()
    detail = body["detail"][0]
    return response.status_code, body["error"], detail["field"], detail["reason"]


def test_scoring_refusals_read_chinese_first() -> None:
    with Cluster(in_memory(), ["scoring"]) as cluster:
        scoring = cluster["scoring"]
        answers = {
            "no such campaign": scoring.post(
                f"/campaigns/{UNKNOWN}/rounds/1/score-runs", json={}, headers=ADMIN
            ),
            "no such round run": scoring.get(f"/round-runs/{UNKNOWN}", headers=ADMIN),
            "no scheme no-such-scheme v1": scoring.get(
                "/schemes/no-such-scheme/versions/1", headers=ADMIN
            ),
            "send the body as JSON": scoring.post(
                "/schemes", content=b"document: {}", headers=ADMIN | {"Content-Type": "text/csv"}
            ),
        }
    expected = {
        "no such campaign": (404, "campaign_not_found", "campaign_id"),
        "no such round run": (404, "round_run_not_found", "run_id"),
        "no scheme no-such-scheme v1": (404, "scheme_not_found", "path.scheme_id"),
        "send the body as JSON": (415, "unsupported_media_type", "Content-Type"),
    }
    for english, response in answers.items():
        status, error, field, reason = _problem(response)
        assert (status, error, field) == expected[english], response.text
        assert CHINESE_FIRST.match(reason), reason
        assert english in reason, reason
    assert _problem(answers["no such campaign"])[3] == "没有这次评议活动 (no such campaign)"
