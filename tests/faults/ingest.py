"""Questionnaires pushed by several agency clients at once, in stages: the test injects a
fault half way through each stage, while batches are in flight, and only then lets the
clients into the next stage; so every fault meets a running ingest, however fast the
machine."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.faults.agency import RetryingAgency, Tally


class StagedIngest:
    def __init__(
        self,
        survey_url: str,
        api_key: str,
        wave_id: str,
        items: list[dict[str, Any]],
        *,
        batch: int,
        clients: int,
        stages: int,
    ) -> None:
        self.wave_id = wave_id
        self.batches = [items[i : i + batch] for i in range(0, len(items), batch)]
        self.tally = Tally()
        self.answers: dict[int, dict[str, Any] | None] = {}
        self._agencies = [RetryingAgency(survey_url, api_key, self.tally) for _ in range(clients)]
        self._stage_ends = [len(self.batches) * (s + 1) // stages for s in range(stages)]
        self._released = 0  # batches the clients may take
        self._next = 0
        self._done = 0
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._work, args=(agency,), daemon=True)
            for agency in self._agencies
        ]

    def run(self, faults: list[Callable[[], None]]) -> None:
        """Push every batch; fault k is injected once half of stage k is answered."""
        assert len(faults) == len(self._stage_ends) - 1
        for thread in self._threads:
            thread.start()
        start = 0
        for stage, fault in enumerate(faults):
            end = self._stage_ends[stage]
            self._release(end)
            self._wait_done(start + (end - start) // 2)
            fault()
            start = end
        self._release(len(self.batches))
        for thread in self._threads:
            thread.join()
        for agency in self._agencies:
            agency.close()

    def wait_for_more(self, count: int) -> None:
        """Until `count` more batches are answered (fewer if the stage has no more): for a
        fault that lasts while the ingest goes on."""
        with self._cond:
            target = min(self._done + count, self._released)
            self._cond.wait_for(lambda: self._done >= target)

    def _release(self, upto: int) -> None:
        with self._cond:
            self._released = upto
            self._cond.notify_all()

    def _wait_done(self, count: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._done >= count)

    def _work(self, agency: RetryingAgency) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(
                    lambda: self._next < self._released or self._next == len(self.batches)
                )
                if self._next == len(self.batches):
                    return
                index = self._next
                self._next += 1
            key = f"faults-batch-{index}"
            try:
                answer = agency.push(self.wave_id, key, self.batches[index])
            except Exception as exc:  # a broken client must not leave the stages waiting
                self.tally.add("client error", f"{key}: {exc!r}")
                answer = None
            with self._cond:
                self.answers[index] = answer
                self._done += 1
                self._cond.notify_all()
