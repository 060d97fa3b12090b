"""Running the ingest service as several worker processes on one address.

One process tops out near 400 articles/s on two cores (see BENCHMARKS.md): most of
an article's CPU time is Python (HTTP stack, extraction, producer, index), which
one process cannot spread over cores. With ``TOCSIN_INGEST_WORKERS=N`` the process
started becomes a supervisor:

- it checks what would stop every worker alike (API key file, state directory)
  and binds every listening socket itself, before any worker starts, so that
  port 0 and a busy port behave as with one process. The main address gets one
  socket per worker slot, a SO_REUSEPORT group on one port: the kernel spreads
  new connections evenly over the group, where with one shared socket the
  worker that wakes first takes most of a burst of connections. The ops socket,
  when configured, is one, shared by all workers;
- it starts N worker processes (uvicorn's ``Multiprocess`` supervisor, spawn
  start method) that each build the whole service (own producer, own connection
  to the shared index, own event loop) on the sockets they inherit;
- a worker that dies while serving is replaced by a new one on the same socket;
  connections the kernel queued on that socket meanwhile wait (about a second)
  and are then served. A worker that fails before it serves (its application
  cannot be built, its startup fails) would fail again, so the supervisor then
  stops the others and exits with status 1;
- SIGTERM or SIGINT to the supervisor sends SIGTERM to every worker, which stops
  as one process does (finishes in-flight requests, flushes its producer); the
  supervisor waits for them all and exits with status 0.

Metrics use prometheus_client's multiprocess mode: the supervisor empties a
directory under the state directory and points PROMETHEUS_MULTIPROC_DIR at it
before any worker starts, and every worker's /metrics sums all workers' files.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from tocsin import logs
from tocsin.errors import StateDirError
from tocsin.http_common import UVICORN_LOG_OPTIONS
from tocsin.ingest.auth import api_keys_from
from tocsin.ingest.index import ArticleIndex
from tocsin.ingest.listeners import ByLocalPort, ListenError, bind
from tocsin.settings import IngestSettings, KafkaSettings

log = logging.getLogger(__name__)

METRICS_DIR_NAME = "prometheus-multiproc"
"""The directory under the state directory that holds the workers' metric files."""


class WorkersFailedError(SystemExit):
    """A worker failed before serving: the supervisor stopped, with status 1."""

    def __init__(self) -> None:
        super().__init__(1)


class WorkerApp:
    """Builds the ingest application inside a worker process (uvicorn's app factory).

    It is pickled into each spawned worker, so it holds only settings and plain
    values; the parent's logging configuration does not survive the spawn and is
    set up again from ``log_level`` and ``log_format``.
    """

    def __init__(
        self,
        settings: IngestSettings,
        kafka: KafkaSettings,
        *,
        ops_port: int | None,
        log_level: int,
        log_format: logs.LogFormat,
    ) -> None:
        self.settings = settings
        self.kafka = kafka
        self.ops_port = ops_port
        self.log_level = log_level
        self.log_format = log_format

    def __call__(self) -> ASGIApp:
        _configure_worker_logging(self.log_level, self.log_format)
        # Imported here: main imports this module to start the workers.
        from tocsin.ingest.main import build_apps  # noqa: PLC0415

        try:
            apps = build_apps(self.settings, self.kafka, worker=True)
        except Exception:
            # uvicorn would report any other exit as a crash and start the worker again.
            log.critical("worker %d cannot build the ingest service", os.getpid(), exc_info=True)
            raise SystemExit(STARTUP_FAILURE) from None
        if apps.ops is not None and self.ops_port is not None:
            return ByLocalPort(apps.main, apps.ops, self.ops_port)
        return apps.main


class _WorkerFilter(logging.Filter):
    """Adds ``worker`` (the process id) to each record: a field of its own in JSON logs."""

    def __init__(self) -> None:
        super().__init__()
        self.pid = os.getpid()

    def filter(self, record: logging.LogRecord) -> bool:
        record.worker = self.pid
        return True


