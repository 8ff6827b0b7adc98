"""The scheme document: validation errors name the field, the hash pins the validated
document, and the shipped files load."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from services.scoring.engine.scheme import (
    SCHEMES_DIR,
    SHIPPED_LOADER,
    Scheme,
    SchemeError,
    builtin_schemes,
    load_scheme,
)
from services.scoring.engine.scheme.yaml_text import read_yaml
from tests.scoring.engine.schemes import survey_only


def _error(doc) -> SchemeError:
    with pytest.raises(SchemeError) as caught:
        Scheme.from_document(doc)
    return caught.value


def test_shipped_schemes_one_per_seed_program():
    schemes = builtin_schemes()
    assert {s.program for s in schemes.values()} == {
        "democratic_appraisal",
        "ten_thousand_appraisal",
        "satisfied_grassroots_units",
        "double_appraisal",
        "duty_inspection",
    }
    assert len(list(SCHEMES_DIR.glob("*.yaml"))) == 5


def test_shipped_schemes_are_read_once_and_each_caller_gets_its_own_dict():
    """Read once per process (parsing the YAML took about 110 ms a request); what a caller
    does to the dict it gets never reaches the next caller, and the schemes are the files'."""
    first = builtin_schemes()
    first.clear()
    again = builtin_schemes()
    assert len(again) == 5
    for path in SCHEMES_DIR.glob("*.yaml"):
        from_file = load_scheme(path)
        assert again[from_file.key].scheme_hash == from_file.scheme_hash
        # Read with libyaml's parser (where PyYAML has it) to the same document.
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=SHIPPED_LOADER) == yaml.safe_load(text) == read_yaml(text)
    # libyaml's parser, with YAML 1.2's booleans (test_scheme_yaml_booleans.py).
    assert issubclass(SHIPPED_LOADER, getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_ref_and_hash():
    scheme = Scheme.from_document(survey_only())
    assert set(scheme.ref()) == {"scheme_id", "version", "scheme_hash"}
    assert scheme.scheme_hash.startswith("sha256:")
    assert Scheme.from_document(scheme.document()).scheme_hash == scheme.scheme_hash


def test_spelling_out_a_default_is_the_same_scheme_and_changing_a_weight_is_not():
    plain = Scheme.from_document(survey_only())
    explicit = Scheme.from_document(survey_only(arithmetic={"places": 2}))
    assert plain.scheme_hash == explicit.scheme_hash
    changed = survey_only()
    changed["components"][0]["level_weights"]["基本满意"] = "60"
    assert Scheme.from_document(changed).scheme_hash != plain.scheme_hash


def test_yaml_and_json_files_load_alike(tmp_path):
    doc = survey_only()
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (tmp_path / "s.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert load_scheme(tmp_path / "s.yaml") == load_scheme(tmp_path / "s.json")


def test_a_key_given_twice_in_a_file_is_refused_at_its_line(tmp_path):
    """A scheme file is read as a YAML body of POST /schemes is: the second `title` is not
    silently the title (PyYAML's safe_load keeps the last)."""
    text = yaml.safe_dump(survey_only(), allow_unicode=True, sort_keys=False)
    (tmp_path / "twice.yaml").write_text(text + "title: 另一个标题\n", encoding="utf-8")
    with pytest.raises(SchemeError) as refused:
        load_scheme(tmp_path / "twice.yaml")
    assert "title" in str(refused.value)
    assert f"line {len(text.splitlines()) + 1}" in str(refused.value)


def test_broken_file_is_a_scheme_error(tmp_path):
    (tmp_path / "bad.yaml").write_text("scheme_id: [unclosed", encoding="utf-8")
    with pytest.raises(SchemeError):
        load_scheme(tmp_path / "bad.yaml")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (lambda d: d.pop("title"), "title", "Field required"),
        (lambda d: d.update(unknown_key=1), "unknown_key", "Extra inputs"),
        (lambda d: d["components"][0].update(weight="0.5"), "components", "sum to 1"),
        (lambda d: d["components"][0].update(weight="1.5"), "components.0.weight", "less than"),
        (
            lambda d: d["components"][0]["level_weights"].pop("不满意"),
            "components.0.level_weights",
            "weighted or excluded",
        ),
        (
            lambda d: d["components"][0].update(scale="five_level"),
            "components.0.excluded.0",
            "not a level of scale five_level",
        ),
        (lambda d: d["components"][0].update(source="magic"), "components.0", "magic"),
        (lambda d: d["grading"]["rules"][0].update(grade="优"), "grading.rules.0.grade", "not one"),
        (
            lambda d: d["lists"][0]["when"].update(grades=["优"]),
            "lists.0.when.grades.0",
            "not one of",
        ),
        (lambda d: d.update(ranking={"ties": ["nope"]}), "ranking.ties.0", "unknown component"),
        (
            lambda d: d.update(arithmetic={"rounding": "ROUND_UP_SOMETIMES"}),
            "arithmetic.rounding",
            "",
        ),
        (lambda d: d["lists"][0]["when"].update(consecutive=3), "lists.0.when.consecutive", ""),
        (lambda d: d.update(scheme_id="Bad Id"), "scheme_id", "pattern"),
    ],
)
def test_invalid_documents_name_the_field(change, field, reason):
    doc = copy.deepcopy(survey_only())
    change(doc)
    error = _error(doc)
    assert error.field == field, str(error)
    assert reason in error.reason
    assert str(error).startswith(f"{field}: ")


def test_not_a_mapping():
    assert _error([1, 2]).field == "$"  # type: ignore[arg-type]
