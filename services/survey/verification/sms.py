"""How a voter's code reaches their phone: an adapter chosen by settings.

- `GatewaySender` (production: `PINGYI_SURVEY_SMS_GATEWAY_URL` set) posts
  `{"phone": "13800138000", "text": "..."}` to the operator's SMS gateway (a webhook in front
  of whichever SMS provider the office contracts), with `Authorization: Bearer <token>`
  (`PINGYI_SURVEY_SMS_GATEWAY_TOKEN`) and a timeout; any answer but 2xx, or none in time,
  is `SmsUnavailable` (503), and the code is withdrawn.
- `LocalOutbox` (embedded and memory mode, where no gateway is set): nothing is sent. In
  embedded mode each message is appended to `survey-sms-outbox.log` beside the data (mode
  0600), where the operator of `pingyi up` reads the codes, and the service log says at
  WARNING, marked `NOT SENT`, that a message is there, to the number masked (138****8000).
  In memory mode the log line carries the text (there is no file), the number masked still.
  It also keeps the last messages in memory for whoever runs the service in process (tests
  read the codes there).
- Production without a gateway has no sender: a code request answers 503
  `sms_unavailable`, so a wave that needs codes takes no vote rather than one unverified.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from services.survey.domain.errors import SurveyError
from shared.contact_vault import mask_contact
from shared.errors import UnavailableError

log = logging.getLogger("pingyi.survey.sms")

KEPT = 1000
"""Messages the local outbox keeps in memory."""


class SmsUnavailable(SurveyError, UnavailableError):
    status_code = 503
    code = "sms_unavailable"
    retry_after = 60


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Hand the message over, or raise `SmsUnavailable`."""
        ...


class GatewaySender:
    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        self.url = url
        self._headers = {} if not token else {"Authorization": f"Bearer {token}"}
        self._timeout = timeout

    def send(self, message: Message) -> None:
        # Imported at the first text sent: the survey's relay and views processes, which load
        # this module with the application, never send one.
        import httpx

        try:
            answer = httpx.post(
                self.url,
                json={"phone": message.phone, "text": message.text},
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            log.error("SMS gateway unreachable: %s", type(error).__name__)
            raise _unavailable() from None
        if not answer.is_success:
            log.error("SMS gateway refused a message: HTTP %s", answer.status_code)
            raise _unavailable()


def _unavailable() -> SmsUnavailable:
    return SmsUnavailable(
        "短信暂时无法发送，请稍后再试 (the text message could not be sent; try again later)",
        field=None,
    )


class LocalOutbox:
    """Messages not sent, where the operator (and a test) reads them."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._kept: deque[Message] = deque(maxlen=KEPT)
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        # The service log goes wherever logs are shipped: a voter's number is never in it
        # in clear (docs/security.md), nor, where the file holds it, the code.
        masked = mask_contact(message.phone)
        if self.path is None:
            log.warning(
                "NOT SENT (local SMS outbox, no gateway configured) to %s: %s",
                masked,
                message.text,
            )
        else:
            log.warning(
                "NOT SENT (local SMS outbox, no gateway configured) to %s: the code is in %s",
                masked,
                self.path,
            )
        with self._lock:
            self._kept.append(message)
            if self.path is not None:
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                line = f"{stamp}\tNOT SENT\t{message.phone}\t{message.text}\n"
                # Codes are secrets while they live: the file is the operator's alone, even
                # one that existed before with wider permissions (O_CREAT's mode applies
                # only to a file it creates).
                descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.fchmod(descriptor, 0o600)
                with os.fdopen(descriptor, "a", encoding="utf-8") as file:
                    file.write(line)

    def messages_to(self, phone: str) -> list[str]:
        """The texts kept for `phone` (11 digits), oldest first."""
        with self._lock:
            return [m.text for m in self._kept if m.phone == phone]
