"""`shared.contracts.survey` is split for its size (`survey_vocabulary`, `survey_responses`)
and still names every survey contract and vocabulary: each name a sibling defines is the
same object from `shared.contracts.survey`, and each message survey publishes from these
modules is registered once, under the subject and version it always had."""

from __future__ import annotations

import inspect
from types import ModuleType

from shared.contracts import PAYLOAD_TYPES, IntegrationPayload, survey
from shared.contracts import survey_responses as responses
from shared.contracts import survey_vocabulary as vocabulary

SIBLINGS = (vocabulary, responses)
SUBJECTS = {
    ("survey.wave.opened", 1): "WaveOpenedV1",
    ("survey.wave.opened", 2): "WaveOpenedV2",
    ("survey.wave.opened", 3): "WaveOpened",
    ("survey.wave.agency_accredited", 1): "WaveAgencyAccredited",
    ("survey.wave.closed", 1): "WaveClosedV1",
    ("survey.wave.closed", 2): "WaveClosed",
    ("survey.response.recorded", 1): "ResponseRecordedV1",
    ("survey.response.recorded", 2): "ResponseRecordedV2",
    ("survey.response.recorded", 3): "ResponseRecorded",
    ("survey.response.corrected", 1): "ResponseCorrected",
    ("survey.response.voided", 1): "ResponseVoided",
    ("survey.response.quarantined", 1): "ResponseQuarantined",
    ("survey.response.released", 1): "ResponseReleased",
    ("survey.response.rejected", 1): "ResponseRejected",
    ("survey.batch.withdrawn", 1): "BatchWithdrawn",
}


def _defined(module: ModuleType) -> dict[str, object]:
    """The classes, functions and constants a module defines itself (not those it imports)."""
    found = {}
    for name, value in vars(module).items():
        if name.startswith("__") or inspect.ismodule(value):
            continue
        home = getattr(value, "__module__", None)
        if home == module.__name__ or (home is None and name.isupper()):
            found[name] = value
    return found


def test_every_name_a_sibling_defines_is_named_from_survey() -> None:
    for module in SIBLINGS:
        for name, value in _defined(module).items():
            assert getattr(survey, name, None) is value, f"{module.__name__}.{name}"
            assert name in survey.__all__, name
    for name in survey.__all__:
        assert hasattr(survey, name), name


def test_every_message_keeps_its_subject_version_and_name() -> None:
    mine = {
        key: model
        for key, model in PAYLOAD_TYPES.items()
        if model.__module__ in {survey.__name__, *(m.__name__ for m in SIBLINGS)}
    }
    assert {key: model.__name__ for key, model in mine.items()} == SUBJECTS
    for key, name in SUBJECTS.items():
        model = getattr(survey, name)
        assert issubclass(model, IntegrationPayload)
        assert (model.event_type, model.schema_version) == key
