"""The wave view is a package split by subject (CONTRIBUTING.md: a room past ~300 lines
becomes one): the names the API, the application, the composition and the tests import
from `services.survey.views.waves` still resolve there, the view keeps its name, and no
part of it is past 300 lines again."""

from __future__ import annotations

import importlib
from pathlib import Path

import services.survey.views.waves as waves

EXPORTED = (
    "PROGRESS",
    "QUESTIONNAIRES",
    "WAVES",
    "WAVES_VIEW",
    "agency_part",
    "collected_between",
    "county_part",
    "visible_waves",
)


def test_every_name_read_from_the_module_is_still_there() -> None:
    module = importlib.import_module("services.survey.views.waves")
    assert all(hasattr(module, name) for name in EXPORTED)
    assert waves.WAVES_VIEW.name == "waves"
    # Every upstream message the view folds has its handler, as before the split.
    handled = {kind.__name__ for kind in waves.WAVES_VIEW.handlers["survey"]}
    assert "BatchWithdrawn" in handled and "BatchRecorded" in handled and len(handled) == 11


def test_no_part_of_the_view_is_past_300_lines() -> None:
    package = Path(waves.__file__).parent
    assert package.name == "waves" and (package / "__init__.py").exists()
    sizes = {p.name: len(p.read_text().splitlines()) for p in package.glob("*.py")}
    assert max(sizes.values()) <= 300, sizes
