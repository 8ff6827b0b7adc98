"""One error model for every service.

Each service derives its own error base from `PingyiError`; the shared handler in
`shared.error_handlers` turns any of them into a 4xx JSON body naming the error, the field and the
reason. Domain code raises these; nothing else decides HTTP status codes.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PingyiError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    retry_after: int | None = None
    """Seconds a client should wait before retrying (sent as Retry-After), where it helps."""

    def __init__(self, reason: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.context = context

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"field": self.field, "reason": self.reason, "code": self.code}
        if self.context:
            detail["context"] = self.context
        return {"error": self.code, "detail": [detail]}

    def response_headers(self) -> dict[str, str]:
        """Headers the response carries besides the body, e.g. Retry-After on a 429."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class NotFoundError(PingyiError):
    status_code = 404
    code = "not_found"


class ConflictError(PingyiError):
    status_code = 409
    code = "conflict"


class InvalidError(PingyiError):
    status_code = 422
    code = "invalid"


class UnauthenticatedError(PingyiError):
    status_code = 401
    code = "unauthenticated"


class ForbiddenError(PingyiError):
    status_code = 403
    code = "forbidden"


class UnavailableError(PingyiError):
    status_code = 503
    code = "unavailable"
    retry_after = 2


class ServiceCannotStart(ConnectionError):
    """A service gave up starting: something it needs stayed out of reach for as long as it
    was set to wait (NATS at start). Its message is the one line the log shows
    (`shared.observability`), in place of the start-up traceback uvicorn would print."""
