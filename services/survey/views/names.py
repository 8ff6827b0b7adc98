"""The collections of survey's wave view and the words its documents use, apart from the
handlers so that every module of the view (and the application's scans) can name them."""

from __future__ import annotations

WAVES = "waves"
QUESTIONNAIRES = "wave_questionnaires"
PROGRESS = "wave_progress"
WAVE_AGENCIES = "wave_agencies"
"""One row per (wave, accredited agency): how an agency finds every wave it may push into."""
STATUSES = ("counted", "quarantined", "rejected", "voided", "withdrawn")
UNSPECIFIED = "unspecified"
"""The key of the bucket for a questionnaire that names no point, channel, group or agency
(the same key reporting's progress uses)."""
UNSPECIFIED_NAME = "未注明"
"""Its name where a bucket has one."""
