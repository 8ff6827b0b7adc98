"""Inspection's settings (`PINGYI_INSPECTION_*`), read once per process by pydantic-settings.

Complaint deadlines by kind are a deployment's choice (a city may give consultations 3
working days): `PINGYI_INSPECTION_COMPLAINT_DEADLINES='{"consultation": 3}'` or one kind at
a time, `PINGYI_INSPECTION_COMPLAINT_DEADLINES__CONSULTATION=3`. Each must lie within the
bounds an office may move one complaint's deadline to (complaints.domain.DEADLINE_BOUNDS),
so a deployment cannot set a default that no office could then choose by hand; a value
outside them stops the service at start with the kind named.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.inspection.complaints.domain import DEADLINE_BOUNDS, DEFAULT_DEADLINES
from services.inspection.workdays import CALENDAR_ENV, WorkCalendar
from shared.canonical import canonical_json
from shared.settings import ServiceSettings

DEADLINES_ENV = "PINGYI_INSPECTION_COMPLAINT_DEADLINES"


class ComplaintDeadlines(BaseModel):
    """Working days a unit has to answer a dispatched complaint, by kind (0: the same day)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    emergency: int = Field(default=DEFAULT_DEADLINES["emergency"], ge=0)
    consultation: int = Field(default=DEFAULT_DEADLINES["consultation"], ge=0)
    complaint: int = Field(default=DEFAULT_DEADLINES["complaint"], ge=0)
    suggestion: int = Field(default=DEFAULT_DEADLINES["suggestion"], ge=0)

    @model_validator(mode="after")
    def _within_bounds(self) -> ComplaintDeadlines:
        for kind, days in self.by_kind().items():
            low, high = DEADLINE_BOUNDS[kind]
            if not low <= days <= high:
                raise ValueError(f"{kind}: {days} working days lies outside {low} to {high}")
        return self

    def by_kind(self) -> dict[str, int]:
        return self.model_dump()


class InspectionSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PINGYI_INSPECTION_", extra="ignore", env_nested_delimiter="__"
    )
    port: int = 8703
    complaint_deadlines: ComplaintDeadlines = ComplaintDeadlines()
    calendar: Path | None = Field(
        default=None,
        description="A YAML file of `holidays:` and `workdays:` (调休) that wins over the "
        "chinesecalendar library; read at start, so a file that cannot be used stops the "
        "service with what is wrong named",
    )

    @model_validator(mode="after")
    def _calendar_readable(self) -> InspectionSettings:
        WorkCalendar.from_file(self.calendar)  # CalendarFileError (a ValueError) stops start
        return self


def application_env(settings: ServiceSettings) -> dict[str, str]:
    """What the application reads from its environment: the deadlines as settings parsed
    them, so the application and the settings never disagree."""
    deadlines = getattr(settings, "complaint_deadlines", None)
    if deadlines is None:
        return {}
    env = {DEADLINES_ENV: canonical_json(deadlines.by_kind()).decode("utf-8")}
    calendar = getattr(settings, "calendar", None)
    if calendar is not None:
        env[CALENDAR_ENV] = str(calendar)
    return env
