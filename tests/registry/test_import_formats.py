"""QA: an import's format came from its bytes, whatever the Content-Type said (a workbook
sent as text/csv was read as a workbook, a GB18030 file declared UTF-8 was guessed into
GB18030). Now the Content-Type decides, as for survey's uploads: the XLSX type and the CSV
types (with the aliases browsers and curl send, and a UTF-8 or GB18030 charset) are read as
they say; a type that names no format leaves it to the bytes; anything else is 415 and a
body that is not what its type says 422, both naming Content-Type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.registry.importing.rows import parse_file
from shared.tabular import CSV, XLSX, Sheet, UnreadableFile, UnsupportedFile, to_xlsx
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.registry.import_helpers import csv_bytes, jurisdiction, units_of, upload
from tests.registry.test_import_parsing import EXPECTED, ROWS, SPEC

WORKBOOK = to_xlsx(Sheet("名单", ROWS[0], ROWS[1:]))
TEXT = csv_bytes(ROWS)
GB_TEXT = csv_bytes(ROWS, "gb18030")
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
UNIT_ROWS = [["单位名称", "单位类型", "类别"], ["区教育局", "政府部门", "政府部门及其它机构"]]


def names(data: bytes, content_type: str | None) -> list[tuple[int, str]]:
    parsed = parse_file(data, content_type, None, SPEC)
    assert parsed.errors == [], parsed.errors
    return [(row.number, row.values["name"]) for row in parsed.rows]


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        (XLSX, WORKBOOK),
        (CSV, TEXT),
        ("text/csv; charset=utf-8", TEXT),
        ('Text/CSV; Charset="UTF-8"', TEXT),
        ("text/csv; charset=GB18030", GB_TEXT),
        ("text/csv; charset=gbk", GB_TEXT),
        ("application/csv", TEXT),
        ("text/x-csv", TEXT),
        ("text/comma-separated-values", TEXT),
        ("text/plain", GB_TEXT),
        ("text/plain;charset=UTF-8", TEXT),  # what fetch() puts on a string body
        ("text/tab-separated-values", "\r\n".join("\t".join(r) for r in ROWS).encode()),
        # Types that name no format: the bytes do.
        ("application/x-www-form-urlencoded", TEXT),  # curl --data-binary's default
        ("application/x-www-form-urlencoded", WORKBOOK),
        ("application/octet-stream", WORKBOOK),
        ("application/vnd.ms-excel", GB_TEXT),  # Windows' label for a .csv
        (None, WORKBOOK),
        (None, TEXT),
    ],
)
def test_the_content_type_and_its_aliases_are_read_as_they_say(
    content_type: str | None, data: bytes
) -> None:
    assert names(data, content_type) == EXPECTED


@pytest.mark.parametrize(
    ("content_type", "data", "says"),
    [
        (CSV, WORKBOOK, "XLSX workbook"),
        ("text/plain", WORKBOOK, "XLSX workbook"),
        (CSV, LEGACY_XLS, ".xls"),
        (XLSX, TEXT, "not an XLSX workbook"),
        (XLSX, LEGACY_XLS, ".xls"),
        ("text/csv; charset=utf-8", GB_TEXT, "charset"),
        ("text/csv; charset=us-ascii", TEXT, "charset"),
    ],
)
def test_a_body_that_is_not_what_its_type_says_is_422_naming_content_type(
    content_type: str, data: bytes, says: str
) -> None:
    with pytest.raises(UnreadableFile) as caught:
        parse_file(data, content_type, None, SPEC)
    assert caught.value.field == "Content-Type"
    assert caught.value.status_code == 422
    assert says in caught.value.reason


@pytest.mark.parametrize(
    ("content_type", "says"),
    [
        ("application/pdf", "application/pdf"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("multipart/form-data; boundary=x", "not a multipart form"),
        ("text/csv; charset=big5", "charset big5"),
        ("text/csv; charset=iso-8859-1", "charset iso-8859-1"),
        ("application/" + "x" * 500, "characters"),  # quoted, but clipped
    ],
)
def test_another_type_or_charset_is_415_naming_content_type(content_type: str, says: str) -> None:
    with pytest.raises(UnsupportedFile) as caught:
        parse_file(TEXT, content_type, None, SPEC)
    assert caught.value.body()["detail"][0]["field"] == "Content-Type"
    assert caught.value.status_code == 415
    assert says in caught.value.reason and len(caught.value.reason) < 400


def test_an_empty_body_is_empty_whatever_its_type() -> None:
    for content_type in (XLSX, CSV, None):
        with pytest.raises(UnreadableFile) as caught:
            parse_file(b" \r\n", content_type, None, SPEC)
        assert caught.value.field == "file" and "empty" in caught.value.reason


# ---------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry"]) as running:
        yield running


@pytest.fixture(scope="module")
def county(cluster: Cluster) -> str:
    city = jurisdiction(cluster, "漯河市", "city")
    found = jurisdiction(cluster, "源汇区", "district", city)
    cluster.wait_caught_up("registry", "registry")
    return found


def _import(cluster: Cluster, county: str, data: bytes, content_type: str) -> Any:
    return upload(cluster, "/imports/units", data, content_type, jurisdiction_id=county)


def test_a_workbook_sent_as_csv_is_refused_and_nothing_is_imported(
    cluster: Cluster, county: str
) -> None:
    workbook = to_xlsx(Sheet("名单", UNIT_ROWS[0], UNIT_ROWS[1:]))
    refused = _import(cluster, county, workbook, CSV)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "unreadable_file"
    assert [d["field"] for d in body["detail"]] == ["Content-Type"]
    assert units_of(cluster, county) == []
    # The same workbook, declared as what it is, imports.
    assert _import(cluster, county, workbook, XLSX).status_code == 201


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("application/pdf", 415), ("multipart/form-data; boundary=x", 415), (XLSX, 422)],
)
def test_refusals_are_machine_readable(
    cluster: Cluster, county: str, content_type: str, status: int
) -> None:
    refused = _import(cluster, county, csv_bytes(UNIT_ROWS), content_type)
    assert refused.status_code == status, refused.text
    body = refused.json()
    assert body["error"] == ("unsupported_file" if status == 415 else "unreadable_file")
    assert body["detail"][0]["field"] == "Content-Type" and body["detail"][0]["reason"]


def test_what_curl_sends_by_default_imports(cluster: Cluster, county: str) -> None:
    """`curl --data-binary @units.csv` without -H says application/x-www-form-urlencoded."""
    rows = [UNIT_ROWS[0], ["区民政局", "政府部门", "政府部门及其它机构"]]
    sent = _import(cluster, county, csv_bytes(rows), "application/x-www-form-urlencoded")
    assert sent.status_code == 201, sent.text
    assert "区民政局" in {unit["name"] for unit in units_of(cluster, county)}
