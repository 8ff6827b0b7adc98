"""Strategies for the spreadsheets offices upload: CSV in the encodings Excel writes, XLSX
with typed cells, and damaged XLSX. The OpenAPI spec only says "a string", so the generic
fuzzer never gets past the header row; these reach the row parser and the domain checks."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.seed import GOV, PUBLIC_SERVICE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = ["text/csv", XLSX, "text/plain", "application/octet-stream", "application/json"]
_AWKWARD = ["", " ", "=1+1", "-", "0", "NaN", "None", "\u3000", "评议" * 40, "'=cmd"]


@dataclass(frozen=True)
class Upload:
    path: str
    owner: str  # the query parameter naming the jurisdiction or campaign
    headers: list[str]
    values: list[str]  # cell values that mean something to this import


UPLOADS = {
    "units": Upload(
        "/imports/units",
        "jurisdiction_id",
        [
            *("单位名称", "简称", "单位类型", "类别", "上级单位", "垂直管理上级"),
            *("统一社会信用代码", "生效日期", "名称", "类型", "分类", "信用代码", "成立日期"),
        ],
        [
            *("舞阳县公安局", "政府部门", "其它机构", "公共服务企业", "重点科室", "基层站所"),
            *(GOV, PUBLIC_SERVICE, "91410000MA1234567X", "2026-01-01", "2026/1/1", "9999-12-31"),
        ],
    ),
    "enrolments": Upload(
        "/imports/enrolments",
        "campaign_id",
        ["单位名称", "统一社会信用代码", "类别", "参评单位", "评议类别", "备注"],
        [
            "舞阳县公安局",
            "舞阳县教育局",
            "舞阳县供电公司",
            GOV,
            PUBLIC_SERVICE,
            "91410000MA1234567X",
        ],
    ),
    "representatives": Upload(
        "/imports/representatives",
        "jurisdiction_id",
        ["姓名", "界别", "联系方式", "代表姓名", "类别", "手机", "备注"],
        [
            "张三",
            "人大代表",
            "政协委员",
            "服务对象",
            "13800138000",
            "+86 138 0013 8000",
            "010-1234",
        ],
    ),
}

_text = st.text(st.characters(codec="utf-8"), max_size=30)


def tables(upload: Upload) -> st.SearchStrategy[list[list[str]]]:
    """A header row (usually the real one, sometimes shuffled or odd) and a few rows."""
    cell = st.one_of(st.sampled_from(upload.values), st.sampled_from(_AWKWARD), _text)
    header = st.one_of(
        st.just(upload.headers[:4]),
        st.permutations(upload.headers).map(lambda h: h[:5]),
        st.lists(st.one_of(st.sampled_from(upload.headers), _text), min_size=1, max_size=6),
    )
    rows = st.lists(st.lists(cell, max_size=7), max_size=6)
    return st.builds(lambda h, r: [list(h), *r], header, rows)


@st.composite
def csv_files(draw: st.DrawFn, upload: Upload) -> bytes:
    table = draw(tables(upload))
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=draw(st.sampled_from([",", "\t", ";"]))).writerows(table)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    return out.getvalue().encode(encoding, errors="replace")


def _xlsx_cell() -> st.SearchStrategy[Any]:
    # openpyxl itself refuses the XML-illegal control characters, so none are generated.
    text = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=30)
    return st.one_of(
        text,
        st.integers(min_value=-(2**53), max_value=2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.dates(min_value=date(1900, 3, 1)),
        st.datetimes(min_value=datetime(1900, 3, 1)),
        st.booleans(),
        st.none(),
        st.sampled_from(["=1/0", "=A1", '=HYPERLINK("http://x")']),
    )


@st.composite
def xlsx_files(draw: st.DrawFn, upload: Upload) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    table = draw(tables(upload))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = draw(st.sampled_from(["名单", "Sheet1", "参评单位"]))
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", header) for header in table[0]])
    for _ in table[1:]:
        sheet.append(
            draw(st.lists(st.one_of(st.sampled_from(upload.values), _xlsx_cell()), max_size=7))
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@st.composite
def damaged_xlsx_files(draw: st.DrawFn, upload: Upload) -> bytes:
    """A real workbook, then cut short, scribbled on, or with one part replaced."""
    whole = draw(xlsx_files(upload))
    damage = draw(st.sampled_from(["truncate", "scribble", "replace_part"]))
    # Positions are drawn as fractions: a workbook's length varies with its save time.
    at = 4 + int(draw(st.floats(0, 1, exclude_max=True)) * (len(whole) - 4))
    if damage == "truncate":
        return whole[:at]
    if damage == "scribble":
        junk = draw(st.binary(min_size=1, max_size=16))
        return whole[:at] + junk + whole[at + len(junk) :]
    return _replace_part(whole, draw)


def _replace_part(whole: bytes, draw: st.DrawFn) -> bytes:
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    victim = draw(st.sampled_from(sorted(parts)))
    parts[victim] = draw(
        st.one_of(
            st.binary(max_size=64),
            st.sampled_from([b"", b"<", b"<?xml version='1.0'?><x>", b'<a b="">']),
            st.just(parts[victim][: len(parts[victim]) // 2]),
        )
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


FILES = {"csv": csv_files, "xlsx": xlsx_files, "damaged-xlsx": damaged_xlsx_files}
