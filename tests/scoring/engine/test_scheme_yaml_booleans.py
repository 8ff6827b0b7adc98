"""A scheme's YAML has YAML 1.2's booleans only (QA): PyYAML's YAML 1.1 also read `yes`,
`no`, `on` and `off` (any case) as true/false, so `ranked: on` was silently true and a key
`no:` a boolean. They are text now, in a registered document and a shipped file alike, and a
flag refuses them by name, saying to write true or false."""

from __future__ import annotations

import pytest
import yaml

from services.scoring.engine.scheme import (
    SCHEMES_DIR,
    SHIPPED_LOADER,
    Scheme,
    SchemeError,
    load_scheme,
)
from services.scoring.engine.scheme.yaml_text import read_yaml

YANCHENG = SCHEMES_DIR / "yancheng-jiceng-manyi.yaml"
WORDS_1_1 = ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]


@pytest.mark.parametrize("word", WORDS_1_1)
def test_yaml_1_1_boolean_words_are_text(word: str) -> None:
    text = f"a: {word}\nb: [{word}]\n{word}: 1\n"
    expected = {"a": word, "b": [word], word: 1}
    assert read_yaml(text) == expected
    assert yaml.load(text, Loader=SHIPPED_LOADER) == expected


@pytest.mark.parametrize(
    ("word", "value"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False)],
)
def test_true_and_false_are_booleans(word: str, value: bool) -> None:
    assert read_yaml(f"a: {word}\n") == {"a": value}
    assert yaml.load(f"a: {word}\n", Loader=SHIPPED_LOADER) == {"a": value}


def test_the_loaders_leave_pyyaml_itself_alone() -> None:
    assert yaml.safe_load("a: on\n") == {"a": True}


def _yancheng(ranked: str) -> str:
    text = YANCHENG.read_text(encoding="utf-8")
    assert text.count("    ranked: false\n") == 1
    return text.replace("    ranked: false\n", f"    ranked: {ranked}\n")


@pytest.mark.parametrize("word", ["on", "off", "yes", "no"])
def test_a_flag_written_as_a_yaml_1_1_word_is_refused_by_name(word: str, tmp_path) -> None:
    document = read_yaml(_yancheng(word))
    assert document["overrides"][0]["ranked"] == word
    with pytest.raises(SchemeError) as refused:
        Scheme.from_new_document(document)
    [(field, reason)] = refused.value.problems
    assert field == "overrides.0.ranked"
    assert reason.startswith("须为 true 或 false")
    assert f"「{word}」在方案中是文本" in reason
    assert "write true or false" in reason
    # A file read back (a stored document's rules) is refused alike.
    (tmp_path / "x.yaml").write_text(_yancheng(word), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"overrides\.0\.ranked"):
        load_scheme(tmp_path / "x.yaml")


def test_a_flag_written_true_or_false_reads_as_before() -> None:
    scheme = Scheme.from_new_document(read_yaml(_yancheng("FALSE")))
    shipped = Scheme.from_new_document(read_yaml(YANCHENG.read_text(encoding="utf-8")))
    assert scheme.scheme_hash == shipped.scheme_hash
