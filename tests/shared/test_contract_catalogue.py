"""Every subject survey and scoring publish is listed, at its newest version, where their
docs list what they publish (docs/survey.md, "Published contracts"; docs/scoring.md): a
contract added or raised without its line there fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.contracts import PAYLOAD_TYPES, latest_version

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _section(doc: str, heading: str) -> str:
    text = (DOCS / doc).read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


CATALOGUES = {
    "survey.": _section("survey.md", "## Published contracts"),
    "scoring.": (DOCS / "scoring.md").read_text(encoding="utf-8"),
}
SUBJECTS = sorted({kind for kind, _ in PAYLOAD_TYPES if kind.startswith(tuple(CATALOGUES))})


@pytest.mark.parametrize("subject", SUBJECTS)
def test_each_subject_is_listed_at_its_newest_version(subject: str) -> None:
    catalogue = next(text for prefix, text in CATALOGUES.items() if subject.startswith(prefix))
    listed = f"`{subject}` v{latest_version(subject)}"
    assert listed in " ".join(catalogue.split()), f"{listed} is not listed"


def test_the_quota_change_is_among_them() -> None:
    assert "survey.wave.agency_quota_changed" in SUBJECTS
