"""The collections of survey's wave view and the words its documents use, apart from the
handlers so that every module of the view (and the application's scans) can name them."""

from __future__ import annotations

WAVES = "waves"
QUESTIONNAIRES = "wave_questionnaires"
PROGRESS = "wave_progress"
WAVE_AGENCIES = "wave_agencies"
"""One row per (wave, accredited agency): how an agency finds every wave it may push into."""
STATUSES = ("counted", "quarantined", "rejected", "voided", "withdrawn")
GONE = ("voided", "withdrawn")
"""Statuses a questionnaire never leaves, that no longer stand: it was voided (entered in
error) or its batch withdrawn. Progress no longer counts it as collected toward a target
(`by_status` still lists it)."""
NOT_STANDING = ("rejected", *GONE)
"""Statuses of a questionnaire that no longer stands: voided, withdrawn, or rejected on
review (found not to be a genuine questionnaire, it never counts again). Progress's
`collected` leaves it out; a quarantined one, awaiting its review, stays."""
UNSPECIFIED = "unspecified"
"""The key of the bucket for a questionnaire that names no point, channel, group or agency
(the same key reporting's progress uses)."""
UNSPECIFIED_NAME = "未注明"
"""Its name where a bucket has one."""
