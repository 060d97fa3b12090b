"""Serving the ingest service on two addresses: the public one and the ops one.

One uvicorn server listens on both sockets and hands each request to the main or
the ops application by the local port it arrived on. A single server keeps one
lifespan, one graceful shutdown and uvicorn's own signal handling, exactly as with
one listener: SIGTERM drains both and stops the process the same way.

The local port is the address of the socket that accepted the connection, not
anything the client sent (unlike the Host header), so a client cannot reach the
ops routes through the public port by naming the other one.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from tocsin.errors import TocsinError

log = logging.getLogger(__name__)


class ListenError(TocsinError):
    """An address cannot be listened on (in use, not local, not allowed)."""


class ByLocalPort:
    """An ASGI app that sends requests to ``ops`` when they arrived on ``ops_port``.

    Everything else, including the lifespan, goes to ``main``.
    """

    def __init__(self, main: ASGIApp, ops: ASGIApp, ops_port: int) -> None:
        self.main = main
        self.ops = ops
        self.ops_port = ops_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server") if scope["type"] in ("http", "websocket") else None
        if server is not None and server[1] == self.ops_port:
            await self.ops(scope, receive, send)
        else:
            await self.main(scope, receive, send)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``, as uvicorn would open it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        # create_server's own message repeats the address: the errno's text is enough.
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise ListenError(f"cannot listen on {host}:{port}: {reason}") from exc


def serve_split(
    main: ASGIApp,
    ops: ASGIApp,
    *,
    main_address: tuple[str, int],
    ops_address: tuple[str, int],
    **uvicorn_options: Any,
) -> None:
    """Run ``main`` on ``main_address`` and ``ops`` on ``ops_address`` until stopped.

    Both sockets are bound before the application starts, so a busy port is a
    ``ListenError`` before anything else happens.
    """
    main_socket = bind(*main_address)
    try:
        ops_socket = bind(*ops_address)
    except ListenError:
        main_socket.close()
        raise
    ops_port = ops_socket.getsockname()[1]
    log.info("health and metrics on %s:%d, articles on %s:%d",
             ops_address[0], ops_port, main_address[0], main_socket.getsockname()[1])  # fmt: skip
    config = uvicorn.Config(ByLocalPort(main, ops, ops_port), **uvicorn_options)
    with main_socket, ops_socket:
        uvicorn.Server(config).run(sockets=[main_socket, ops_socket])
