"""Published registry facts about campaigns, enrolment and key evaluation targets (issue 3)."""

from __future__ import annotations
