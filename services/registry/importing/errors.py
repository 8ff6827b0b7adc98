"""Errors of the import endpoints; the shared handler turns them into JSON like any other."""

from __future__ import annotations

from typing import Any, ClassVar

from services.registry.domain import RegistryError
from shared.errors import InvalidError


class FileTooLarge(RegistryError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "file_too_large"


class TooManyRows(RegistryError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "too_many_rows"


class UnsupportedFile(RegistryError):
    status_code: ClassVar[int] = 415
    code: ClassVar[str] = "unsupported_file"


class UnreadableFile(RegistryError, InvalidError):
    """The bytes are of a supported type but cannot be read as a table."""

    code: ClassVar[str] = "unreadable_file"


class ImportRejected(RegistryError, InvalidError):
    """Some rows are bad: nothing was imported. The body lists every problem found, in the
    same shape as a dry run's report, so a client can show one list either way."""

    code: ClassVar[str] = "import_rejected"

    def __init__(self, report: dict[str, Any]) -> None:
        found = len(report["errors"]) + report.get("errors_omitted", 0)
        super().__init__(f"{found} problem(s) found; nothing was imported", field="file")
        self.report = report

    def body(self) -> dict[str, Any]:
        detail = [
            {"field": issue["column"], "reason": issue["reason"], "row": issue["row"]}
            for issue in self.report["errors"]
        ]
        return {"error": self.code, "detail": detail} | self.report
