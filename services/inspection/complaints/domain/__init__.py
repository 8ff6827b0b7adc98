"""Complaints (投诉举报) and hotline appearances (政风行风热线上线).

A complaint is taken in by an office, anonymous or named (the complainant's name and contact
arrive sealed: the aggregate never holds plaintext), dispatched to a unit with a deadline in
working days by kind, answered by the unit, concluded with an outcome and its reason, and
closed by a callback to the complainant. Each step happens once, in that order; an
outcome is corrected by a further fact with its reason, never changed in place.

Days are stored as ISO strings (the event store has no date transcoding), as the registry's
`effective_on`. Every event after intake repeats the unit, jurisdiction, campaign and round, so
each published fact says by itself what it counts toward.

Split by subject (rules, complaint with the facts after its dispatch in events, hotline).
Every name stays importable from here, and events stored before the split under this
module's topics
(`services.inspection.complaints.domain:Complaint.Received`, …) still resolve through these
re-exports, so they load as they did.
"""

from __future__ import annotations

from services.inspection.complaints.domain.complaint import Complaint
from services.inspection.complaints.domain.hotline import (
    HotlineAppearance,
    InvalidHotlineAppearance,
)
from services.inspection.complaints.domain.rules import (
    DEADLINE_BOUNDS,
    DEFAULT_DEADLINES,
    REASON_MAX,
    REPLY_MAX,
    ROUND_MAX,
    SUMMARY_MAX,
    TOPIC_MAX,
    AppearanceNotFound,
    ComplaintNotFound,
    ComplaintOutOfTurn,
    InvalidComplaint,
    counted_in,
    deadline_for,
    text,
)

__all__ = [
    "DEADLINE_BOUNDS",
    "DEFAULT_DEADLINES",
    "REASON_MAX",
    "REPLY_MAX",
    "ROUND_MAX",
    "SUMMARY_MAX",
    "TOPIC_MAX",
    "AppearanceNotFound",
    "Complaint",
    "ComplaintNotFound",
    "ComplaintOutOfTurn",
    "HotlineAppearance",
    "InvalidComplaint",
    "InvalidHotlineAppearance",
    "counted_in",
    "deadline_for",
    "text",
]
