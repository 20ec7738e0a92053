"""The doorbell of an event loop that watches no descriptors (Windows' ProactorEventLoop).

The native module delivers results to a queue and writes a byte to a socket when the queue
fills; loops that have ``add_reader`` (every Unix loop, Windows' SelectorEventLoop, uvloop)
watch that socket directly. A proactor loop has no ``add_reader``, but every loop has
``sock_recv``: one task per loop awaits the byte and drains the queue.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Callable

# Strong references: a loop holds only weak ones to its tasks.
_listeners: set[asyncio.Task[None]] = set()


async def _listen(loop: asyncio.AbstractEventLoop, fd: int, drain: Callable[[], None]) -> None:
    # Wraps the queue's descriptor without owning it: detached before the socket object goes.
    doorbell = socket.socket(fileno=fd)
    try:
        doorbell.setblocking(False)  # the descriptor is; the object must know it too
        while await loop.sock_recv(doorbell, 256):
            drain()
    finally:
        doorbell.detach()


def listen(loop: asyncio.AbstractEventLoop, fd: int, drain: Callable[[], None]) -> None:
    """Drains the queue behind ``fd`` on ``loop`` whenever its doorbell rings, until the
    loop cancels its tasks (``asyncio.run`` does at exit)."""
    task = loop.create_task(_listen(loop, fd, drain), name="ocus-doorbell")
    _listeners.add(task)
    task.add_done_callback(_listeners.discard)
