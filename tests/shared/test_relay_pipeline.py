"""The relay's recovery paths against an in-memory stream (no NATS), one fault at a time."""

from __future__ import annotations

import asyncio

import pytest

from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.messaging.relay_worker import run_relay
from tests.ports import quiet_port
from tests.shared.fake_stream import FakeStream
from tests.shared.ordering_app import SERVICE, in_memory_application, to_payload
from tests.shared.relay_support import assert_exactly_the_log, until


def _log(notes_and_memos: list[bool]) -> Outbox:
    app = in_memory_application()
    app.write(notes_and_memos, 0)
    return Outbox(SERVICE, app, to_payload)


def _relay(
    outbox: Outbox, stream: FakeStream, ack_timeout: float = 5.0, ack_every: int = 1
) -> Relay:
    return Relay(outbox, stream, batch=10, window=4, ack_every=ack_every, ack_timeout=ack_timeout)


@pytest.mark.parametrize("ack_every", [1, 3])
def test_a_message_lost_on_the_way_is_sent_again_never_skipped(ack_every: int) -> None:
    """Lost with or without an ack of its own: the group's ack is missing or refused."""
    outbox = _log([True, False, True] * 10)
    stream = FakeStream(lose={7})

    async def scenario() -> None:
        relay = _relay(outbox, stream, ack_timeout=0.2, ack_every=ack_every)
        await relay.start()
        await until(lambda: relay.published_to == outbox.head())
        await relay.stop()
        assert relay.resyncs == 1  # the missing ack; the refusals behind it go with it

    asyncio.run(scenario())
    assert_exactly_the_log(stream.messages, list(outbox.iterate()))


def test_a_refusal_inside_a_group_fails_the_groups_ack_and_is_sent_again() -> None:
    """Published without an ack of its own, a refused message is not seen by itself; every
    message after it is refused too (its expected sequence is never reached), so the
    group's ack reports it."""
    outbox = _log([True] * 12)
    stream = FakeStream(refuse={2})

    async def scenario() -> None:
        relay = _relay(outbox, stream, ack_every=3)
        await relay.start()
        await until(lambda: relay.published_to == outbox.head())
        await relay.stop()
        assert relay.resyncs == 1

    asyncio.run(scenario())
    assert_exactly_the_log(stream.messages, list(outbox.iterate()))


def test_messages_stored_behind_the_relays_back_are_not_stored_twice() -> None:
    outbox = _log([True] * 12)
    log = list(outbox.iterate())
    stream = FakeStream(messages=log[:3])  # e.g. a relay that died with its acks in flight

    async def scenario() -> None:
        relay = _relay(outbox, stream)
        await relay.start()
        await until(lambda: relay.published_to == outbox.head())
        await relay.stop()
        assert relay.published == 9

    asyncio.run(scenario())
    assert_exactly_the_log(stream.messages, log)


@pytest.mark.parametrize(("ack_every", "acks"), [(1, 4), (3, 2)])
def test_no_more_than_the_window_waits_for_acks(ack_every: int, acks: int) -> None:
    """A window of 4 messages: 4 acks requested one by one, or a group of 3 and the
    message that fills the window."""
    outbox = _log([True] * 12)
    stream = FakeStream(hold_acks=True)

    async def scenario() -> None:
        relay = _relay(outbox, stream, ack_timeout=60, ack_every=ack_every)
        await relay.start()
        await until(lambda: stream.held == acks)
        assert stream.sent == 4 and relay.status()["in_flight"] == 4
        assert relay.published_to is None  # nothing acknowledged yet
        stream.release()
        await until(lambda: relay.published_to == outbox.head())
        await relay.stop()
        assert relay.resyncs == 0

    asyncio.run(scenario())
    assert_exactly_the_log(stream.messages, list(outbox.iterate()))


def test_a_log_with_nothing_to_publish_leaves_the_stream_empty() -> None:
    outbox = _log([False] * 5)
    stream = FakeStream()

    async def scenario() -> None:
        relay = _relay(outbox, stream)
        await relay.start()
        await until(lambda: relay.scanned_to == 5)
        await relay.stop()
        assert relay.status()["lag"] == 0

    asyncio.run(scenario())
    assert stream.messages == []


def test_the_relay_process_stops_on_request_while_nats_is_unreachable() -> None:
    """nats-py retries a first connection for ever; a stop must still end the worker."""
    opened: list[Outbox] = []

    def open_outbox() -> Outbox:
        opened.append(_log([True]))
        return opened[-1]

    async def scenario() -> None:
        stop = asyncio.Event()
        nowhere = f"nats://127.0.0.1:{quiet_port()}"
        worker = asyncio.create_task(run_relay(open_outbox, nowhere, "t", SERVICE, stop))
        await until(lambda: bool(opened))
        stop.set()
        await asyncio.wait_for(worker, 20)

    asyncio.run(scenario())
