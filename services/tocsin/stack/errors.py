"""Why the stack could not start or stopped running.

    StackError (a TocsinError)
    ├── PortBusyError        a port the stack needs is taken
    ├── StackInUseError      another ``tocsin up`` runs on the same data directory
    └── ChildExitedError     a service process exited on its own (its log tail attached)

Errors from the local broker (Java missing, jars not fetched, ...) stay
``tocsin.localbroker`` errors: their messages already say what to do.
"""

from __future__ import annotations

from tocsin.errors import TocsinError


class StackError(TocsinError):
    """The stack could not start, or stopped working while it ran."""


class PortBusyError(StackError):
    """A port the stack needs is already in use."""


class StackInUseError(StackError):
    """Another ``tocsin up`` is running on the same data directory."""


class ChildExitedError(StackError):
    """A service process exited without being asked to."""

    def __init__(self, message: str, *, name: str, code: int) -> None:
        super().__init__(message)
        self.name = name
        self.code = code
