"""Whether a campaign has the round `pingyi audit export` is asked for, as the registry's log
says: the stored-run export finds no run of a round the campaign does not have, and must say
that, not advise `--scheme` (which would only find the same). Worded as the scoring API
words it (`没有第 3 轮, 该评议活动共 2 轮`)."""

from __future__ import annotations

import orjson

from pingyi.audit_words import said
from shared.contracts.registry_campaigns import CampaignOpened
from shared.persistence.message_log import read_bodies
from shared.settings import CommonSettings

_OPENED = b'{"event_type":"' + CampaignOpened.event_type.encode() + b'"'
"""A body is canonical JSON, its event type first: the campaigns are found without decoding
every unit and person of the log."""


def campaign_rounds(common: CommonSettings, campaign_id: str) -> int | None:
    """How many rounds the registry's log gives the campaign (its cycle's round windows,
    never amended); None when the log has not opened it."""
    needle = campaign_id.encode()
    for _, _, body in read_bodies(common, "registry"):
        if body.startswith(_OPENED) and needle in body:
            opened = CampaignOpened.model_validate(orjson.loads(body)["payload"])
            if str(opened.campaign_id) == campaign_id:
                return len(opened.cycle.round_windows)
    return None


def round_refused(common: CommonSettings, campaign_id: str, round_: int) -> str | None:
    """Why the campaign has no round `round_` in the registry's log; None when it has it."""
    rounds = campaign_rounds(common, campaign_id)
    if rounds is None:
        return said(
            f"registry 的消息中没有评议活动 {campaign_id}",
            f"the registry log knows no campaign {campaign_id}",
        )
    if round_ <= rounds:
        return None
    has = "1 round" if rounds == 1 else f"{rounds} rounds"
    return said(
        f"没有第 {round_} 轮, 该评议活动共 {rounds} 轮",
        f"no round {round_}: the campaign has {has}",
    )
