"""Embedded mode's data directory: usable, and written by one system at a time.

Two `pingyi up` on one directory would both write its SQLite logs and each believe it holds
the relay's and views' leases; a `pingyi rebuild` while the system runs would rebuild views
under a service that is still writing them. So whatever writes the directory holds an
exclusive lock on `pingyi.lock` in it for as long as it runs (released by the kernel when
the process ends, however it ends), and whatever else wants to write it is refused, naming
the holder. A directory that cannot be created or written is said so in one line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock, as before
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "pingyi.lock"


class DataDirRefused(Exception):
    """The data directory cannot be used now; the message says why, in one line."""


def usable(data_dir: Path) -> Path:
    """The lock file's path, the directory created if need be; refused in one line when the
    directory cannot be created or written."""
    lock = data_dir / LOCK_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock.touch()
    except OSError as error:
        why = error.strerror or type(error).__name__
        raise DataDirRefused(f"cannot use {data_dir} as the data directory: {why}") from None
    return lock


@contextmanager
def claimed(data_dir: Path, command: str) -> Iterator[None]:
    """Hold the directory for `command` while the block runs. A directory this made that
    the block left with nothing but the lock (a refusal before anything started: a port in
    use) is taken away again, so a refused command leaves no trace."""
    fresh = not data_dir.exists()
    lock = usable(data_dir)
    handle = lock.open("a+", encoding="utf-8")
    try:
        _take(handle, data_dir)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pingyi {command} (pid {os.getpid()})\n")
        handle.flush()
        yield
    except BaseException:
        if fresh:
            _remove_if_untouched(data_dir, lock)
        raise
    finally:
        handle.close()  # closing releases the lock


def _remove_if_untouched(data_dir: Path, lock: Path) -> None:
    try:
        if [entry.name for entry in data_dir.iterdir()] == [LOCK_FILE]:
            lock.unlink()
            data_dir.rmdir()
    except OSError:  # another process wrote it meanwhile: it is theirs now
        pass


def _take(handle: IO[str], data_dir: Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another pingyi process"
        raise DataDirRefused(
            f"{data_dir} is in use by {holder}: stop it first (one system writes a data "
            "directory at a time)"
        ) from None
