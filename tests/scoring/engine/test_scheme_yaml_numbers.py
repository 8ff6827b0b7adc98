"""The YAML reader reads a number only as JSON writes one (QA): YAML 1.1 read `060` as octal
48, `0b11` as 3, `0x1` as 1, `1_000` as 1000 and `1:30` as 90 (base 60), silently. Each is
refused at its line and column; plain numbers and quoted text read as before."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.scoring.engine.scheme import SchemeError, load_scheme
from services.scoring.engine.scheme.yaml_text import YamlRefused, read_yaml
from tests.scoring.engine.schemes import survey_only


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("060", "48"),
        ("0b11", "3"),
        ("0x1", "1"),
        ("1_000", "1000"),
        ("1:30", "90"),
        ("-0x1", "-1"),
        ("1_0.5", "10.5"),
        (".5", "0.5"),
        (".inf", "inf"),
        ("!!int 0o17", "15"),
    ],
)
def test_a_number_not_written_as_a_plain_decimal_is_refused_at_its_place(
    written: str, read_as: str
) -> None:
    with pytest.raises(YamlRefused) as refused:
        read_yaml(f"grading:\n  rules:\n    - when:\n        min_score: {written}\n")
    error = refused.value
    assert (error.code, error.path) == (
        "number_not_plain",
        ("grading", "rules", "0", "when", "min_score"),
    )
    assert (error.line, error.column) == (4, 20)
    assert f"YAML 会读作 {read_as}" in error.reason
    assert "write it as a plain decimal, or quote it" in error.reason


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("85", 85),
        ("-3", -3),
        ("+5", 5),
        ("0", 0),
        ("0.85", 0.85),
        ("85.", 85.0),
        ("1.5e+3", 1500.0),
        ("'060'", "060"),
        ('"1:30"', "1:30"),
        ("0o7", "0o7"),
    ],
)
def test_plain_numbers_and_quoted_text_read_as_before(written: str, value: object) -> None:
    assert read_yaml(f"a: {written}\n") == {"a": value} == yaml.safe_load(f"a: {written}\n")


def test_a_scheme_file_with_an_octal_threshold_is_refused(tmp_path: Path) -> None:
    text = yaml.safe_dump(survey_only(), allow_unicode=True, sort_keys=False)
    assert "min_score: '90'" in text
    (tmp_path / "s.yaml").write_text(text.replace("min_score: '90'", "min_score: 060"), "utf-8")
    with pytest.raises(SchemeError) as refused:
        load_scheme(tmp_path / "s.yaml")
    assert "'060' is not a plain decimal" in str(refused.value)
