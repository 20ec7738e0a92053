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

# Loops that take no attributes keep their task here instead (while the process lives).
_fallback: set[asyncio.Task[None]] = set()


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
    """Makes sure a task drains the queue behind ``fd`` on ``loop`` whenever its doorbell
    rings. Called before every call on such a loop: a task that ended (cancelled with the
    others at shutdown, or failed) is started again, so no call waits on a dead doorbell."""
    task: asyncio.Task[None] | None = getattr(loop, "_ocus_doorbell", None)
    if task is not None and not task.done():
        return
    if task is not None and not task.cancelled() and task.exception() is not None:
        loop.call_exception_handler({"message": "ocus: the doorbell task failed; restarting it",
                                     "exception": task.exception(), "task": task})
    task = loop.create_task(_listen(loop, fd, drain), name="ocus-doorbell")
    try:
        # On the loop (a cycle the garbage collector frees with it), not in a global registry.
        setattr(loop, "_ocus_doorbell", task)
    except AttributeError:
        _fallback.add(task)
        task.add_done_callback(_fallback.discard)
