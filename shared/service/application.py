"""The eventsourcing application every service's own event log is kept by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application

from shared.persistence.postgres import configure_recorder
from shared.persistence.watchdog import WriteWatchdog


class PublishingApplication(Application[Any]):
    """An eventsourcing application that nudges its relay after every commit."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._after_commit: list[Callable[[], None]] = []
        self.write_watchdog: WriteWatchdog | None = configure_recorder(self.recorder, self.env)

    def close(self) -> None:
        if self.write_watchdog is not None:
            self.write_watchdog.close()
        super().close()

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        for callback in self._after_commit:
            callback()
