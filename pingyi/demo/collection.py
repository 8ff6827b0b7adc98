"""Collection: an agency pushing generated questionnaires, and a public voting wave with
votes made without a key (and one voter trying twice)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from .client import DemoClient
from .world import (
    CHANNELS,
    COLLECTION_STARTS,
    DIMENSIONS,
    GROUPS,
    OPINIONS,
    PUBLIC,
    PUBLIC_UNITS,
    PUBLIC_WAVE,
    SURVEY_POINTS,
    VOTERS,
    rate,
)


def push_questionnaires(
    client: DemoClient,
    wave_id: str,
    units: list[dict[str, Any]],
    agency: dict[str, str],
    total: int,
    seed: int,
    batch: int = 500,
) -> None:
    rng = random.Random(seed)
    # Each unit gets its own leaning so the rankings have a shape worth reading.
    leaning = {u["unit_id"]: rng.uniform(0.45, 0.9) for u in units}
    codes = [code for code, _ in DIMENSIONS]
    groups = [code for code, _, _ in GROUPS]
    shares = [share for _, _, share in GROUPS]
    for first in range(0, total, batch):
        chunk = []
        for number in range(first, min(total, first + batch)):
            rated = rng.sample(units, 12)
            item: dict[str, Any] = {
                "questionnaire_id": f"LH-2026-{number + 1:05d}",
                "survey_point": rng.choice(SURVEY_POINTS),
                "channel": rng.choice(CHANNELS),
                "group": rng.choices(groups, weights=shares)[0],
                "collected_at": (COLLECTION_STARTS + timedelta(minutes=number)).isoformat(),
                "ratings": {u["unit_id"]: rate(rng, leaning[u["unit_id"]]) for u in rated},
            }
            # A few units rated on the six evaluation contents too, and some opinions.
            item["dimension_ratings"] = {
                u["unit_id"]: {code: rate(rng, leaning[u["unit_id"]]) for code in codes}
                for u in rated[:2]
            }
            if number % 10 == 0:
                item["opinions"] = [{"unit_id": rated[0]["unit_id"], "text": rng.choice(OPINIONS)}]
            chunk.append(item)
        client.call(
            "survey",
            "POST",
            f"/waves/{wave_id}/questionnaires:batch",
            key=agency,
            idempotency=f"demo-{wave_id}-{first}",
            json={"questionnaires": chunk},
        )
        client.progress("上传问卷", min(total, first + batch), total)


def public_voting(
    client: DemoClient,
    city: dict[str, Any],
    campaign: dict[str, Any],
    units: list[dict[str, Any]],
    agency: dict[str, Any],
    seed: int,
) -> dict[str, Any]:
    """网上公开评议: a small wave of round 2 (the half year under way) open to the public
    now, a few votes without any key,
    and one voter trying twice (refused: one vote per person per unit per round)."""
    now = datetime.now(UTC)
    public_units = [u for u in units if u["category"] == PUBLIC][:PUBLIC_UNITS]
    wave: dict[str, Any] = client.call(
        "survey",
        "POST",
        "/waves",
        json={
            "name": PUBLIC_WAVE,
            "jurisdiction_id": city["jurisdiction_id"],
            "campaign_id": campaign["campaign_id"],
            "round": 2,
            "kind": "online_public_voting",
            # Its voters are generated numbers no code could reach: said so, and shown.
            "voter_check": "none",
            "unit_ids": [u["unit_id"] for u in public_units],
            "agency_id": agency["principal_id"],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
        },
    )
    rng = random.Random(seed + 1)
    path = f"/public/waves/{wave['wave_id']}"
    answers = client.public(path, "GET")["answers"]
    voters = [f"139{rng.randrange(10**8):08d}" for _ in range(VOTERS)]
    for done, voter in enumerate(voters, 1):
        ratings = {u["unit_id"]: rng.choice(answers[:3]) for u in public_units}
        client.public(f"{path}/votes", "POST", json={"voter": voter, "ratings": ratings})
        client.progress("网上公开评议：投票", done, len(voters))
    again = client.http.post(
        client.urls["survey"] + f"{path}/votes",
        json={"voter": voters[0], "ratings": {public_units[0]["unit_id"]: "满意"}},
    )
    if again.status_code != 409 or again.json().get("error") != "already_voted":
        raise RuntimeError(f"a second vote was not refused: {again.status_code} {again.text}")
    client.progress("网上公开评议：同一手机号再次投票被拒绝 (already_voted)", 1, 1)
    return wave
