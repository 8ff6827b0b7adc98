"""JetStream adapter: streams and publishing (the consuming side is `jetstream_source`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import nats
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
from shared.messaging.relay_types import StreamTail

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

    def fail_pending(self, error: BaseException) -> None:
        for future in list(self._publish_async_futures.values()):
            if not future.done():
                future.set_exception(error)


async def connect(url: str, name: str) -> tuple[NATS, PingyiJetStream]:
    contexts: list[PingyiJetStream] = []

    async def disconnected() -> None:
        for context in contexts:
            context.fail_pending(ConnectionError("disconnected from NATS"))

    nc = await nats.connect(
        url,
        name=name,
        connect_timeout=5,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        allow_reconnect=True,
        disconnected_cb=disconnected,
    )
    js = PingyiJetStream(nc, timeout=10)
    contexts.append(js)
    return nc, js


async def ensure_stream(js: JetStreamContext, namespace: str, service: str) -> None:
    """Create or update the origin stream. The log is kept for audit: no age limit, and
    neither single messages nor the whole stream may be deleted or purged."""
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
    )
    try:
        await js.stream_info(config.name)  # type: ignore[arg-type]
    except JsNotFound:
        try:
            await js.add_stream(config)
            return
        except Exception:  # another service created it between our two calls
            log.debug("stream %s appeared concurrently", config.name)
    await js.update_stream(config)


class JetStreamPublisher:
    """Publishes one service's messages to its origin stream. Every message carries
    `Nats-Msg-Id = <service>:<position>` (a republish within the duplicate window is
    dropped by the server) and the trace context of a producer span in its headers."""

    def __init__(
        self, js: JetStreamContext, namespace: str, service: str, *, timeout: float = 5.0
    ) -> None:
        self._js = js
        self._namespace = namespace
        self._service = service
        self._stream = stream_name(namespace, service)
        self._timeout = timeout

    async def tail(self) -> StreamTail:
        """The stream's last sequence and the origin position of the message stored there."""
        info = await asyncio.wait_for(self._js.stream_info(self._stream), self._timeout)
        last = int(info.state.last_seq or 0)
        if last == 0:
            return StreamTail(0, None)
        raw = await asyncio.wait_for(self._js.get_msg(self._stream, last), self._timeout)
        return StreamTail(last, IntegrationMessage.decode(raw.data or b"").position)

    async def send(self, message: IntegrationMessage, after: int) -> asyncio.Future[Any]:
        """Publish without waiting; the server stores it only as the message right after
        stream sequence `after`. Else the future fails with "wrong last sequence" — on a
        `PingyiJetStream` (see `connect`); nats-py's own context never resolves it."""
        headers = self._headers(message)
        headers["Nats-Expected-Last-Sequence"] = str(after)
        subject = message.subject(self._namespace)
        # The producer span covers handing the message over; its ack is awaited later, in
        # bulk. Unlike start_as_current_span this touches no context variables, which is a
        # measurable share of the relay's time per message.
        span = tracer.start_span(
            f"publish {subject}",
            kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.system": "nats", "pingyi.position": message.position},
        )
        try:
            if span.get_span_context().is_valid:
                propagate.inject(headers, context=trace.set_span_in_context(span))
            return await self._js.publish_async(
                subject, message.encode(), stream=self._stream, headers=headers
            )
        finally:
            span.end()

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

    def _headers(self, message: IntegrationMessage) -> dict[str, str]:
        return {"Nats-Msg-Id": msg_id(self._service, message.position)}
