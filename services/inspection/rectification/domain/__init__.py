"""The rectification order (整改通知书): issued to one unit for one or more of its findings,
due in N working days; the unit reports, an inspector or office verifies (accepted, or
returned: a second return is second handling 二次办理 with a new deadline); an overdue order
is escalated 催办 → 通报 → 约谈; raters' re-rating of the fix is recorded; an order issued in
error is withdrawn (撤销), unless accepted.

Every event carries the order's context and its status and deadline after the change, so
the published contract is built from the event alone and the mutators only assign.

Split by subject (rules; transitions: the commands' checks; order: the aggregate and its
events). Every name stays importable from here, and events stored before the split under
this module's topics
(`services.inspection.rectification.domain:RectificationOrder.Issued`, …) still resolve
through these re-exports, so they load as they did.
"""

from __future__ import annotations

from services.inspection.rectification.domain.order import RectificationOrder
from services.inspection.rectification.domain.rules import (
    MAX_FINDINGS,
    NAME_MAX,
    OPEN,
    REASON_MAX,
    REPORT_MAX,
    REQUIREMENTS_MAX,
    WITHDRAWN,
    EscalationOutOfOrder,
    InvalidRectification,
    NotOverdue,
    OrderWithdrawn,
    RectificationNotFound,
    RectificationStateConflict,
    check_findings,
    typed_outcome,
    typed_rating,
    typed_status,
    typed_step,
)

__all__ = [
    "MAX_FINDINGS",
    "NAME_MAX",
    "OPEN",
    "REASON_MAX",
    "REPORT_MAX",
    "REQUIREMENTS_MAX",
    "WITHDRAWN",
    "EscalationOutOfOrder",
    "InvalidRectification",
    "NotOverdue",
    "OrderWithdrawn",
    "RectificationNotFound",
    "RectificationOrder",
    "RectificationStateConflict",
    "check_findings",
    "typed_outcome",
    "typed_rating",
    "typed_status",
    "typed_step",
]
