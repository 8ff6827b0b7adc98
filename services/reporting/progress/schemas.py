"""The progress document's heading as the OpenAPI schema declares it. The tables below it
(`total`, `by_point`, …, `satisfaction`) pass through as read (`read.progress`), described by
the route; declaring them field by field would only repeat the reader."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.survey import VoterCheck


class ProgressOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    wave_id: str
    name: str
    jurisdiction_id: str
    jurisdiction_name: str
    campaign_id: str | None
    round: int | None
    kind: str
    kind_name: str
    scale: str
    voter_check: VoterCheck | None = Field(
        description="Of a public wave: `sms_code` (a vote carries a code texted to the "
        "voter's phone) or `none` (unverified: any well-formed number votes); null for a "
        "private wave. A wave opened before waves chose a check reads `none` if public"
    )
    opened_at: str
    closed_at: str | None
