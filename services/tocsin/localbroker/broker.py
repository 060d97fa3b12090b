"""``LocalBroker``: one single-node Kafka per data directory, started and stopped on demand."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from tocsin.localbroker.artifacts import ensure_jars
from tocsin.localbroker.config import (
    HOST,
    BrokerLayout,
    free_port,
    port_accepts,
    port_is_free,
    write_config,
)
from tocsin.localbroker.errors import (
    BrokerAlreadyRunningError,
    BrokerNotRunningError,
    BrokerStartError,
    PortInUseError,
)
from tocsin.localbroker.java import require_java
from tocsin.localbroker.process import (
    DEFAULT_HEAP,
    format_storage,
    is_broker_process,
    now_iso,
    spawn_broker,
    terminate,
    wait_ready,
)
from tocsin.localbroker.scram import add_scram_credentials
from tocsin.localbroker.security import (
    BrokerSecurity,
    Login,
    listener_properties,
    prepare_logins,
    probe_options,
    read_logins,
    write_client_settings,
)
from tocsin.localbroker.state import BrokerState, clear_state, read_state, write_state

DEFAULT_START_TIMEOUT = 60.0
DEFAULT_STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class BrokerStatus:
    """What the data directory says about its broker, checked against the live process and port."""

    data_dir: Path
    state: BrokerState | None
    process_alive: bool
    port_open: bool

    @property
    def running(self) -> bool:
        """Tell whether the recorded broker process lives and its listener accepts connections."""
        return self.state is not None and self.process_alive and self.port_open

    def describe(self) -> str:
        """Return one human-readable line."""
        if self.state is None:
            return f"no Kafka broker recorded in {self.data_dir}"
        where = (
            f"Kafka {self.state.kafka_version} at {self.state.bootstrap} "
            f"({self.state.security}; pid {self.state.pid})"
        )
        if self.running:
            return f"{where} is running since {self.state.started_at}"
        if self.process_alive:
            return f"{where} is alive but not accepting connections (starting or stopping)"
        return f"{where} is not running (stale state in {self.data_dir})"


def read_status(data_dir: Path) -> BrokerStatus:
    """Return the status of the broker recorded in ``data_dir``."""
    layout = BrokerLayout(Path(data_dir).expanduser().resolve())
    state = read_state(layout)
    alive = state is not None and is_broker_process(state.pid, layout)
    port_open = state is not None and alive and port_accepts(state.port)
    return BrokerStatus(layout.data_dir, state, alive, port_open)


class LocalBroker:
    """A single-node Kafka (KRaft broker and controller) on loopback ports, in its own JVM."""

    def __init__(
        self,
        data_dir: Path | str,
        port: int | None = None,
        controller_port: int | None = None,
        *,
        java: str | None = None,
        cache_dir: Path | None = None,
        heap: str = DEFAULT_HEAP,
        jvm_options: Sequence[str] = (),
        security: BrokerSecurity | None = None,
    ) -> None:
        self.layout = BrokerLayout(Path(data_dir).expanduser().resolve())
        self.security = security or BrokerSecurity()
        self._port = port or None
        self._controller_port = controller_port or None
        self._java = java
        self._cache_dir = cache_dir
        self._heap = heap
        self._jvm_options = tuple(jvm_options)

    @property
    def data_dir(self) -> Path:
        """Return the absolute data directory."""
        return self.layout.data_dir

    @property
    def bootstrap(self) -> str:
        """Return ``127.0.0.1:PORT`` of the running broker."""
        current = self.status()
        if current.state is None or not current.running:
            raise BrokerNotRunningError(f"{current.describe()}; start it first")
        return current.state.bootstrap

    @property
    def client_login(self) -> Login | None:
        """Return the client's SASL login stored in the data directory, if one was made."""
        logins = read_logins(self.layout)
        return None if logins is None else logins.client

    def status(self) -> BrokerStatus:
        """Return the status of this data directory's broker."""
        return read_status(self.layout.data_dir)

    def is_running(self) -> bool:
        """Tell whether this data directory's broker is up and accepting connections."""
        return self.status().running

    def start(self, timeout: float = DEFAULT_START_TIMEOUT) -> str:
        """Start the broker and return its bootstrap address once it answers metadata requests."""
        java = require_java(self._java)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.layout.start_lock_file.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BrokerStartError(
                    f"another process is starting a broker in {self.data_dir} right now"
                ) from None
            # Held until start returns, so two starts on one data dir cannot both spawn a JVM.
            return self._start_locked(java, timeout)

    def _start_locked(self, java: str, timeout: float) -> str:
        current = self.status()
        if current.state is not None and current.running:
            raise BrokerAlreadyRunningError(
                f"{current.describe()}; stop it first or use it as it is",
                current.state.bootstrap,
            )
        if current.state is not None and current.process_alive:
            raise BrokerStartError(
                f"{current.describe()}; wait for it, or stop it (tocsin kafka stop "
                f"--data-dir {self.data_dir}) before starting again"
            )
        clear_state(self.layout)
        jars = ensure_jars(self._cache_dir, java=java)
        # The timeout covers formatting, start-up and readiness, not a first-time download,
        # whose length depends on the network rather than on the broker.
        deadline = time.monotonic() + timeout
        port, controller_port = self._choose_ports()
        security = self.security
        logins = prepare_logins(self.layout, security) if security.sasl else None
        listener = listener_properties(security, logins, port)
        write_config(self.layout, port, controller_port, listener)
        format_storage(java, jars, self.layout, deadline - time.monotonic())
        pid = spawn_broker(java, jars, self.layout, self._heap, self._jvm_options)
        state = BrokerState(
            pid=pid,
            bootstrap=f"{HOST}:{port}",
            port=port,
            controller_port=controller_port,
            data_dir=str(self.data_dir),
            kafka_version=jars.version,
            started_at=now_iso(),
            security_protocol=security.protocol,
            sasl_username=None if logins is None else logins.client.username,
        )
        # Recorded before the wait, so `stop` can still find a broker that hangs in start-up.
        write_state(self.layout, state)
        try:
            probe = probe_options(security, logins)
            wait_ready(pid, port, self.layout, deadline, probe)
            if logins is not None:
                add_scram_credentials(state.bootstrap, probe, logins.client, deadline)
            if security.protocol == "PLAINTEXT":
                # Settings left by an earlier secured start would no longer fit.
                self.layout.client_env_file.unlink(missing_ok=True)
            else:
                write_client_settings(self.layout, state.bootstrap, security, logins)
        except BaseException:
            terminate(pid, 10.0)
            clear_state(self.layout)
            raise
        return state.bootstrap

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> bool:
        """Stop the broker (SIGTERM, then SIGKILL after ``timeout``); return whether one ran."""
        state = read_state(self.layout)
        if state is None:
            return False
        stopped = False
        # A stale pid may belong to an unrelated process by now; only signal our own JVM.
        if is_broker_process(state.pid, self.layout):
            terminate(state.pid, timeout)
            stopped = True
        clear_state(self.layout)
        return stopped

    def _choose_ports(self) -> tuple[int, int]:
        if self._port is not None and self._port == self._controller_port:
            raise BrokerStartError(f"the broker and controller ports must differ ({self._port})")
        for wanted in (self._port, self._controller_port):
            if wanted is not None and not port_is_free(wanted):
                raise PortInUseError(
                    f"{HOST}:{wanted} is already in use; choose another port, or 0 for a free one"
                )
        port = self._port or free_port()
        controller_port = self._controller_port or free_port()
        # Two quick free_port calls can hand out the same number.
        while controller_port == port:
            if self._controller_port is None:
                controller_port = free_port()
            else:
                port = free_port()
        return port, controller_port

    def __enter__(self) -> Self:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
