"""The refusals the scheme module words itself (a file it cannot read, a document that is
not a mapping, a (scheme_id, version) shipped twice) read Chinese first with the English
after it in brackets, as the rules' and the YAML reader's do: `pingyi` and the API show
them to the offices that write schemes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from services.scoring.engine.scheme import (
    SCHEMES_DIR,
    Scheme,
    SchemeError,
    load_scheme,
    schemes_in,
)

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _refused(path: Path) -> SchemeError:
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    return caught.value


def test_a_malformed_yaml_file_is_refused_chinese_first(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("scheme_id: [unclosed\n", encoding="utf-8")
    refused = _refused(tmp_path / "bad.yaml")
    assert refused.field == "$"
    assert CHINESE_FIRST.match(refused.reason), refused.reason
    assert refused.reason.startswith("文件 bad.yaml 不是有效的 YAML/JSON: 第 2 行第 1 列: ")
    assert "(bad.yaml is not valid YAML/JSON: line 2, column 1: not valid YAML: " in (
        refused.reason
    )


def test_a_key_given_twice_reads_chinese_first_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "twice.yaml").write_text("title: 甲\ntitle: 乙\n", encoding="utf-8")
    refused = _refused(tmp_path / "twice.yaml")
    assert refused.reason.startswith(
        "文件 twice.yaml 不是有效的 YAML/JSON: 第 2 行第 1 列: 键 'title' 在同一映射中出现两次"
    )
    assert "(twice.yaml is not valid YAML/JSON: line 2, column 1: the key 'title'" in (
        refused.reason
    )


def test_a_malformed_json_file_is_refused_chinese_first(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"scheme_id": \n', encoding="utf-8")
    refused = _refused(tmp_path / "bad.json")
    assert refused.reason == (
        "文件 bad.json 不是有效的 YAML/JSON: 第 2 行第 1 列: 不是有效的 JSON "
        "(bad.json is not valid YAML/JSON: Expecting value: line 2 column 1 (char 15))"
    )


@pytest.mark.parametrize("name", ["gbk.yaml", "gbk.json"])
def test_a_file_that_is_not_utf8_is_refused_chinese_first(tmp_path: Path, name: str) -> None:
    """It raised Python's UnicodeDecodeError: a traceback for the office, naming no file."""
    (tmp_path / name).write_bytes("title: 评议\n".encode("gbk"))
    refused = _refused(tmp_path / name)
    assert refused.problems == (
        (
            "$",
            f"文件 {name} 不是有效的 YAML/JSON: 文本须为 UTF-8 编码, 第 7 字节不是 "
            f"({name} is not valid YAML/JSON: the text is not UTF-8 (byte 7 is not))",
        ),
    )


def test_a_json_number_python_does_not_read_is_refused_chinese_first(tmp_path: Path) -> None:
    (tmp_path / "long.json").write_text('{"version": ' + "1" * 5000 + "}", encoding="utf-8")
    refused = _refused(tmp_path / "long.json")
    assert refused.reason.startswith(
        "文件 long.json 不是有效的 YAML/JSON: 数字超过 4,300 位 (long.json is not valid "
        "YAML/JSON: Exceeds the limit (4300 digits)"
    )


@pytest.mark.parametrize("document", [[1, 2], "scheme", None])
def test_a_document_that_is_not_a_mapping_is_refused_chinese_first(document: object) -> None:
    with pytest.raises(SchemeError) as caught:
        Scheme.from_document(document)  # type: ignore[arg-type]
    assert caught.value.problems == (
        ("$", "方案须为键值映射 (a scheme is a mapping of keys to values)"),
    )


def test_a_scheme_shipped_twice_is_refused_chinese_first(tmp_path: Path) -> None:
    shipped = SCHEMES_DIR / "wenti-shuangping.yaml"
    shutil.copy(shipped, tmp_path / "a.yaml")
    shutil.copy(shipped, tmp_path / "b.yaml")
    with pytest.raises(SchemeError) as caught:
        schemes_in(tmp_path)
    assert caught.value.field == "scheme_id"
    assert CHINESE_FIRST.match(caught.value.reason), caught.value.reason
    assert caught.value.reason.endswith("shipped twice (b.yaml))")
    assert len(schemes_in(SCHEMES_DIR)) == len(list(SCHEMES_DIR.glob("*.yaml")))
