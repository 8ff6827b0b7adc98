"""Why a command that reads the services' stored logs cannot start (`missing_stores`, which
`pingyi replay --verify` and `pingyi rebuild` print) is said Chinese first, the English after
it, as the offline reader's own refusals are (`test_message_log.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.persistence.message_log import REBUILDING, missing_stores
from shared.settings import CommonSettings


def test_memory_mode_is_said_chinese_first() -> None:
    common = CommonSettings(mode="memory", data_dir=Path("memory-mode-writes-nothing"))
    assert missing_stores(common, ["registry"]) == (
        "内存模式没有存储的分数可供重放 (memory mode keeps no stored scores to replay)"
    )


def test_a_store_not_there_is_said_chinese_first_with_the_hint(tmp_path: Path) -> None:
    common = CommonSettings(mode="embedded", data_dir=tmp_path / "typo")
    folder, store = (tmp_path / "typo").resolve(), tmp_path / "typo" / "survey.sqlite"
    assert missing_stores(common, ["survey"]) == (
        f"没有核对所依据的事件库 (no event store to verify from): survey: {store}; {folder} "
        "是数据目录吗? 请用 --data-dir 指明, 或设置 PINGYI_DATA_DIR (is "
        f"{folder} the data directory? pass --data-dir or set PINGYI_DATA_DIR)"
    )
    said = missing_stores(common, ["survey"], doing=REBUILDING)
    assert said is not None
    assert said.startswith("没有重建所依据的事件库 (no event store to rebuild from): survey: ")
    assert not (tmp_path / "typo").exists()


def test_a_store_that_is_no_database_is_said_chinese_first(tmp_path: Path) -> None:
    (tmp_path / "registry.sqlite").write_text("garbage")
    common = CommonSettings(mode="embedded", data_dir=tmp_path)
    said = missing_stores(common, ["registry"])
    assert said is not None
    where = tmp_path / "registry.sqlite"
    assert said.startswith(
        f"registry 的事件库 {where} 无法读取 (the registry event store at {where} cannot be "
        "read: DatabaseError: "
    )


@pytest.mark.infra
def test_a_table_not_there_is_said_chinese_first(database_url: str) -> None:
    common = CommonSettings(mode="production", database_url=database_url)
    said = missing_stores(common, ["survey"])
    assert said is not None
    assert said.startswith("没有核对所依据的事件库 (no event store to verify from): survey: ")
    assert said.endswith(
        "; 请检查 PINGYI_DATABASE_URL 及各服务的 schema (check PINGYI_DATABASE_URL and the"
        " services' schemas)"
    )
