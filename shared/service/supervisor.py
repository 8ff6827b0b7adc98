"""A child process the API process keeps running: the service's relay (`pingyi serve`).

The child is started in a session of its own, so a signal meant for the service's terminal
or process group reaches only the parent, which then stops the child itself: SIGTERM, and
SIGKILL if it has not exited after the grace period. If the child dies, it is started again
(after a pause that grows while it keeps dying young). If the parent dies, even by SIGKILL,
the child notices by itself: it holds the read end of a pipe whose write end only the parent
has, and reads end-of-file once the kernel has closed it (`parent_gone`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

PARENT_FD_KEY = "PINGYI_PARENT_FD"
"""The environment key naming the child's end of the parent's pipe."""
HEALTHY_AFTER = 30.0
"""A child that ran this long before dying is restarted at once."""
BACKOFF_MAX = 5.0


class ChildProcess:
    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        grace: float = 10.0,
    ) -> None:
        self.name = name
        self._command = list(command)
        self._env = dict(os.environ if env is None else env)
        self._grace = grace
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.restarts = 0
        self.last_exit: int | None = None

    def start(self) -> None:
        # A daemon: a parent that exits without stopping the child (a failed start) must not
        # wait for this thread; the child then stops by itself (`parent_gone`).
        self._thread = threading.Thread(
            target=self._keep_running, name=f"{self.name}-keeper", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after the grace period; returns once the child is gone."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None:
            _terminate(process, self._grace, self.name)
        if self._thread is not None:
            self._thread.join()

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None or process.poll() is not None else process.pid

    def status(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "running": self.pid is not None,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
        }

    def _keep_running(self) -> None:
        failures = 0
        while True:
            process, pipe = self._spawn()
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            os.close(pipe)
            if self._stopping.is_set():
                return
            self.restarts += 1
            self.last_exit = code
            failures = 0 if time.monotonic() - started >= HEALTHY_AFTER else failures + 1
            pause = 0.0 if failures == 0 else min(BACKOFF_MAX, 0.25 * 2**failures)
            log.warning(
                "child process died; starting it again",
                extra={"child": self.name, "exit_code": code, "pause_seconds": pause},
            )
            if self._stopping.wait(pause):
                return

    def _spawn(self) -> tuple[subprocess.Popen[bytes] | None, int]:
        read_end, write_end = os.pipe()
        try:
            with self._lock:
                if self._stopping.is_set():
                    os.close(write_end)
                    return None, -1
                self._process = subprocess.Popen(
                    self._command,
                    env={**self._env, PARENT_FD_KEY: str(read_end), **_this_instance()},
                    pass_fds=(read_end,),
                    start_new_session=True,
                )
        except BaseException:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        log.info("child process started", extra={"child": self.name, "pid": self._process.pid})
        return self._process, write_end


def _this_instance() -> dict[str, str]:
    """The child shares this process's instance id (`shared.instance`), whenever the
    environment it was built with was copied. Imported here: `shared.instance` reads this
    module's `PARENT_FD_KEY`."""
    from shared.instance import INSTANCE_ID, INSTANCE_KEY

    return {INSTANCE_KEY: INSTANCE_ID}


def _terminate(process: subprocess.Popen[bytes], grace: float, name: str) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("child process ignored SIGTERM; killing it", extra={"child": name})
        process.kill()
        process.wait()


async def unless_stopped(work: Awaitable[Any], stop: asyncio.Event) -> bool:
    """Run `work` unless `stop` is set first (NATS or the database may be away at start, and
    a client may retry for ever); True if it finished."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait([task, stopping], return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    await asyncio.wait([stopping])
    if not task.done():
        task.cancel()
        await asyncio.wait([task])
        return False
    task.result()
    return True


@contextlib.asynccontextmanager
async def child_lifetime() -> AsyncIterator[asyncio.Event]:
    """The stop event of a process started as a `ChildProcess` (the relay, the views): set
    on SIGTERM or SIGINT, and once the parent that started it is gone."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    watcher = asyncio.create_task(parent_gone(stop))
    try:
        yield stop
    finally:
        watcher.cancel()
        await asyncio.wait([watcher])


async def parent_gone(stop: asyncio.Event) -> None:
    """Set `stop` once the parent that started this process (as a `ChildProcess`) is gone;
    returns at once for a process started otherwise."""
    fd = os.environ.get(PARENT_FD_KEY)
    if fd is None:
        return
    loop = asyncio.get_running_loop()
    closed = asyncio.Event()

    def readable() -> None:
        if not os.read(int(fd), 1):  # end of file: the write end closed with the parent
            loop.remove_reader(int(fd))
            closed.set()

    loop.add_reader(int(fd), readable)
    try:
        await closed.wait()
    finally:
        loop.remove_reader(int(fd))
    log.warning("the parent process is gone; stopping")
    stop.set()
