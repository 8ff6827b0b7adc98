"""What the fault and load tests check afterwards, through the services' own answers and
the stored logs."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from pingyi.composition import open_outbox
from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.e2e.processes import Api, ProductionSystem
from tests.shared.relay_support import assert_exactly_the_log, stream_messages

SCHEME = "luohe-2yr-zhengfeng"
SURVEY_COMPONENT = "questionnaire"
"""The shipped 漯河 scheme's questionnaire component: the wave's answers per unit."""


def score_round_one(api: Api, ctx: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Round 1 under the 漯河 scheme: the standings as they stand, and a final round run."""
    campaign_id = ctx["campaign"]["campaign_id"]
    api.call(
        "scoring",
        "PUT",
        f"/campaigns/{campaign_id}/scheme",
        json={"scheme_id": SCHEME, "version": 1, "reason": "年度方案"},
        expect=200,
    )
    office = ctx["office"]["api_key"]
    standings = api.call(
        "scoring", "GET", f"/campaigns/{campaign_id}/rounds/1/standings", key=office
    )
    run = api.call(
        "scoring",
        "POST",
        f"/campaigns/{campaign_id}/rounds/1/score-runs",
        json={"final": True, "reason": "上半年结果"},
        expect=201,
    )
    return standings, run


def survey_counts_in(results: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per unit, the answers per level that scoring counted (levels never given left out)."""
    found: dict[str, dict[str, int]] = {}
    for unit in results["units"]:
        for component in unit["components"]:
            if component["code"] == SURVEY_COMPONENT:
                counts = component["inputs"]["counts"]
                found[unit["unit_id"]] = {level: n for level, n in counts.items() if n}
    return found


def assert_round_counts(
    counted: dict[str, dict[str, int]],
    expected: dict[str, Counter[str]],
    units: list[dict[str, Any]],
) -> None:
    for unit in units:
        unit_id = unit["unit_id"]
        want = {level: n for level, n in expected[unit_id].items() if n}
        assert counted.get(unit_id) == want, f"{unit['name']}: {counted.get(unit_id)} != {want}"


def assert_stream_is_the_log(system: ProductionSystem, service: str) -> None:
    """The service's JetStream stream holds its log exactly once, in order: nothing the
    relay published was lost or doubled by the kills."""
    common = CommonSettings(
        mode="production",
        database_url=system.env["PINGYI_DATABASE_URL"],
        nats_url=system.env["PINGYI_NATS_URL"],
        namespace=system.env["PINGYI_NAMESPACE"],
        log_json=False,
    )
    outbox = open_outbox(service, common)
    try:
        log = list(outbox.iterate())
    finally:
        outbox.close()
    published = asyncio.run(_published(common, service, log[-1].position))
    assert_exactly_the_log(published, log, f"({service})")


async def _published(common: CommonSettings, service: str, head: int) -> list[IntegrationMessage]:
    """The stream once the relay has published up to `head`."""
    nc, js = await connect(common.nats_url, "test-faults")
    stream = stream_name(common.namespace, service)
    try:
        for _ in range(600):
            last = int((await js.stream_info(stream)).state.last_seq or 0)
            raw = await js.get_msg(stream, last) if last else None
            if raw is not None and IntegrationMessage.decode(raw.data or b"").position == head:
                return await stream_messages(js, stream)
            await asyncio.sleep(0.1)
        raise AssertionError(f"{service}'s stream never reached position {head}")
    finally:
        await nc.close()
