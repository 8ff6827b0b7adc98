"""Every refusal of a scheme's YAML text reads Chinese first, the English after it, each
with the place when the reader has one: `第 5 行第 8 列: … (line 5, column 8: …)`."""

from __future__ import annotations

import re

import pytest

from services.scoring.engine.scheme.yaml_text import YamlRefused, read_yaml

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("text", "code", "english"),
    [
        ("a: [1, 2\nb: 3\n", "yaml_syntax", "(line 2, column 2: not valid YAML: while parsing"),
        ("a: \x07\n", "yaml_syntax", "(not valid YAML: unacceptable character #x0007"),
        ("", "yaml_syntax", "(the YAML text holds no document)"),
        (b"\xff\xfe", "not_utf8", "(the YAML text is not UTF-8"),
        ("a: 1\na: 2\n", "duplicate_key", "(line 2, column 1: the key 'a' is given twice"),
        ("1: x\n", "key_not_text", "(line 1, column 1: the key '1' is not text"),
        ("a: 2024-01-01\n", "value_not_json", "(line 1, column 4: '2024-01-01' is a date"),
        ("a: 060\n", "number_not_plain", "(line 1, column 4: '060' is not a plain decimal"),
        ("a: &d {x: *d}\n", "too_large", "(line 1, column 4: nested deeper than 64 levels"),
    ],
)
def test_a_refusal_reads_chinese_first(text: str | bytes, code: str, english: str) -> None:
    with pytest.raises(YamlRefused) as refused:
        read_yaml(text)
    assert refused.value.code == code
    reason = refused.value.reason
    assert CHINESE_FIRST.match(reason), reason
    assert english in reason, reason
    assert "\n" not in reason  # one line, as a 422's reason and a command's message are
