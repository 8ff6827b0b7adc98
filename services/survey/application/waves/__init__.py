"""Opening, accrediting and closing waves. A campaign wave takes its units and their
categories from the campaign's enrolment as it stands when the wave opens; units withdrawn,
merged or dissolved afterwards stay in the wave as they were (questionnaires about them are
still accepted and published), and scoring decides what they count for.

Split by subject: the commands (commands.py), the units a wave surveys (units.py), the
checks of its setup (setup.py) and its answer shape (outputs.py). Every name stays
importable from here."""

from __future__ import annotations

from services.survey.application.waves.commands import CLOSE_ATTEMPTS, WaveCommands
from services.survey.application.waves.outputs import agency_wave_out, facts_out, wave_out
from services.survey.application.waves.setup import (
    appointed_panel,
    check_agencies,
    check_agency,
    check_groups,
    check_panel,
    check_points,
    representative_panel,
)
from services.survey.application.waves.units import CHINA, campaign_units, standalone_units

__all__ = [
    "CHINA",
    "CLOSE_ATTEMPTS",
    "WaveCommands",
    "agency_wave_out",
    "appointed_panel",
    "campaign_units",
    "check_agencies",
    "check_agency",
    "check_groups",
    "check_panel",
    "check_points",
    "facts_out",
    "representative_panel",
    "standalone_units",
    "wave_out",
]