def _configure_worker_logging(level: int, fmt: logs.LogFormat) -> None:
    # Imported here: it pulls in kafka's logging set-up, needed only in a worker.
    from tocsin.cli.kafka_args import quiet_kafka_logs  # noqa: PLC0415

    handler = logs.make_handler(fmt)
    handler.addFilter(_WorkerFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    quiet_kafka_logs()


def _current_log_format() -> logs.LogFormat:
    """The format of the supervisor's own log lines, for its workers to use too."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, logs.TextFormatter):
            return "text"
        if handler.formatter is not None:
            return "json"
    return "text"


def prepare_metrics_dir(state_dir: Path) -> Path:
    """Create or empty the workers' metrics directory: files of an earlier run would be
    summed into this one's counters."""
    directory = state_dir / METRICS_DIR_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    except OSError as exc:
        raise StateDirError(directory, f"cannot prepare it: {exc.strerror or exc}") from exc
    return directory


def _check_shared_resources(settings: IngestSettings) -> None:
    """Fail once, in the supervisor, on what would stop every worker alike."""
    api_keys_from(settings)  # KeyConfigError: the key file is missing or malformed
    # Creating the index here also means the workers never race to create its schema.
    ArticleIndex(settings.state_dir / "articles.sqlite", settings.index_capacity).close()


class _Supervisor(Multiprocess):
    """uvicorn's worker supervisor, giving each worker slot a listening socket of its own.

    ``own[i]`` is the main socket of slot i: the worker started in that slot, and any
    replacement of it, accepts on that socket (and the ``shared`` ones, the ops
    listener). The kernel spreads new connections evenly over the sockets of a
    SO_REUSEPORT group; with one shared socket, the worker that wakes first takes a
    burst of connections and keeps them as long as they are kept alive.

    uvicorn's own SIGHUP restart and SIGTTIN/SIGTTOU resizing still work: the workers
    they start, and those of slots beyond the first N, accept on every socket.
    """

    def __init__(self, config: uvicorn.Config, own: list[socket.socket],
                 shared: list[socket.socket]) -> None:  # fmt: skip
        super().__init__(config, [*own, *shared])
        self.own = own
        self.shared = shared

    def _start(self, slot: int) -> Process:
        sockets = [self.own[slot], *self.shared] if slot < len(self.own) else self.sockets
        process = Process(self.config, sockets)
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(slot) for slot in range(self.processes_num)]
        pids = ", ".join(str(p.pid) for p in self.processes)
        log.info("started %d ingest worker processes: %s", len(self.processes), pids)

    def keep_subprocess_alive(self) -> None:
        # uvicorn's loop, with the replacement started on the dead worker's socket.
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # dead already, or alive but not answering the ping: hung
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("worker %d failed before serving; stopping the others", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            replacement = self._start(slot)
            log.warning("worker %d died (exit code %s); started worker %d in its place",
                        process.pid, process.exitcode, replacement.pid)  # fmt: skip
            self.processes[slot] = replacement

    def failed_at_start(self) -> bool:
        return any(p.exitcode == STARTUP_FAILURE for p in self.processes)


def serve_workers(
    settings: IngestSettings, kafka: KafkaSettings, *, timeout_graceful_shutdown: int
) -> None:
    """Supervise ``settings.workers`` worker processes until SIGTERM or SIGINT.

    Raises ``KeyConfigError`` or ``ListenError`` before starting any worker, and
    ``WorkersFailedError`` when a worker fails before it serves.
    """
    try:
        _check_shared_resources(settings)
        metrics_dir = prepare_metrics_dir(settings.state_dir)
    except StateDirError as exc:
        log.critical("cannot start: %s", exc)
        raise SystemExit(1) from None
    # Inherited by the spawned workers, whose prometheus_client reads it on import.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    own, shared = _bind_all(settings)
    sockets = [*own, *shared]
    ops_port = shared[0].getsockname()[1] if shared else None
    names = " and ".join(f"{s.getsockname()[0]}:{s.getsockname()[1]}" for s in [own[0], *shared])
    log.info("ingest supervisor %d listening on %s", os.getpid(), names)
    app = WorkerApp(
        # The port bound, so that the workers' messages name it when 0 was asked for.
        settings.model_copy(update={"port": own[0].getsockname()[1]}),
        kafka,
        ops_port=ops_port,
        log_level=logging.getLogger().getEffectiveLevel(),
        log_format=_current_log_format(),
    )
    options: dict[str, Any] = dict(UVICORN_LOG_OPTIONS)
    config = uvicorn.Config(
        app,
        factory=True,
        workers=settings.workers,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        **options,
    )
    supervisor = _Supervisor(config, own, shared)
    try:
        supervisor.run()
    finally:
        for sock in sockets:
            sock.close()
    if supervisor.failed_at_start():
        log.critical("a worker failed before serving; the ingest service stopped")
        raise WorkersFailedError
    log.info("all ingest workers stopped")


def _bind_all(settings: IngestSettings) -> tuple[list[socket.socket], list[socket.socket]]:
    """One main socket per worker (a SO_REUSEPORT group), and the ops socket when
    health and metrics listen apart."""
    # A plain bind first: it fails on a port anything listens on, and resolves port 0.
    # The group alone would join another SO_REUSEPORT group of this user on the port.
    with bind(settings.host, settings.port) as probe:
        port = probe.getsockname()[1]
    own: list[socket.socket] = []
    try:
        for _ in range(settings.workers):
            own.append(_bind_reusable(settings.host, port))
        shared = [] if settings.ops_address is None else [bind(*settings.ops_address)]
    except ListenError:
        for sock in own:
            sock.close()
        raise
    return own, shared


def _bind_reusable(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048, reuse_port=True)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise ListenError(f"cannot listen on {host}:{port}: {reason}") from exc
