"""The audit bundle: what is written is read back byte for byte, the same contents give the
same file, a re-zipped one reads the same and says so, and the writer refuses what a reader
would (`test_bundle_manifest.py`: a bundle not matching its manifest)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from pingyi.audit_bundle import (
    MAX_LINE,
    BundleError,
    InconsistentBundle,
    file_sha256,
    read_bundle,
    write_bundle,
    writing,
)
from shared.contracts.envelope import IntegrationMessage
from shared.persistence.message_log import read_messages
from tests.audit.bundle_helpers import CAMPAIGN, RESULTS, SCHEME, rezip, write_round
from tests.audit.stores import embedded


def test_a_bundle_reads_back_as_written(bundle_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "round.zip"
    manifest = write_round(bundle_data, path)
    bundle = read_bundle(path)
    assert bundle.manifest == manifest
    assert bundle.origins == ["registry", "survey", "scoring"]
    assert bundle.scheme == SCHEME and bundle.results == RESULTS
    assert bundle.manifest["about"] == {
        "campaign_id": CAMPAIGN,
        "round": 1,
        "read_to": {o: manifest["logs"][o]["last"] for o in bundle.origins},
    }
    assert bundle.rezipped == ""
    common = embedded(bundle_data)
    for origin in bundle.origins:
        stored = [m.data for m in read_messages(common, origin)]
        assert list(bundle.message_lines(origin)) == stored
        assert manifest["logs"][origin]["count"] == len(stored)
    fed = list(bundle.messages())
    assert [m.origin for m in fed] == sorted(
        (m.origin for m in fed), key=["registry", "survey", "scoring"].index
    )
    with zipfile.ZipFile(path) as archive:
        for name, entry in manifest["parts"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
    assert not path.with_name("round.zip.partial").exists()


def test_the_same_contents_give_the_same_file(bundle_data: Path, tmp_path: Path) -> None:
    write_round(bundle_data, tmp_path / "a.zip")
    write_round(bundle_data, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_a_rezipped_bundle_reads_the_same_and_says_so(bundle_data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    write_round(bundle_data, good)
    again = rezip(good, tmp_path / "again.zip", lambda entries: None)
    assert file_sha256(again) != file_sha256(good)
    assert file_sha256(good) == hashlib.sha256(good.read_bytes()).hexdigest()
    bundle = read_bundle(again)
    assert bundle.manifest == read_bundle(good).manifest
    assert "entry dates" in bundle.rezipped and "compression" in bundle.rezipped


def test_a_file_that_is_no_bundle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("不是审计包", encoding="utf-8")
    with pytest.raises(BundleError, match="not a readable bundle") as refused:
        read_bundle(path)
    assert refused.value.part is None
    with pytest.raises(BundleError, match="not a readable bundle"):
        read_bundle(tmp_path / "absent.zip")


def test_messages_of_another_origin_or_out_of_order_are_not_written(
    bundle_data: Path, tmp_path: Path
) -> None:
    survey = [m.data for m in read_messages(embedded(bundle_data), "survey")]
    with pytest.raises(
        ValueError,
        match=r"^registry 的日志中有一条 survey 的消息 \(a survey message among registry's\)$",
    ):
        write_bundle(
            tmp_path / "x.zip", scheme=SCHEME, messages={"registry": survey}, results={}, about={}
        )
    with pytest.raises(
        ValueError, match=r"排在位置 \d+ 之后 \(位置须递增\) \(survey position \d+ after"
    ):
        write_bundle(
            tmp_path / "y.zip",
            scheme=SCHEME,
            messages={"survey": survey[::-1]},
            results={},
            about={},
        )


def test_an_inconsistent_bundle_is_not_written(bundle_data: Path, tmp_path: Path) -> None:
    survey = [m.data for m in read_messages(embedded(bundle_data), "survey")]
    about = {"campaign_id": CAMPAIGN, "round": 1, "read_to": {"survey": 1}}
    with pytest.raises(InconsistentBundle, match=r"about\.read_to\.survey is 1"):
        write_bundle(
            tmp_path / "x.zip",
            scheme=SCHEME,
            messages={"survey": survey},
            results=RESULTS,
            about=about,
        )
    assert list(tmp_path.iterdir()) == []


def test_a_bundle_that_cannot_take_its_name_leaves_no_partial(
    bundle_data: Path, tmp_path: Path
) -> None:
    """The rename at the end fails (a folder holds the name): the whole bundle written under
    `<name>.partial` is removed too, not left beside it."""
    survey = [m.data for m in read_messages(embedded(bundle_data), "survey")]
    last = IntegrationMessage.decode(survey[-1]).position
    (tmp_path / "x.zip").mkdir()
    with pytest.raises(OSError):
        write_bundle(
            tmp_path / "x.zip",
            scheme=SCHEME,
            messages={"survey": survey},
            results=RESULTS,
            about={"campaign_id": CAMPAIGN, "round": 1, "read_to": {"survey": last}},
        )
    assert [p.name for p in tmp_path.iterdir()] == ["x.zip"]


def test_a_document_longer_than_a_bundle_may_hold_is_not_written(tmp_path: Path) -> None:
    """What `read_bundle` would refuse, `write_bundle` does not write."""
    huge = RESULTS | {"note": "0" * MAX_LINE}
    about = {"campaign_id": CAMPAIGN, "round": 1, "read_to": {}}
    said = r"^results\.json: 一行 \d+ 字节, 超过 64 MiB.* \(a line of .* longer than 64 MiB"
    with pytest.raises(InconsistentBundle, match=said):
        write_bundle(tmp_path / "x.zip", scheme=SCHEME, messages={}, results=huge, about=about)
    assert list(tmp_path.iterdir()) == []


def test_a_bundle_not_written_whole_is_refused_chinese_first(tmp_path: Path) -> None:
    """The writer's own guards, which `pingyi audit export` prints when they trip: a bundle
    left before its manifest, or finished before its logs, is said so and leaves no file."""
    said = r"^manifest\.json: 审计包没有写完 \(the bundle was not finished\)$"
    with (
        pytest.raises(InconsistentBundle, match=said),
        writing(tmp_path / "x.zip", ["registry", "survey"], SCHEME),
    ):
        pass
    said = r"^已写的日志: 无, 应写的是 registry、survey \(logs written: , of registry, survey\)$"
    with (
        pytest.raises(ValueError, match=said),
        writing(tmp_path / "y.zip", ["survey", "registry"], SCHEME) as writer,
    ):
        writer.finish(RESULTS, {})
    assert list(tmp_path.iterdir()) == []
