"""Ctrl-C and SIGTERM as one clean way out of ``tocsin up``.

Both signals raise ``KeyboardInterrupt`` in the main thread, so a start-up step
in progress (even a broker start, which cleans up after itself) is abandoned at
once and the shutdown path runs. Two moments must not be split by a signal:

- starting a process and recording it (or it would be left running): ``held()``
  defers the interrupt to the end of such a block;
- the shutdown itself: once ``stopping`` is set, further signals only print a
  reminder, so a second Ctrl-C cannot leave half the stack behind.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Installs the handlers on ``__enter__`` and puts the previous ones back on exit."""

    def __init__(self, note: Callable[[str], None]) -> None:
        self._note = note
        self._held = 0
        self._pending = False
        self._previous: dict[int, Any] = {}
        self.stopping = False

    def __enter__(self) -> Interrupts:
        for sig in _SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.stopping:
            self._note(f"{signal.Signals(signum).name}: already stopping, please wait")
            return
        if self._held:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        """Defer an interrupt that arrives inside the block to its end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        if not self._held and self._pending and not self.stopping:
            self._pending = False
            raise KeyboardInterrupt
