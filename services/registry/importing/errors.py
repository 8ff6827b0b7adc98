"""Errors of the import endpoints; the shared handler turns them into JSON like any other.

A file that cannot be read as a table at all raises the kernel's errors (`shared.tabular`:
`FileTooLarge`, `TooManyRows`, `UnsupportedFile`, `UnreadableFile`), a Content-Type that
names another format or a body that is not what it names included."""

from __future__ import annotations

from typing import Any, ClassVar

from services.registry.domain import RegistryError
from shared.errors import InvalidError


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
