"""The on-disk layout and ``server.properties`` of a single-node KRaft broker."""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

HOST = "127.0.0.1"
NODE_ID = 1


@dataclass(frozen=True)
class BrokerLayout:
    """Where one broker keeps its configuration, data, logs and run-time state."""

    data_dir: Path

    @property
    def properties_file(self) -> Path:
        """Return the path of ``server.properties``."""
        return self.data_dir / "server.properties"

    @property
    def log4j_file(self) -> Path:
        """Return the path of the broker's log4j2 configuration."""
        return self.data_dir / "log4j2.xml"

    @property
    def kafka_log_dir(self) -> Path:
        """Return the folder Kafka stores topic partitions and metadata in (``log.dirs``)."""
        return self.data_dir / "kafka-logs"

    @property
    def logs_dir(self) -> Path:
        """Return the folder of the broker's own log files."""
        return self.data_dir / "logs"

    @property
    def server_log(self) -> Path:
        """Return the broker's main log file."""
        return self.logs_dir / "server.log"

    @property
    def console_log(self) -> Path:
        """Return the file the broker's stdout and stderr go to."""
        return self.logs_dir / "broker.out"

    @property
    def pid_file(self) -> Path:
        """Return the file holding the broker's process id."""
        return self.data_dir / "broker.pid"

    @property
    def state_file(self) -> Path:
        """Return the JSON file describing the running broker."""
        return self.data_dir / "state.json"

    @property
    def start_lock_file(self) -> Path:
        """Return the file locked while a broker is being started."""
        return self.data_dir / ".start.lock"

    @property
    def sasl_dir(self) -> Path:
        """Return the folder (0700) of the SASL logins and the client settings."""
        return self.data_dir / "sasl"

    @property
    def logins_file(self) -> Path:
        """Return the JSON file of the client's and the broker's SASL logins (0600)."""
        return self.sasl_dir / "logins.json"

    @property
    def client_password_file(self) -> Path:
        """Return the file holding only the client's password (TOCSIN_KAFKA_SASL_PASSWORD_FILE)."""
        return self.sasl_dir / "client-password"

    @property
    def client_env_file(self) -> Path:
        """Return the TOCSIN_KAFKA_* settings that reach this broker, password file included."""
        return self.sasl_dir / "client.env"

    def is_formatted(self) -> bool:
        """Tell whether the storage tool has already formatted the log dir."""
        return (self.kafka_log_dir / "meta.properties").is_file()


def plaintext_listener(port: int) -> dict[str, str]:
    """Return the settings of a client listener without TLS or SASL."""
    return {
        "listeners": f"PLAINTEXT://{HOST}:{port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
    }


def server_properties(
    layout: BrokerLayout,
    port: int,
    controller_port: int,
    listener: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return the broker settings for a combined broker and controller on loopback ports.

    ``listener`` describes the client listener (``plaintext_listener`` by default);
    the controller listener is added to it and stays PLAINTEXT on loopback.
    """
    client = dict(plaintext_listener(port) if listener is None else listener)
    client["listeners"] += f",CONTROLLER://{HOST}:{controller_port}"
    client["listener.security.protocol.map"] += ",CONTROLLER:PLAINTEXT"
    return {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        **client,
        "controller.listener.names": "CONTROLLER",
        # A dynamic quorum formatted with --standalone: the node is its own only voter.
        "controller.quorum.bootstrap.servers": f"{HOST}:{controller_port}",
        "log.dirs": str(layout.kafka_log_dir),
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # With one broker the internal topics must fit on one replica, or the group,
        # transaction and share coordinators never become available.
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Fewer internal partitions than the default 50 make the first group join quick.
        "offsets.topic.num.partitions": "5",
        "transaction.state.log.num.partitions": "5",
        # Tests join groups constantly; the default 3 s delay would add up.
        "group.initial.rebalance.delay.ms": "0",
        # Services create their topics explicitly; a typo must not create a new one.
        "auto.create.topics.enable": "false",
    }


def log4j_config_text() -> str:
    """Return the broker's log4j2 configuration, as shipped inside this package."""
    return resources.files("tocsin.localbroker").joinpath("log4j2.xml").read_text(encoding="utf-8")


def write_config(
    layout: BrokerLayout,
    port: int,
    controller_port: int,
    listener: Mapping[str, str] | None = None,
) -> None:
    """Create the broker's folders and write its ``server.properties`` and log4j2 config."""
    for folder in (layout.data_dir, layout.kafka_log_dir, layout.logs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    properties = server_properties(layout, port, controller_port, listener)
    # Owner-only: with SASL it holds the passwords.
    write_text_atomic(layout.properties_file, render_properties(properties), private=True)
    # A copy beside the data, so the running JVM never depends on where tocsin is installed.
    write_text_atomic(layout.log4j_file, log4j_config_text())


def render_properties(properties: dict[str, str]) -> str:
    """Return the text of a Java properties file, escaping what Java would misread."""
    lines = []
    for key, value in properties.items():
        if any(c in key + value for c in "\r\n"):
            raise ValueError(f"property {key!r} contains a line break")
        escaped = value.replace("\\", "\\\\")
        lines.append(f"{key}={escaped}")
    return "\n".join(lines) + "\n"


def write_text_atomic(path: Path, text: str, *, private: bool = False) -> None:
    """Write a file so that readers see the old or the new content, never half of it.

    A ``private`` file is readable by its owner only (0600) from the moment it exists.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def free_port(host: str = HOST) -> int:
    """Return a TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = HOST) -> bool:
    """Tell whether a listener could bind ``host:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Kafka binds with SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def port_accepts(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """Tell whether something accepts TCP connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def new_cluster_id() -> str:
    """Return a random cluster id in Kafka's format (a UUID as 22 URL-safe base64 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
