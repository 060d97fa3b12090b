"""Tocsin's exceptions: one root, named subclasses that carry what a caller needs.

    TocsinError
    ├── ContractError            a message does not fit the event contract
    │   ├── MessageDecodeError   bytes are not JSON (or not UTF-8)
    │   └── MessageSchemaError   JSON that fails model validation
    ├── InputError               a user-supplied file or payload cannot be read
    ├── StateDirError            a service's state directory cannot be created or written
    └── BrokerError              anything about talking to Kafka (see tocsin.localbroker too)
        ├── BrokerUnavailableError  not reachable or no ack in time: retry later (HTTP 503)
        │   └── BrokerAuthenticationError  the broker rejected Tocsin's SASL login
        └── PublishError            the broker refused a record: retrying will not help

Library exceptions are translated at the boundary and raised ``from`` the original.
"""

from __future__ import annotations

from pathlib import Path


class TocsinError(Exception):
    """Root of every exception Tocsin raises on purpose."""


class ContractError(TocsinError):
    """A message does not fit the event contract."""


class MessageDecodeError(ContractError):
    """Bytes that are not valid UTF-8 JSON."""


class MessageSchemaError(ContractError):
    """A JSON document that fails validation against the contract models."""

    def __init__(self, message: str, *, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class InputError(TocsinError):
    """User-supplied input (a file, stdin, a request body) that cannot be read."""


class StateDirError(TocsinError):
    """A service's state directory (or the database in it) cannot be created or written."""

    def __init__(self, directory: Path, cause: str) -> None:
        super().__init__(f"state directory {directory} is not usable: {cause}")
        self.directory = directory
        self.cause = cause


class BrokerError(TocsinError):
    """A failure talking to Kafka."""


class BrokerUnavailableError(BrokerError):
    """The broker could not be reached, or did not acknowledge in time; safe to retry."""


class BrokerAuthenticationError(BrokerUnavailableError):
    """The broker rejected Tocsin's SASL credentials (or they could not be read).

    A kind of "unavailable": callers answer 503 and retry, which helps once the
    credentials are fixed, without a restart.
    """


class PublishError(BrokerError):
    """The broker refused a record for a reason a retry will not fix."""

    def __init__(self, message: str, *, topic: str) -> None:
        super().__init__(message)
        self.topic = topic
