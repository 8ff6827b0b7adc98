"""What a table upload can be refused for before any row is read: its size, its number of
rows, its format, or bytes that are no table. The shared handler answers them like any
other `PingyiError`: `{"error", "detail": [{"field", "reason"}]}`."""

from __future__ import annotations

from typing import ClassVar

from shared.errors import InvalidError, PingyiError


class FileTooLarge(PingyiError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "file_too_large"


class TooManyRows(PingyiError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "too_many_rows"


class UnsupportedFile(PingyiError):
    status_code: ClassVar[int] = 415
    code: ClassVar[str] = "unsupported_file"


class UnreadableFile(InvalidError):
    """The bytes are of a supported type but cannot be read as a table."""

    code: ClassVar[str] = "unreadable_file"


def too_large(max_bytes: int) -> FileTooLarge:
    """The error for a body over `max_bytes`, worded for people (in MB)."""
    megabytes = max_bytes // (1024 * 1024)
    reason = f"文件不得超过 {megabytes} MB (files are limited to {megabytes} MB)"
    return FileTooLarge(reason, field="file")


def check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise too_large(max_bytes)


def too_many_rows(max_rows: int) -> TooManyRows:
    return TooManyRows(f"每个文件最多 {max_rows} 行 (at most {max_rows} rows per file)")
