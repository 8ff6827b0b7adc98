"""Reading the wave view: a page of waves in a caller's scope, a page of a wave's
questionnaires collected in a range of time, and how many of a wave's questionnaires stand
in each status."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from services.survey.views.agencies import agency_part
from services.survey.views.names import PROGRESS, QUESTIONNAIRES, STATUSES, WAVE_AGENCIES, WAVES
from shared.views import ViewStore
from shared.views.base import Document, Filter, encode_cursor

if TYPE_CHECKING:
    # The API's paging, only named here: the survey's relay and views processes load this
    # module with the application and serve no HTTP.
    from shared.web.pagination import Paging


def visible_waves(
    views: ViewStore, page: Paging, where: Filter, agency: str | None
) -> list[Document]:
    """A page of waves: an agency's (`agency`, its principal id) found through its
    accreditations, in name order like everyone else's, each with its own questionnaires'
    `response_count`; the others under `where`."""
    if agency is None:
        return page.fetch(views, WAVES, where=where)
    rows = page.fetch(views, WAVE_AGENCIES, where={"agency_id": agency})
    ids = [row["wave_id"] for row in rows]
    found, progress = views.get_many(WAVES, ids), views.get_many(PROGRESS, ids)
    # An agency's count is its own questionnaires, never the whole wave's (another
    # agency's work would move it).
    return [
        found[wave]
        | {
            "agency_id": own_agency_id(found[wave]["agency_id"], agency),
            "response_count": sum(wave_standing(progress.get(wave), agency).values()),
        }
        for wave in ids
        if wave in found
    ]


def wave_standing(progress: Document | None, agency: str | None) -> dict[str, int]:
    """How many of a wave's questionnaires stand in each status (`STATUSES`), as its progress
    document counts them: the whole wave's, or an agency's own (`agency`: what an agency
    reads of progress, never a count another agency's work moves). All 0 until the view has
    seen the wave (`progress` None)."""
    if progress is None:
        return dict.fromkeys(STATUSES, 0)
    if agency is not None:
        progress = agency_part(progress, agency)
    by_status: dict[str, int] = progress["by_status"]
    return {status: by_status.get(status, 0) for status in STATUSES}


def with_quotas(progress: Document, quotas: dict[str, int | None]) -> Document:
    """A progress document with each agency's quota as the wave holds it now (`quotas`): a
    quota changed after the agency's accreditation (`Wave.QuotaChanged`) is survey's own
    fact, published to no view. A copy: the view's document is never written here."""
    by_agency = {
        agency: line | ({"quota": quotas[agency]} if agency in quotas else {})
        for agency, line in progress["by_agency"].items()
    }
    return progress | {"by_agency": by_agency}


RANGE_CHUNK = 1000
"""Questionnaire rows read at a time when a page is filtered by when they were collected."""


def collected_between(
    views: ViewStore,
    page: Paging,
    where: Filter,
    start: datetime | None,
    end: datetime | None,
) -> list[Document]:
    """A page of questionnaire rows under `where` collected from `start` to `end` (both
    included; None: no bound), in the list's order (questionnaire id), with a cursor after
    its last row when more follow. When is no index of the rows (a store filters on
    equality only, and every index slot is taken), so with a bound the rows under `where`
    are read in chunks in that order and those outside the range passed over, holding no
    more than a page: a narrow range of a large wave reads the whole wave."""
    if start is None and end is None:
        return page.fetch(views, QUESTIONNAIRES, where=where)
    order = views.collection(QUESTIONNAIRES)
    cursor = page.cursor
    kept: list[Document] = []
    while True:
        found = views.page(QUESTIONNAIRES, where=where, cursor=cursor, limit=RANGE_CHUNK)
        for doc in found.items:
            collected = datetime.fromisoformat(doc["collected_at"])
            if (start is not None and collected < start) or (end is not None and collected > end):
                continue
            if len(kept) == page.limit:  # one more follows: the page ends before it
                last = kept[-1]
                return page.send(kept, encode_cursor(order.sort_value(last), last["response_id"]))
            kept.append(doc)
        if found.next_cursor is None:
            return page.send(kept, None)
        cursor = found.next_cursor


def own_agency_id(agency_id: str | None, reader: str) -> str | None:
    """The wave's agency (the one named at its opening) as an accredited agency reads it:
    itself when it is that agency, else null, since another agency's principal id is no
    more its business than that agency's figures."""
    return agency_id if agency_id == reader else None
