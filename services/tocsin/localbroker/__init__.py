"""A local single-node Apache Kafka for development and tests, started from Maven Central jars.

``LocalBroker(data_dir).start()`` fetches the pinned Kafka jars once (cached),
formats a KRaft log dir and runs a combined broker and controller on loopback
ports in its own JVM; ``tocsin kafka start`` does the same from the shell.
``BrokerSecurity`` makes its client listener ask for SASL logins, TLS, or both.
"""

from tocsin.localbroker.artifacts import KafkaJars, default_cache_dir, ensure_jars, kafka_version
from tocsin.localbroker.broker import BrokerStatus, LocalBroker, read_status
from tocsin.localbroker.errors import (
    ArtifactFetchError,
    BrokerAlreadyRunningError,
    BrokerNotRunningError,
    BrokerStartError,
    BrokerStopError,
    JavaError,
    JavaNotFoundError,
    JavaVersionError,
    LocalBrokerError,
    PortInUseError,
)
from tocsin.localbroker.java import require_java
from tocsin.localbroker.process import QUICK_START_JVM_OPTIONS
from tocsin.localbroker.security import BrokerSecurity, BrokerTls, Login, SaslLogins

__all__ = [
    "QUICK_START_JVM_OPTIONS",
    "ArtifactFetchError",
    "BrokerAlreadyRunningError",
    "BrokerNotRunningError",
    "BrokerSecurity",
    "BrokerStartError",
    "BrokerStatus",
    "BrokerStopError",
    "BrokerTls",
    "JavaError",
    "JavaNotFoundError",
    "JavaVersionError",
    "KafkaJars",
    "LocalBroker",
    "LocalBrokerError",
    "Login",
    "PortInUseError",
    "SaslLogins",
    "default_cache_dir",
    "ensure_jars",
    "kafka_version",
    "read_status",
    "require_java",
]
