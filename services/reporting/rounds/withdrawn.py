"""What the public is answered in place of withdrawn results (撤回): when and why, never the
results themselves."""

from __future__ import annotations

from services.reporting.documents import beijing
from services.reporting.errors import CAMPAIGN_NOT_PUBLISHED, NotPublished, PublicationWithdrawn
from shared.views import Document


def withdrawn(publication: Document, withdrawal: Document, field: str) -> PublicationWithdrawn:
    """The 410 a public read of withdrawn results answers: when and why, never the results.
    The reason is Chinese first, as the page shows it to the public."""
    return PublicationWithdrawn(
        f"已撤回：第{publication['round']}轮评议结果已于{beijing(withdrawal['withdrawn_at'])}"
        f"撤回，撤回原因：{withdrawal['reason']}（these results were withdrawn）",
        field=field,
        withdrawn_at=withdrawal["withdrawn_at"],
        withdrawal_reason=withdrawal["reason"],
        version=withdrawal["version"],
    )


def nothing_in_force(publications: list[Document], field: str) -> Exception:
    """What a read over a campaign's published rounds answers when none is in force:
    withdrawn (410, the latest withdrawal) when some were published, else not published."""
    gone = [doc for doc in publications if doc.get("withdrawn")]
    if not gone:
        return NotPublished(CAMPAIGN_NOT_PUBLISHED, field=field)
    latest = max(gone, key=lambda doc: str(doc["withdrawn"]["withdrawn_at"]))
    return withdrawn(latest, latest["withdrawn"], field)
