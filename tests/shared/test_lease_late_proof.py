"""A proof of a lease read late proves nothing new (`shared.service.leases`): a holder whose
process froze while it waited for a proof's answer finds, when it wakes, that answer in its
socket ("held"), although the server has since ended its idle session and another replica
has won the lease. Counted from when it was read, the old answer made the woken holder
hold the lease again, beside the new holder, for `valid_seconds`.

The answer is held back by a relay between the holder and PostgreSQL (what the frozen
process's socket does), so the test needs no timing: the server ends the session while the
answer waits, and only then is it let through."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared.service.leases import PostgresLeases
from tests.shared.lease_replicas import until

pytestmark = pytest.mark.infra
KEY = "test|survey|survey-waves-v1<-survey"


class AnswerGate:
    """A TCP relay to the database whose answers can be held back, chunk by chunk."""

    def __init__(self, host: str, port: int) -> None:
        self._upstream = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._passes = threading.Semaphore(0)
        self._open = True
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self) -> None:
        """Answers from now on wait, until `let_one` or `close`."""
        self._open = False

    def let_one(self) -> None:
        self._passes.release()

    def close(self) -> None:
        self._open = True
        self._passes.release(1000)
        for sock in self._sockets:
            sock.close()

    def _accept(self) -> None:
        with self._listener:
            while True:
                try:
                    client, _ = self._listener.accept()
                except OSError:
                    return
                server = socket.create_connection(self._upstream)
                self._sockets += [client, server]
                threading.Thread(
                    target=self._pump, args=(client, server, False), daemon=True
                ).start()
                threading.Thread(
                    target=self._pump, args=(server, client, True), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool) -> None:
        try:
            while data := source.recv(65536):
                if answers and not self._open:
                    self._passes.acquire()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            sink.close()


@pytest.fixture
def gate(database_url: str) -> Iterator[AnswerGate]:
    params = conninfo_to_dict(database_url)
    relay = AnswerGate(str(params.get("host") or "127.0.0.1"), int(params.get("port") or 5432))
    yield relay
    relay.close()


def _leases(conninfo: str) -> PostgresLeases:
    # No prover thread: the test proves when it means to.
    return PostgresLeases(
        conninfo, "test", retry_seconds=0.05, prove_seconds=0.1, valid_seconds=2.5,
        server_idle_timeout=3.0,
    )  # fmt: skip


def _held_by_anyone(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()
    return bool(row and row[0])


def test_an_answer_read_after_the_session_ended_does_not_hold_the_lease_again(
    database_url: str, gate: AnswerGate
) -> None:
    frozen = _leases(make_conninfo(database_url, host="127.0.0.1", port=gate.port))
    other = _leases(database_url)
    try:
        assert frozen.try_lock(KEY) and frozen.holds(KEY)
        gate.hold()
        proving = threading.Thread(target=frozen.prove)
        proving.start()  # asked; the server answers "held", and the answer waits
        # Idle since that answer, the session is ended by the server, and the lock with it.
        until(lambda: not _held_by_anyone(database_url), "the frozen holder's session lives on")
        assert other.try_lock(KEY) and other.holds(KEY)
        assert not frozen.holds(KEY)  # its last proof is too old already
        gate.let_one()  # the process wakes and reads the answer waiting for it
        proving.join(timeout=30)
        assert not proving.is_alive()
        assert not frozen.holds(KEY), "a late answer made the lease held twice"
        assert other.holds(KEY)
    finally:
        frozen.close()
        other.close()


def test_a_win_read_after_the_session_ended_does_not_hold_the_lease(
    database_url: str, gate: AnswerGate
) -> None:
    """The same for the answer that won the lease: it holds from when it was asked."""
    frozen = _leases(make_conninfo(database_url, host="127.0.0.1", port=gate.port))
    other = _leases(database_url)
    try:
        assert frozen.attending()  # connected, holding nothing
        gate.hold()
        winning = threading.Thread(target=frozen.try_lock, args=(KEY,))
        winning.start()  # won; the answer waits
        until(lambda: _held_by_anyone(database_url), "the lease was never won")
        until(lambda: not _held_by_anyone(database_url), "the frozen holder's session lives on")
        assert other.try_lock(KEY) and other.holds(KEY)
        gate.let_one()
        winning.join(timeout=30)
        assert not winning.is_alive()
        assert not frozen.holds(KEY), "a late win made the lease held twice"
        assert other.holds(KEY)
    finally:
        frozen.close()
        other.close()
