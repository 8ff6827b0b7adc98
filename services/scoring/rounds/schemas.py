"""Request and response models of campaign-round scoring."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.scoring import SchemeRef
from shared.types import JsonBool, JsonInt, Line, Prose


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SchemeIn(_In):
    document: dict[str, Any] = Field(
        description="The scheme document (the YAML files under services/scoring/schemes, "
        "as JSON); see docs/scoring-schemes.md"
    )
    reason: Prose = Field(min_length=1, max_length=2000)


class SchemeOwner(BaseModel):
    jurisdiction_id: UUID = Field(
        description="The jurisdiction whose office registered the scheme id's first version"
    )
    jurisdiction_name: str | None = Field(
        description="Its name as scoring's copy of the registry knows it (null until then)",
        examples=["舞阳县"],
    )


class SchemeSummary(SchemeRef):
    title: str
    builtin: bool = Field(description="Shipped with Pingyi (services/scoring/schemes)")
    owner: SchemeOwner | None = Field(
        description="Whose the scheme id is: the jurisdiction recorded with its registration."
        " Null for a shipped scheme (builtin), and for an id no office owns (an admin "
        "registered it first, or it was registered before owners were recorded)"
    )
    registered_by: str | None = Field(
        description="The principal that registered this version (role:principal_id), as "
        "recorded. Null for a shipped scheme, and for a caller who does not have the owner's "
        "jurisdiction in scope (offices see their own and those below)",
        examples=["office:7d0b8f0e-3f59-4c1e-9a43-3b0e8f3e0d21"],
    )


class SchemeOut(SchemeSummary):
    document: dict[str, Any]


class SchemeAssignmentIn(_In):
    scheme_id: Line = Field(min_length=1, max_length=100)
    # Strict, as a document's own `version` is (docs/scoring-schemes.md): "2" or 2.0 is a
    # slip in the caller's data, refused by name rather than read as a version.
    version: JsonInt = Field(ge=1)
    reason: Prose = Field(min_length=1, max_length=2000)


class SchemeAssignment(SchemeRef):
    actor: str
    reason: str


class CampaignSchemeOut(BaseModel):
    campaign_id: UUID
    current: SchemeAssignment
    assignments: list[SchemeAssignment] = Field(description="Every assignment, oldest first")
    warnings: list[str] = Field(
        default_factory=list,
        description="What in the scheme in force cannot hold for this campaign as it stands "
        "(a category it names that the campaign does not have: the rule holds for no unit)",
    )


class RoundRunIn(_In):
    """A run is always under the scheme the campaign is scored by (PUT …/scheme); a field
    this model does not name (a scheme_id, a version) is refused, never ignored. To see the
    round under another scheme, ask for what-if."""

    final: JsonBool = Field(
        default=False,
        description="A final run becomes the round's result; otherwise a provisional run",
    )
    reason: Prose = Field(
        default="",
        max_length=2000,
        description="Why: required for a final run that would replace the round's final "
        "result, an earlier final run (422 reason_required naming body.reason)",
    )


class RoundRunSummary(BaseModel):
    run_id: UUID
    campaign_id: UUID
    round: int
    jurisdiction_id: UUID
    final: bool
    scheme: SchemeRef
    upstream_positions: dict[str, int] = Field(
        description="Per upstream (registry, survey, inspection): the log position read to"
    )
    inputs_digest: str
    results_digest: str
    trigger: str
    actor: str
    reason: str
    replaces: UUID | None = Field(
        default=None,
        description="The final run this final replaced as the round's result, with `reason` "
        "saying why (null: a provisional run, a round's first final, or a run recorded before "
        "finals said what they replaced)",
    )
    computed_at: datetime
    integrity_warning: str | None = Field(
        default=None,
        description="Set when the stored results no longer match their digest (edited in the"
        " store): do not rely on them; run pingyi audit verify-log",
    )


class RoundRunOut(RoundRunSummary):
    results: dict[str, Any] = Field(description="The engine's results document")
    flag_names: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per unit with flags (unit_id → its flags in words), as in the standings:"
        " a required component by its name in the run's scheme (缺少必需成分：集中评议). "
        "Not part of the run: `results` and `results_digest` stay as stored and replayed",
        examples=[{"7d0b8f0e-3f59-4c1e-9a43-3b0e8f3e0d21": ["缺少必需成分：集中评议"]}],
    )


class StandingsOut(BaseModel):
    scheme: SchemeRef
    upstream_positions: dict[str, int]
    results: dict[str, Any]
    flag_names: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per unit with flags (unit_id → its flags in words): a required component "
        "it has no value for by the component's name in the scheme (缺少必需成分：集中评议). "
        "`results` keeps the engine's flags as computed, the component by its code "
        "(缺少必需成分:concentrated), as runs store and replay them",
        examples=[{"7d0b8f0e-3f59-4c1e-9a43-3b0e8f3e0d21": ["缺少必需成分：集中评议"]}],
    )


class WhatIfIn(_In):
    document: dict[str, Any] = Field(description="The draft scheme document")


class Compared(BaseModel):
    in_force: Any = Field(description="Under the scheme in force (null: not in its results)")
    draft: Any = Field(description="Under the draft (null: not in its results)")


class ListsCompared(BaseModel):
    in_force: list[str]
    draft: list[str]
    added: list[str] = Field(description="In the draft's, not in the scheme in force's")
    removed: list[str] = Field(description="In the scheme in force's, not in the draft's")


class FlagWords(BaseModel):
    in_force: list[str]
    draft: list[str]
    added: list[str]
    removed: list[str]


class FlagsCompared(ListsCompared):
    """The engine's flags (`样本不足`, `缺少必需成分:concentrated`), each side in the results'
    order, and the same in words as the standings say them (`flag_names`)."""

    names: FlagWords = Field(
        description="Each list in words, item for item: a side's (and an added flag's: the "
        "draft's, a removed one's: the scheme in force's) required component by its name in "
        "that side's scheme version (缺少必需成分：集中评议)",
        examples=[{"in_force": [], "draft": ["样本不足"], "added": ["样本不足"], "removed": []}],
    )


class WhatIfDifference(BaseModel):
    unit_id: str
    unit_name: str
    changed: list[str] = Field(
        description="What differs: of score, rank, grade, status, lists, flags",
        examples=[["rank", "flags"]],
    )
    score: Compared
    rank: Compared
    grade: Compared
    status: Compared | None = Field(
        default=None,
        description="The unit's status in the results (active, cancelled …). Null only in "
        "an answer kept with an Idempotency-Key before status and flags were compared",
    )
    lists: ListsCompared
    flags: FlagsCompared | None = Field(
        default=None,
        description="Null only in an answer kept with an Idempotency-Key before flags were "
        "compared",
    )


class WhatIfOut(BaseModel):
    in_force: SchemeRef
    draft: SchemeRef
    upstream_positions: dict[str, int]
    differences: list[WhatIfDifference] = Field(
        description="Per unit that differs: score, rank, grade, status, lists and flags "
        "under each scheme (a unit that becomes 样本不足 or unranked shows here)"
    )
