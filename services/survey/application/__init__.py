"""Survey commands and queries. Waves, templates and questionnaires are checked against the
event store itself; units, jurisdictions, campaigns, panels and agencies against this
service's copy of the registry."""

from typing import Any, ClassVar

from eventsourcing.persistence import Mapper

from services.survey.application.base import SurveyBase, require_agency
from services.survey.application.batches import BatchCommands
from services.survey.application.claims import PushMapper
from services.survey.application.scans import ScanCommands
from services.survey.application.templates import TemplateCommands, template_out
from services.survey.application.voting import VotingCommands
from services.survey.application.waves import WaveCommands, agency_wave_out, facts_out, wave_out
from services.survey.domain import Wave


class SurveyApplication(
    WaveCommands, BatchCommands, ScanCommands, TemplateCommands, VotingCommands
):
    """The survey service's one eventsourcing application."""

    # Set on the concrete class: eventsourcing names an application after its class
    # otherwise, and the name decides the tables and the environment prefix.
    name = "survey"
    # A wave gains an event per accepted batch (and per public vote): snapshots keep its
    # loading short however many it has taken.
    env: ClassVar[dict[str, str]] = {"IS_SNAPSHOTTING_ENABLED": "y"}
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Wave: 50}

    def construct_mapper(self) -> Mapper[Any]:
        return PushMapper.like(super().construct_mapper())


__all__ = [
    "SurveyApplication",
    "SurveyBase",
    "agency_wave_out",
    "facts_out",
    "require_agency",
    "template_out",
    "wave_out",
]
