"""docs/survey.md's table of an upload's column headers and the JSON fields they fill is read
back and compared with the columns the parser builds (services/survey/uploads/layout.py), so
the doc cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from services.survey.uploads.layout import UploadLayout, columns_of

DOC = Path(__file__).resolve().parents[3] / "docs" / "survey.md"
TABLE_HEAD = "| 表头 (column header) | JSON field |"


def _documented() -> list[tuple[str, str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(TABLE_HEAD))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        # `\|` inside a cell is a literal bar (a unit's column: `<unit>|意见建议`).
        cells = [c.strip() for c in line.replace("\\|", "\0").strip("|").split("|")]
        header, field = (c.strip("`").replace("\0", "|") for c in cells[:2])
        rows.append((header, field))
    return rows


def _coded() -> list[tuple[str, str]]:
    # Every column a wave can have: the doc's placeholders stand for one unit and one
    # dimension, named as the doc names them.
    layout = UploadLayout(
        units=[("<unit id>", "<unit>")],
        dimensions=[("<code>", "<dimension>")],
        opinions=True,
        recommendations=True,
        district=True,
        panel=True,
    )
    return [(slot.header, slot.field) for slot in columns_of(layout).slots]


def test_the_docs_header_table_is_the_codes_columns() -> None:
    assert _documented() == _coded()
