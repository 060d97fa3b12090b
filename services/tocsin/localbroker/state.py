"""The pid and JSON state files that let another process find a running broker."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from tocsin.localbroker.config import BrokerLayout, write_text_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BrokerState:
    """What a started broker records about itself in its data directory."""

    pid: int
    bootstrap: str
    port: int
    controller_port: int
    data_dir: str
    kafka_version: str
    started_at: str
    # Recorded so that `status` and a later `up` know how clients must connect.
    security_protocol: str = "PLAINTEXT"
    sasl_username: str | None = None

    @property
    def security(self) -> str:
        """How clients connect, in words: the protocol, and the SASL user when there is one."""
        if self.sasl_username is None:
            return self.security_protocol
        return f"{self.security_protocol}, user {self.sasl_username!r}"

    def to_json(self) -> str:
        """Return the state as pretty JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BrokerState:
        """Parse the JSON written by ``to_json``."""
        raw: dict[str, Any] = json.loads(text)
        return cls(
            pid=int(raw["pid"]),
            bootstrap=str(raw["bootstrap"]),
            port=int(raw["port"]),
            controller_port=int(raw["controller_port"]),
            data_dir=str(raw["data_dir"]),
            kafka_version=str(raw["kafka_version"]),
            started_at=str(raw["started_at"]),
            # Absent from the state of a broker started before SASL support.
            security_protocol=str(raw.get("security_protocol", "PLAINTEXT")),
            sasl_username=None if raw.get("sasl_username") is None else str(raw["sasl_username"]),
        )


def write_state(layout: BrokerLayout, state: BrokerState) -> None:
    """Record a started broker in its pid and state files."""
    write_text_atomic(layout.pid_file, f"{state.pid}\n")
    write_text_atomic(layout.state_file, state.to_json())


def read_state(layout: BrokerLayout) -> BrokerState | None:
    """Return the recorded state, or None when there is none or it cannot be read."""
    try:
        text = layout.state_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return BrokerState.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        # A damaged state file only means nothing usable is recorded; start will rewrite it.
        log.warning("ignoring unreadable %s: %s", layout.state_file, exc)
        return None


def clear_state(layout: BrokerLayout) -> None:
    """Remove the pid and state files."""
    layout.state_file.unlink(missing_ok=True)
    layout.pid_file.unlink(missing_ok=True)
