"""Uploads never get a 500: generated CSV and XLSX files, and damaged workbooks, sent to
every import endpoint against seeded jurisdictions and campaigns, with or without dry run."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.checks import request_checked
from tests.fuzz.files import CONTENT_TYPES, FILES, UPLOADS, XLSX
from tests.fuzz.operations import FUZZ_SETTINGS
from tests.fuzz.seed import Fuzzed
from tests.harness import ADMIN

SHEETS = st.one_of(st.none(), st.sampled_from(["名单", "Sheet1"]), st.text(max_size=31))


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("upload_name", sorted(UPLOADS))
@FUZZ_SETTINGS
@given(data=st.data())
def test_uploaded_files(fuzzed: Fuzzed, upload_name: str, kind: str, data: st.DataObject) -> None:
    upload = UPLOADS[upload_name]
    content = data.draw(FILES[kind](upload), label="file")
    natural = "text/csv" if kind == "csv" else XLSX
    content_type = data.draw(
        st.one_of(st.just(natural), st.sampled_from(CONTENT_TYPES)), label="content type"
    )
    params: dict[str, str] = {
        upload.owner: data.draw(st.sampled_from(fuzzed.seeded.pool(upload.owner)), label="owner"),
        "dry_run": data.draw(st.sampled_from(["true", "false"]), label="dry_run"),
    }
    sheet = data.draw(SHEETS, label="sheet")
    if sheet is not None:
        params["sheet"] = sheet
    request_checked(
        fuzzed.cluster["registry"],
        "POST",
        upload.path,
        label=f"POST {upload.path} ({kind})",
        params=params,
        content=content,
        headers=ADMIN | {"Content-Type": content_type},
    )
