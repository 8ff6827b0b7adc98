"""A TCP proxy in the test's own event loop, between a client and a loopback server, that can
be frozen into a black hole: both sockets stay open and nothing passes either way, so the
client sees neither data nor a close — a server that stopped answering, without stopping a
process (a SIGSTOPped server froze late or not at all under load)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

CHUNK = 65_536


class BlackHoleProxy:
    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._pumps: set[asyncio.Task[None]] = set()
        self.frozen = False
        self.connections = 0
        """Client connections accepted and joined to the server, to tell that one went
        through the proxy."""

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"nats://127.0.0.1:{port}"

    async def start(self) -> None:
        # Port 0: the kernel chooses, and the socket is bound at once (no race to lose).
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)

    def freeze(self) -> None:
        """From now on every byte read from either side is dropped, and no end of a side is
        passed on: what the client wrote from here on never reaches the server, nor any
        answer the client."""
        self.frozen = True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        for writer in self._writers:
            writer.close()
        for writer in self._writers:
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._writers.append(client_w)
        if self.frozen:
            return  # held open, never joined: a frozen server does not answer new clients
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self._upstream_port)
        self._writers.append(server_w)
        self.connections += 1
        for reader, writer in ((client_r, server_w), (server_r, client_w)):
            pump = asyncio.ensure_future(self._pump(reader, writer))
            self._pumps.add(pump)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Reading goes on while frozen (and drops what it reads), so that the client's
        # writes never back up into an error of their own.
        while data := await reader.read(CHUNK):
            if not self.frozen:
                writer.write(data)
                await writer.drain()
        if not self.frozen:
            writer.close()


@contextlib.asynccontextmanager
async def black_hole_proxy(upstream_port: int) -> AsyncIterator[BlackHoleProxy]:
    """Started, and closed with every connection through it whatever the test did."""
    proxy = BlackHoleProxy(upstream_port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()
