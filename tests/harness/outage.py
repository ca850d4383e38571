"""A database that goes away for a while, the way each backend does: SQLite locked by another writer past the
busy timeout, PostgreSQL out of reach (a proxy in front of it drops every connection and refuses new ones)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path


class TcpProxy:
    """Forwards 127.0.0.1:port to a server; `cut` makes the server look gone until `restore`."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _link(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.close()
            return
        self._links.update({client_writer, server_writer})
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self._links.discard(writer)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()


class Outage:
    """`begin()` takes the database away, `end()` brings it back; `end_after(seconds)` in the background."""

    def __init__(self, sqlite_file: Path | None = None, proxy: TcpProxy | None = None) -> None:
        self._file, self._proxy = sqlite_file, proxy
        self._holder: sqlite3.Connection | None = None

    async def begin(self) -> None:
        if self._proxy is not None:
            await self._proxy.cut()
            return
        assert self._file is not None
        self._holder = sqlite3.connect(self._file, isolation_level=None)
        self._holder.execute("BEGIN IMMEDIATE")   # the write lock, held as a long transaction would

    async def end(self) -> None:
        if self._proxy is not None:
            await self._proxy.restore()
        elif self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None

    def end_after(self, seconds: float) -> asyncio.Task[None]:
        async def later() -> None:
            await asyncio.sleep(seconds)
            await self.end()

        return asyncio.create_task(later())
