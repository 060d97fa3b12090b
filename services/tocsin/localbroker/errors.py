"""Errors raised while fetching, starting or stopping the local broker.

Every message says what to do next, because the reader is usually a developer
at a terminal or a failing test log, not code that will recover.

    LocalBrokerError
    ├── JavaError
    │   ├── JavaNotFoundError      no java executable could be found
    │   └── JavaVersionError       java was found but is older than Kafka needs
    ├── ArtifactFetchError         Maven is missing or could not fetch the jars
    ├── BrokerStartError           formatting or starting failed, or readiness timed out
    │   ├── PortInUseError         a requested port is already taken
    │   └── BrokerAlreadyRunningError
    ├── BrokerNotRunningError      no broker runs on the data directory
    └── BrokerStopError            the broker process would not exit
"""

from __future__ import annotations


class LocalBrokerError(Exception):
    """Base class of every error raised by ``tocsin.localbroker``."""


class JavaError(LocalBrokerError):
    """No Java runtime that can run Kafka is available."""


class JavaNotFoundError(JavaError):
    """No java executable could be found."""


class JavaVersionError(JavaError):
    """A java executable was found, but it is too old for Kafka."""


class ArtifactFetchError(LocalBrokerError):
    """Kafka's jars could not be fetched from Maven Central or are incomplete."""


class BrokerStartError(LocalBrokerError):
    """The broker could not be formatted or started, or did not become ready in time."""


class PortInUseError(BrokerStartError):
    """A port requested for the broker is already in use."""


class BrokerAlreadyRunningError(BrokerStartError):
    """A broker is already running on the data directory."""

    def __init__(self, message: str, bootstrap: str) -> None:
        super().__init__(message)
        self.bootstrap = bootstrap


class BrokerNotRunningError(LocalBrokerError):
    """No broker is running on the data directory."""


class BrokerStopError(LocalBrokerError):
    """The broker process did not exit when asked to."""
