"""`pingyi audit export --scheme` refuses a file it cannot use naming what to mend: a file
that is not there as `audit verify` says of a missing bundle (没有这个文件, no errno text), and
the body of `POST /schemes` (`document:` and `reason:`) as that body, not as a scheme short
of every field. Such a body is not unwrapped: the bundle holds the scheme as the file wrote
it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pingyi.audit_scheme_file import SchemeFileError, load_scheme

SCHEME = Path(__file__).parent / "schemes" / "satisfaction.yaml"


def test_a_scheme_file_that_is_not_there_is_said_so(tmp_path: Path) -> None:
    missing = tmp_path / "nofile.yaml"
    with pytest.raises(SchemeFileError) as refused:
        load_scheme(missing)
    assert str(refused.value) == f"没有这个文件: {missing} (no such file: {missing})"


def test_a_folder_is_refused_without_the_errno_text(tmp_path: Path) -> None:
    with pytest.raises(SchemeFileError) as refused:
        load_scheme(tmp_path)
    assert "Errno" not in str(refused.value)
    assert str(refused.value).startswith(f"无法读取方案文件 {tmp_path} (")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_body_of_post_schemes_is_refused_as_that_body(tmp_path: Path, suffix: str) -> None:
    document = yaml.safe_load(SCHEME.read_text(encoding="utf-8"))
    body = tmp_path / f"body{suffix}"
    wrapped = {"document": document, "reason": "新方案"}
    text = json.dumps(wrapped) if suffix == ".json" else yaml.safe_dump(wrapped)
    body.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeFileError) as refused:
        load_scheme(body)
    assert str(refused.value) == (
        f"方案文件 {body} 不是有效的计分方案 ({body} is not a valid scheme): "
        "这是 POST /schemes 的请求体, 请只给出其中的 document "
        "(this is a POST /schemes body: give only its document)"
    )
    assert load_scheme(SCHEME) == document  # the document alone is taken, as written


def test_a_scheme_merely_short_of_fields_is_not_called_a_body(tmp_path: Path) -> None:
    short = tmp_path / "short.yaml"
    short.write_text("reason: 新方案\nname: x\n", encoding="utf-8")
    with pytest.raises(SchemeFileError) as refused:
        load_scheme(short)
    assert "POST /schemes" not in str(refused.value)
