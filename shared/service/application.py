"""The eventsourcing application every service's own event log is kept by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application


class PublishingApplication(Application[Any]):
    """An eventsourcing application that nudges its relay after every commit."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._after_commit: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        for callback in self._after_commit:
            callback()
