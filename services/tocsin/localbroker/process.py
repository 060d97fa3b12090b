"""Format, spawn, probe and stop the broker's JVM process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from tocsin.localbroker.artifacts import KAFKA_MAIN, STORAGE_TOOL, KafkaJars
from tocsin.localbroker.config import HOST, BrokerLayout, new_cluster_id, port_accepts
from tocsin.localbroker.errors import BrokerStartError, BrokerStopError
from tocsin.signals import process_alive, signal_group, wait_gone

log = logging.getLogger(__name__)

DEFAULT_HEAP = "768m"
# For short-lived test brokers: C1-only JIT and the serial collector start about a third
# faster on 2 cores, at a throughput cost that only matters to long or heavy runs.
QUICK_START_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_TAIL_LINES = 30


def _jvm_options(layout: BrokerLayout) -> list[str]:
    return [
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={layout.logs_dir}",
        f"-Dlog4j2.configurationFile={layout.log4j_file}",
        # A JVM crash report lands beside the other logs, not in the caller's cwd.
        f"-XX:ErrorFile={layout.logs_dir}/hs_err_pid%p.log",
    ]


def format_storage(
    java: str,
    jars: KafkaJars,
    layout: BrokerLayout,
    timeout: float,
    cluster_id: str | None = None,
) -> None:
    """Format the KRaft log dir as a standalone controller quorum, unless it already is."""
    # Skipping the JVM when meta.properties exists saves a second or two on every restart;
    # --ignore-formatted still guards a directory formatted by someone else.
    if layout.is_formatted():
        return
    command = [
        java,
        *_jvm_options(layout),
        "-cp",
        jars.classpath,
        STORAGE_TOOL,
        "format",
        "--standalone",
        # One token: a base64 id may start with "-", which the tool's parser would
        # otherwise take for an option (about one format in 64 failed that way).
        f"--cluster-id={cluster_id or new_cluster_id()}",
        "--config",
        str(layout.properties_file),
        "--ignore-formatted",
    ]
    try:
        done = subprocess.run(  # noqa: S603 - java checked by require_java, fixed arguments
            command, capture_output=True, text=True, timeout=max(1.0, timeout), check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BrokerStartError(
            f"formatting {layout.kafka_log_dir} took longer than {timeout:.0f} s; "
            "retry with a longer --timeout"
        ) from exc
    if done.returncode != 0:
        raise BrokerStartError(
            f"Kafka's storage tool could not format {layout.kafka_log_dir} "
            f"(exit code {done.returncode}); delete that folder to start afresh.\n"
            f"{(done.stdout + done.stderr).strip()}"
        )


def spawn_broker(
    java: str,
    jars: KafkaJars,
    layout: BrokerLayout,
    heap: str = DEFAULT_HEAP,
    jvm_options: Sequence[str] = (),
) -> int:
    """Start the broker JVM in its own session with output to a log file, and return its pid."""
    argv = [
        java,
        f"-Xmx{heap}",
        *jvm_options,
        *_jvm_options(layout),
        "-cp",
        jars.classpath,
        KAFKA_MAIN,
        str(layout.properties_file),
    ]
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with layout.console_log.open("a", encoding="utf-8") as out:
        out.write(f"--- tocsin: starting Kafka at {stamp}: {' '.join(argv)}\n")
    # posix_spawn rather than Popen: the broker outlives this object (and, for the CLI,
    # this process), and a Popen dropped while its child runs warns as a leaked resource.
    # Its own session keeps a Ctrl-C in the caller's terminal from reaching the broker.
    file_actions: list[tuple[Any, ...]] = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (
            os.POSIX_SPAWN_OPEN,
            1,
            str(layout.console_log),
            os.O_WRONLY | os.O_CREAT | os.O_APPEND,
            0o644,
        ),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    try:
        return os.posix_spawn(java, argv, os.environ, file_actions=file_actions, setsid=True)
    except OSError as exc:
        raise BrokerStartError(f"could not start {java}: {exc}") from exc


def child_exit_code(pid: int) -> int | None:
    """Return the exit code of a child of this process that has exited, else None."""
    try:
        reaped, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    if reaped == 0:
        return None
    return os.waitstatus_to_exitcode(status)


def is_broker_process(pid: int, layout: BrokerLayout) -> bool:
    """Tell whether ``pid`` is the Kafka JVM of this layout, so a reused pid is never signalled."""
    if not process_alive(pid):
        return False
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:
        # No procfs (not Linux): the pid file is all there is to go on.
        return True
    return KAFKA_MAIN.encode() in args and str(layout.properties_file).encode() in args


def terminate(pid: int, timeout: float) -> None:
    """Stop the broker's process group with SIGTERM, then SIGKILL if it outlives ``timeout``."""
    if not _signal_group(pid, signal.SIGTERM):
        return
    if wait_gone(pid, timeout):
        return
    log.warning("Kafka (pid %d) ignored SIGTERM for %.0f s; killing it", pid, timeout)
    _signal_group(pid, signal.SIGKILL)
    if not wait_gone(pid, 10.0):
        raise BrokerStopError(
            f"Kafka (pid {pid}) did not exit even after SIGKILL; check `ps {pid}`"
        )


