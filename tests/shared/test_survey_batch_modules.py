"""`shared.contracts.survey_batch` is split for its size (`survey_batch_rows`,
`survey_batch_columns`) and still names everything callers import from it: each public name
a sibling defines is the same object from `survey_batch` and listed in its `__all__`, and
both versions of `survey.batch.recorded` stay registered under their names."""

from __future__ import annotations

import inspect
from types import ModuleType

from shared.contracts import PAYLOAD_TYPES, survey_batch
from shared.contracts import survey_batch_columns as columns
from shared.contracts import survey_batch_rows as rows

# What services, bench, pingyi and tests import from `survey_batch` (and its own names).
CALLERS_IMPORT = {
    "EXTRA_FIELDS",
    "MAX_LEVELS",
    "NOT_RATED",
    "ROW_ALPHABET",
    "BatchExtra",
    "BatchQuestionnaire",
    "BatchRecorded",
    "BatchRecordedV1",
    "column_problem",
    "level_counts",
    "row_chars",
    "row_codes",
    "row_text",
}


def _public(module: ModuleType) -> dict[str, object]:
    """The public classes, functions and constants a module defines itself."""
    found = {}
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        home = getattr(value, "__module__", None)
        if home == module.__name__ or (home is None and name.isupper()):
            found[name] = value
    return found


def test_every_name_callers_import_is_named_from_survey_batch() -> None:
    assert set(survey_batch.__all__) == CALLERS_IMPORT
    for name in survey_batch.__all__:
        assert hasattr(survey_batch, name), name


def test_every_public_name_a_sibling_defines_is_the_same_object() -> None:
    for module in (rows, columns):
        for name, value in _public(module).items():
            if name in {"columns_of", "extras_of", "constructed"}:
                continue  # the part's own builders, not a name for callers
            assert getattr(survey_batch, name, None) is value, f"{module.__name__}.{name}"
            assert name in survey_batch.__all__, name


def test_both_versions_keep_their_subject_and_name() -> None:
    assert PAYLOAD_TYPES[("survey.batch.recorded", 1)] is survey_batch.BatchRecordedV1
    assert PAYLOAD_TYPES[("survey.batch.recorded", 2)] is survey_batch.BatchRecorded
    assert survey_batch.BatchRecorded.__module__ == survey_batch.__name__
