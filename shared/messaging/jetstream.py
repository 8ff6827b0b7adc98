"""JetStream adapter: streams and publishing (the consuming side is `jetstream_source`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError
from nats.js.errors import NotFoundError as JsNotFound
from opentelemetry import propagate, trace

from shared.contracts import IntegrationMessage
from shared.messaging.relay_types import Publishable, StreamTail

log = logging.getLogger(__name__)
tracer = trace.get_tracer("pingyi.relay")


def stream_name(namespace: str, service: str) -> str:
    return f"{namespace}_{service}".upper()


def stream_subjects(namespace: str, service: str) -> str:
    return f"{namespace}.{service}.>"


def msg_id(service: str, position: int) -> str:
    return f"{service}:{position}"


class PingyiJetStream(JetStreamContext):
    """nats-py's JetStream context with two repairs for pipelined publishing.

    nats-py 2.16 loses the error reply to a `publish_async` (nats-io/nats.py#985):
    `APIError.from_error` raises inside the reply handler, so the future never resolves and
    a refused publish looks like a lost one. And when the connection drops, the acks of
    publishes in flight can never arrive; failing their futures at once lets the relay
    re-sync now instead of after its ack timeout."""

    async def _handle_async_reply(self, msg: Msg) -> None:
        try:
            await super()._handle_async_reply(msg)
        except APIError as error:  # from_error raised instead of returning (see above)
            # The reply subject is <inbox prefix>.<22-char nuid>.<token>, as nats-py builds it.
            token = msg.subject[len(self._nc._inbox_prefix) + 22 + 2 :]
            future = self._publish_async_futures.get(token)
            if future is not None and not future.done():
                future.set_exception(error)

    async def publish_unacknowledged(
        self, subject: str, payload: bytes, headers: dict[str, str]
    ) -> None:
        """Publish to a stream without asking for its ack (no reply subject, no future)."""
        await self._nc.publish(subject, payload, headers=headers)

    def fail_pending(self, error: BaseException) -> None:
        for future in list(self._publish_async_futures.values()):
            if not future.done():
                future.set_exception(error)


def server_urls(url: str) -> list[str]:
    """`PINGYI_NATS_URL` may name several servers of a cluster, separated by commas."""
    servers = [part.strip() for part in url.split(",") if part.strip()]
    if not servers:
        raise ValueError("no NATS server URL given")
    return servers


def redacted(url: str) -> str:
    """The server URLs without user names, passwords or tokens, for log lines."""
    shown = []
    for server in server_urls(url):
        scheme, sep, rest = server.rpartition("://")
        shown.append(f"{scheme}{sep}{rest.rpartition('@')[2]}")
    return ",".join(shown)


def reason(error: BaseException) -> str:
    """One line saying why, without a traceback."""
    text = str(error).strip() or repr(error)
    return f"{type(error).__name__}: {text}"


ERROR_LOG_EVERY_SECONDS = 30.0
"""While a connection that was up stays broken, nats-py reports every reconnect failure
(twice a second): one line at the first, then at most one per this many seconds."""


class _ConnectionErrors:
    """nats-py's error callback: its default logs a traceback for every failed attempt.
    During the first connection the failures are only kept (the caller says why it could
    not connect, once); later each is said in one line, and no more often than every
    `ERROR_LOG_EVERY_SECONDS` while they repeat."""

    def __init__(self, url: str) -> None:
        self._url = redacted(url)
        self.connected = False
        self.last: Exception | None = None
        self._said_at: float | None = None
        self._unsaid = 0

    async def report(self, error: Exception) -> None:
        self.last = error
        if not self.connected:
            return
        now = time.monotonic()
        if self._said_at is not None and now - self._said_at < ERROR_LOG_EVERY_SECONDS:
            self._unsaid += 1
            return
        more = f" ({self._unsaid} more since the last report)" if self._unsaid else ""
        log.warning("NATS connection error at %s: %s%s", self._url, reason(error), more)
        self._said_at, self._unsaid = now, 0

    async def reconnected(self) -> None:
        if self._said_at is not None:
            log.info("reconnected to NATS at %s", self._url)
        self._said_at, self._unsaid = None, 0


class NatsUnreachable(ConnectionError):
    """No server of `url` could be connected to; `why`: the last failure, in one line."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"cannot reach NATS at {redacted(url)}: {why}")
        self.why = why


async def connect(url: str, name: str) -> tuple[NATS, PingyiJetStream]:
    """One attempt at a connection: each server of `url` tried (twice, nats-py's smallest
    bound), then `NatsUnreachable` naming the URL and why. nats-py would otherwise retry
    a first connection for ever, logging a traceback each time; callers retry as they see
    fit (`JetStreamTransport.connect`, `relay_worker`). Once connected, the client
    reconnects for ever after a server is lost."""
    contexts: list[PingyiJetStream] = []
    errors = _ConnectionErrors(url)

    async def disconnected() -> None:
        for context in contexts:
            context.fail_pending(ConnectionError("disconnected from NATS"))

    nc = NATS()
    try:
        await nc.connect(
            server_urls(url),
            name=name,
            connect_timeout=5,
            # Not -1 during the first connection: nats-py would never give up. 0 means "no
            # limit" to nats-py as well, so 1 is the least: each server tried twice.
            max_reconnect_attempts=1,
            reconnect_time_wait=0.5,  # type: ignore[arg-type]  # seconds; typed int, read as float
            allow_reconnect=True,
            disconnected_cb=disconnected,
            reconnected_cb=errors.reconnected,
            error_cb=errors.report,
        )
    except asyncio.CancelledError:
        await _abandon(nc)
        raise
    except Exception as error:
        await _abandon(nc)
        raise NatsUnreachable(url, reason(errors.last or error)) from None
    # Connected: from now on a lost server is retried for ever (nats-py reads the option at
    # each reconnect attempt).
    nc.options["max_reconnect_attempts"] = -1
    errors.connected = True
    js = PingyiJetStream(nc, timeout=10)
    contexts.append(js)
    return nc, js


async def _abandon(nc: NATS) -> None:
    with contextlib.suppress(Exception):
        await nc.close()


async def ensure_stream(
    js: JetStreamContext, namespace: str, service: str, *, replicas: int = 1
) -> None:
    """Create or update the origin stream. The log is kept for audit: no age limit, and
    neither single messages nor the whole stream may be deleted or purged. `replicas`:
    how many servers of a cluster keep it (`PINGYI_NATS_STREAM_REPLICAS`)."""
    config = StreamConfig(
        name=stream_name(namespace, service),
        subjects=[stream_subjects(namespace, service)],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=0,
        max_msgs=-1,
        max_bytes=-1,
        duplicate_window=120,
        deny_delete=True,
        deny_purge=True,
        num_replicas=replicas,
    )
    await create_or_update(js, config)


async def create_or_update(js: JetStreamContext, config: StreamConfig) -> None:
    """Services start in any order and any number: whoever comes first creates the stream,
    the others bring it to their configuration."""
    name = str(config.name)
    try:
        await js.stream_info(name)
    except JsNotFound:
        try:
            await js.add_stream(config)
            return
        except Exception as refused:
            try:
                await js.stream_info(name)  # another service created it between our calls
            except JsNotFound:
                # Refused for itself, e.g. more replicas than the cluster has servers.
                raise refused from None
            log.debug("stream %s appeared concurrently", name)
    await js.update_stream(config)


class JetStreamPublisher:
    """Publishes one service's messages to its origin stream. Every message carries
    `Nats-Msg-Id = <service>:<position>` (a republish within the duplicate window is
    dropped by the server) and the trace context of a producer span in its headers.

    `stream_replicas`: given to the publisher of the stream's owner (its relay), which
    creates the stream again, with that many replicas, when it finds it missing. NATS that
    lost its store (a new volume, a wiped disk) comes back without the stream; the log is
    the truth, so the relay re-creates it and publishes the whole log into it again. Left
    out by those who only look (`JetStreamTransport.head`): a missing stream stays missing."""

    def __init__(
        self,
        js: PingyiJetStream,
        namespace: str,
        service: str,
        *,
        timeout: float = 5.0,
        stream_replicas: int | None = None,
    ) -> None:
        self._js = js
        self._namespace = namespace
        self._service = service
        self._stream = stream_name(namespace, service)
        self._timeout = timeout
        self._stream_replicas = stream_replicas
        self._traced_span: int | None = None
        self._traced: dict[str, str] = {}

    async def tail(self) -> StreamTail:
        """The stream's last sequence and the origin position of the message stored there."""
        try:
            info = await asyncio.wait_for(self._js.stream_info(self._stream), self._timeout)
        except JsNotFound:
            if self._stream_replicas is None:
                raise
            await self._recreate_stream(self._stream_replicas)
            return StreamTail(0, None)
        last = int(info.state.last_seq or 0)
        if last == 0:
            return StreamTail(0, None)
        raw = await asyncio.wait_for(self._js.get_msg(self._stream, last), self._timeout)
        return StreamTail(last, IntegrationMessage.decode(raw.data or b"").position)

    async def _recreate_stream(self, replicas: int) -> None:
        log.warning(
            "stream %s is missing (NATS lost its store, or the stream was deleted): "
            "created again; the whole log is published into it again",
            self._stream,
        )
        await asyncio.wait_for(
            ensure_stream(self._js, self._namespace, self._service, replicas=replicas),
            self._timeout,
        )

    async def send(
        self, message: Publishable, after: int, *, ack: bool = True
    ) -> asyncio.Future[Any] | None:
        """Publish without waiting; the server stores it only as the message right after
        stream sequence `after`. Else the future fails with "wrong last sequence" — on a
        `PingyiJetStream` (see `connect`); nats-py's own context never resolves it. Without
        `ack` there is no future: the relay learns of a refusal at the next acked message.
        The message carries the trace context of the current span (the relay's span for a
        page), or else of a producer span of its own."""
        headers = self._headers(message)
        headers["Nats-Expected-Last-Sequence"] = str(after)
        subject = message.subject(self._namespace)
        data = message.encode()
        page = trace.get_current_span().get_span_context()
        if page.is_valid:
            # The relay's span for the page this message is part of: one span per page, not
            # per message, which would double the relay's time per message.
            headers.update(self._trace_headers(page.span_id))
            return await self._publish(subject, data, headers, ack)
        span = tracer.start_span(
            f"publish {subject}",
            kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.system": "nats", "pingyi.position": message.position},
        )
        try:
            if span.get_span_context().is_valid:
                propagate.inject(headers, context=trace.set_span_in_context(span))
            return await self._publish(subject, data, headers, ack)
        finally:
            span.end()

    async def _publish(
        self, subject: str, data: bytes, headers: dict[str, str], ack: bool
    ) -> asyncio.Future[Any] | None:
        if ack:
            return await self._js.publish_async(subject, data, stream=self._stream, headers=headers)
        headers["Nats-Expected-Stream"] = self._stream
        await self._js.publish_unacknowledged(subject, data, headers)
        return None

    def _trace_headers(self, span_id: int) -> dict[str, str]:
        """The current span's trace context as headers, formatted once per span."""
        if self._traced_span != span_id:
            self._traced = {}
            propagate.inject(self._traced)
            self._traced_span = span_id
        return self._traced

    async def publish(self, message: IntegrationMessage) -> None:
        """Publish and wait for the stream's ack, wherever the stream stands."""
        headers = self._headers(message)
        with tracer.start_as_current_span(
            f"publish {message.subject(self._namespace)}",
            kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.system": "nats", "pingyi.position": message.position},
        ):
            propagate.inject(headers)  # consumers continue this trace; payloads stay clean
            await self._js.publish(
                message.subject(self._namespace),
                message.encode(),
                stream=self._stream,
                headers=headers,
                timeout=self._timeout,
            )

    def _headers(self, message: Publishable) -> dict[str, str]:
        return {"Nats-Msg-Id": msg_id(self._service, message.position)}