def _signal_group(pid: int, sig: signal.Signals) -> bool:
    try:
        return signal_group(pid, sig)
    except PermissionError as exc:
        raise BrokerStopError(f"not allowed to signal Kafka (pid {pid}): {exc}") from exc


def wait_ready(
    pid: int,
    port: int,
    layout: BrokerLayout,
    deadline: float,
    security: Mapping[str, Any] | None = None,
) -> None:
    """Block until the broker answers a metadata request, or raise ``BrokerStartError``.

    ``security`` holds the kafka-python options (protocol, login, CA) the listener needs.
    """
    # Connecting is cheap and silent, so poll it first; kafka-python's bootstrap is only
    # tried once the listener is up, because a failed client constructor leaks its IO thread.
    while not port_accepts(port):
        code = child_exit_code(pid)
        if code is not None or not process_alive(pid):
            exit_text = f" with exit code {code}" if code is not None else ""
            raise BrokerStartError(f"Kafka exited during start-up{exit_text}. {log_tail(layout)}")
        if time.monotonic() >= deadline:
            raise BrokerStartError(
                f"Kafka did not open {HOST}:{port} in time; retry with a longer --timeout. "
                f"{log_tail(layout)}"
            )
        time.sleep(0.1)
    _probe_metadata(f"{HOST}:{port}", layout, deadline, security or {})


def local_admin(
    bootstrap: str, client_id: str, deadline: float, options: Mapping[str, Any]
) -> KafkaAdminClient:
    """An admin client of the broker this package runs, bounded by ``deadline``.

    Not tocsin.kafka's client_options: it talks to the broker this package just
    configured, with the broker's own login (``options``), whatever TOCSIN_KAFKA_*
    says. Raises kafka-python's KafkaError when it cannot connect.
    """
    remaining_ms = max(1000, int((deadline - time.monotonic()) * 1000))
    return KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        bootstrap_timeout_ms=remaining_ms,
        request_timeout_ms=min(remaining_ms, 5000),
        **options,
    )


def _probe_metadata(
    bootstrap: str, layout: BrokerLayout, deadline: float, security: Mapping[str, Any]
) -> None:
    """Send real metadata requests until the broker lists itself as an unfenced member."""
    try:
        admin = local_admin(bootstrap, "tocsin-localbroker-probe", deadline, security)
    except KafkaError as exc:
        raise BrokerStartError(
            f"Kafka accepted connections on {bootstrap} but answered no metadata request: {exc}. "
            f"{log_tail(layout)}"
        ) from exc
    try:
        while True:
            try:
                cluster = admin.describe_cluster()
                if any(not broker.get("is_fenced", False) for broker in cluster["brokers"]):
                    return
                reason = "the broker is still fenced"
            except KafkaError as exc:
                reason = str(exc)
            if time.monotonic() >= deadline:
                raise BrokerStartError(
                    f"Kafka on {bootstrap} was not ready in time ({reason}); "
                    f"retry with a longer --timeout. {log_tail(layout)}"
                )
            time.sleep(0.2)
    finally:
        admin.close()


def log_tail(layout: BrokerLayout, lines: int = _TAIL_LINES) -> str:
    """Return the last lines of the broker's console output and server log, for error messages."""
    parts = [f"Logs are in {layout.logs_dir}."]
    for path in (layout.console_log, layout.server_log):
        text = _tail(path, lines)
        if text:
            parts.append(f"--- last lines of {path.name} ---\n{text}")
    return "\n".join(parts)


def _tail(path: Path, lines: int) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            # Enough bytes for the requested lines even with Kafka's long config dumps.
            handle.seek(max(0, size - 256 * lines))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", errors="replace").splitlines()[-lines:])


def wait_port_closed(port: int, timeout: float) -> bool:
    """Wait until nothing accepts connections on the port; return whether that happened."""
    deadline = time.monotonic() + timeout
    while port_accepts(port):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def now_iso() -> str:
    """Return the current UTC time in ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")
