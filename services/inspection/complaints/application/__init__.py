"""Complaint commands (a mixin of the inspection application), split by subject: the
commands (complaints.py), the sealing and masking of complainants (complainants.py) and
the answer shapes (outputs.py). Every name stays importable from here."""

from __future__ import annotations

from services.inspection.complaints.application.complainants import (
    CONTACT_KEY_ENV,
    CONTACT_KEY_FILE,
    NAME_MAX,
    Complainants,
    ContactKeyMissing,
)
from services.inspection.complaints.application.complaints import Commands
from services.inspection.complaints.application.outputs import (
    appearance_out,
    complaint_out,
    deadline_basis,
    deadline_in_force,
)

__all__ = [
    "CONTACT_KEY_ENV",
    "CONTACT_KEY_FILE",
    "NAME_MAX",
    "Commands",
    "Complainants",
    "ContactKeyMissing",
    "appearance_out",
    "complaint_out",
    "deadline_basis",
    "deadline_in_force",
]
