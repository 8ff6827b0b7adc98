"""The local SMS outbox (services/survey/verification/sms.py), where embedded mode puts the
codes it cannot text: the file is the operator's alone, and the service log, which goes
wherever logs are shipped, never holds a voter's number in clear (docs/security.md)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from services.survey.verification import OUTBOX_FILE, LocalOutbox, Message

PHONE = "13800138000"
MASKED = "138****8000"
TEXT = "【评议】您正在参加“测试”网上评议，验证码204816，10分钟内有效。请勿告诉他人。"


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pingyi.survey.sms"]


def test_the_log_masks_the_number_and_points_to_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / OUTBOX_FILE
    with caplog.at_level(logging.WARNING, logger="pingyi.survey.sms"):
        LocalOutbox(path).send(Message(PHONE, TEXT))
    [line] = _logged(caplog)
    assert "NOT SENT" in line and MASKED in line and str(path) in line
    assert PHONE not in line and "204816" not in line
    # The file is where the operator reads the code, in full.
    assert path.read_text(encoding="utf-8").split("\t")[1:] == ["NOT SENT", PHONE, TEXT + "\n"]


def test_memory_mode_logs_the_text_but_never_the_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="pingyi.survey.sms"):
        LocalOutbox(None).send(Message(PHONE, TEXT))
    [line] = _logged(caplog)
    assert MASKED in line and TEXT in line and PHONE not in line


@pytest.mark.parametrize("before", [None, 0o644, 0o666])
def test_the_outbox_file_is_the_owners_alone(tmp_path: Path, before: int | None) -> None:
    """Owner-only whether the outbox creates the file or finds one left wider (an older
    version's, a copy restored by hand)."""
    path = tmp_path / OUTBOX_FILE
    if before is not None:
        path.touch()
        os.chmod(path, before)
    LocalOutbox(path).send(Message(PHONE, TEXT))
    LocalOutbox(path).send(Message(PHONE, TEXT))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
