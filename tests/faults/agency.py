"""An agency's client as docs/survey.md asks agencies to write one: every batch carries an
Idempotency-Key, and on any failure — a refused connection, a timeout, a 503 or 429 — the
same batch is sent again with the same key, after the Retry-After the answer names.

Every answer is tallied by status (and error code), for the test's report; an answer no
client can act on (a 5xx other than the documented 503 with Retry-After, a 4xx other than
429) is kept as unexpected for the test to fail on."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import httpx

RETRY_PAUSE_CAP = 1.0
"""The clients honour Retry-After on a shorter clock, to keep the run short."""


class Tally:
    """Answers by status, shared by the clients' threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.unexpected: list[str] = []

    def add(self, label: str, unexpected: str | None = None) -> None:
        with self._lock:
            self.counts[label] += 1
            if unexpected is not None:
                self.unexpected.append(unexpected)

    def report(self) -> str:
        with self._lock:
            return ", ".join(f"{label}: {n}" for label, n in sorted(self.counts.items()))


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After of a documented back-pressure answer (503/429 in the JSON error
    shape), or None when the answer is not one."""
    value = response.headers.get("Retry-After", "")
    if not value.isdigit() or int(value) <= 0:
        return None
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return None
    return float(value)


def label(response: httpx.Response) -> str:
    try:
        code = response.json().get("error") if response.status_code >= 400 else None
    except ValueError:
        code = "not json"
    return f"{response.status_code} {code}" if code else str(response.status_code)


class RetryingAgency:
    def __init__(self, base_url: str, api_key: str, tally: Tally, *, timeout: float = 30.0) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout)
        self.api_key = api_key
        self.tally = tally

    def close(self) -> None:
        self.http.close()

    def push(
        self, wave_id: str, key: str, items: list[dict[str, Any]], give_up: float = 300.0
    ) -> dict[str, Any] | None:
        """The batch's answer once it is accepted; None if refused for good (recorded in
        the tally as unexpected)."""
        headers = {"X-API-Key": self.api_key, "Idempotency-Key": key}
        body = {"questionnaires": items}
        deadline = time.monotonic() + give_up
        while True:
            pause = 0.2
            try:
                response = self.http.post(
                    f"/waves/{wave_id}/questionnaires:batch", json=body, headers=headers
                )
            except httpx.TimeoutException:
                self.tally.add("timeout")
            except httpx.TransportError as exc:
                self.tally.add(f"no connection ({type(exc).__name__})")
            else:
                answer = self._answer(response, key)
                if answer is not None:
                    return answer if answer else None
                pause = min(retry_after(response) or pause, RETRY_PAUSE_CAP)
            if time.monotonic() > deadline:
                self.tally.add("gave up", f"{key}: still failing after {give_up} s")
                return None
            time.sleep(pause)

    def _answer(self, response: httpx.Response, key: str) -> dict[str, Any] | None:
        """The accepted batch; {} for a final refusal; None to try again."""
        status = response.status_code
        if status == 200:
            self.tally.add("200")
            result: dict[str, Any] = response.json()
            return result
        backpressure = status in (429, 503) and retry_after(response) is not None
        unexpected = None if backpressure else f"{key}: {status} {response.text[:300]}"
        self.tally.add(label(response), unexpected)
        if status >= 500 or backpressure:
            return None  # the request may still have been done: the key makes a retry safe
        return {}
