"""``Stack``: start the broker and both services in order, watch them, stop them all.

Start: take the data directory (one ``tocsin up`` each), clean up after a killed
earlier run, check the ports, start or reuse the broker, create the topics,
start ingest and aggregator side by side and wait until both are ready.
Stop: SIGTERM both services and wait for them (each stores its state), then stop
the broker only if this run started it: a broker that was already running was
someone else's and stays up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from tocsin.contract import topics
from tocsin.kafka.admin import ensure_topics
from tocsin.localbroker import LocalBroker, read_status
from tocsin.localbroker.artifacts import cached_jars
from tocsin.localbroker.broker import DEFAULT_START_TIMEOUT
from tocsin.localbroker.config import HOST, port_is_free
from tocsin.settings import KafkaSettings
from tocsin.stack.children import Child, spawn, stop_all, terminate_stray
from tocsin.stack.errors import PortBusyError, StackError
from tocsin.stack.layout import StackLayout
from tocsin.stack.offsets import TP, end_offsets
from tocsin.stack.ownership import Ownership, Record, broker_processes, stop_strays
from tocsin.stack.probes import (
    Probe,
    answers_200,
    exited_error,
    serving_partitions,
    wait_applied,
    wait_ready,
)

Note = Callable[[str], None]
Critical = Callable[[], AbstractContextManager[None]]
SERVICE_START_TIMEOUT = 60.0
_BROKER_CHECK_S = 2.0


@dataclass(frozen=True, slots=True)
class StackConfig:
    """What ``tocsin up`` was asked for."""

    layout: StackLayout
    ingest_port: int = 8080
    aggregator_port: int = 8081
    kafka_port: int = 9092
    """0 picks a free port."""
    today: dt.date | None = None
    ingest_workers: int | None = None
    """None: the ingest service reads TOCSIN_INGEST_WORKERS (default 1)."""
    broker_timeout_s: float = DEFAULT_START_TIMEOUT
    service_timeout_s: float = SERVICE_START_TIMEOUT


def _since(started: float) -> str:
    return f"{time.monotonic() - started:.1f} s"


def _stopped(name: str, code: int) -> str:
    # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean stop too.
    return name if code in (0, -signal.SIGTERM) else f"{name} (exit code {code})"


class Stack:
    """The broker, the ingest service and the aggregator of one data directory."""

    def __init__(
        self,
        config: StackConfig,
        *,
        note: Note,
        critical: Critical = contextlib.nullcontext,
    ) -> None:
        """``note`` reports progress; ``critical`` guards steps a signal must not split
        (starting a process and recording it), e.g. by deferring KeyboardInterrupt."""
        self.config = config
        self.layout = config.layout
        self._note = note
        self._critical = critical
        self._ownership = Ownership(self.layout)
        self._children: list[Child] = []
        self.bootstrap: str | None = None
        self.broker_owned = False
        self._acquired = False

    @property
    def ingest_url(self) -> str:
        """Base URL of the ingest service."""
        return f"http://{HOST}:{self.config.ingest_port}"

    @property
    def aggregator_url(self) -> str:
        """Base URL of the aggregator."""
        return f"http://{HOST}:{self.config.aggregator_port}"

    # --- start ---

    def start(self) -> None:
        """Bring everything up; raise ``StackError`` (or a broker error) if anything fails."""
        previous = self._ownership.acquire()
        self._acquired = True
        if previous is not None:
            self._recover(previous)
        self._check_ports()
        self._start_broker()
        self._create_topics()
        self._start_services()

    def _recover(self, previous: Record) -> None:
        stopped = stop_strays(previous, self.layout)
        if stopped:
            self._note("stopped what an earlier `tocsin up` left running: " + ", ".join(stopped))
        if previous.broker_started and read_status(self.layout.kafka_dir).running:
            # That run started the broker and never stopped it: this run finishes the job.
            self._note("taking over the Kafka broker that run started (stopped at the end)")
            self.broker_owned = True
            self._ownership.record.broker_started = True
            self._ownership.save()

    def _check_ports(self) -> None:
        wanted = [("ingest", self.config.ingest_port, "--ingest-port"),
                  ("aggregator", self.config.aggregator_port, "--aggregator-port")]  # fmt: skip
        if self.config.kafka_port and not read_status(self.layout.kafka_dir).running:
            wanted.append(("Kafka", self.config.kafka_port, "--kafka-port"))
        for name, port, flag in wanted:
            if not port_is_free(port):
                raise PortBusyError(
                    f"port {port} for {name} is already in use on {HOST} (is another Tocsin "
                    f"or another program running?); choose another with {flag}"
                    + (", or 0 for a free one" if flag == "--kafka-port" else "")
                )

    def _start_broker(self) -> None:
        status = read_status(self.layout.kafka_dir)
        if status.running and status.state is not None:
            self.bootstrap = status.state.bootstrap
            if not self.broker_owned:
                self._note(
                    f"Kafka is already running at {self.bootstrap} (data in "
                    f"{self.layout.kafka_dir}); using it, and leaving it running afterwards"
                )
            return
        broker = LocalBroker(self.layout.kafka_dir, port=self.config.kafka_port or None)
        if cached_jars() is None:
            self._note("fetching Kafka's jars from Maven Central (first run only; needs Maven)")
        started = time.monotonic()
        self._note(f"starting Kafka (data and logs in {self.layout.kafka_dir}) ...")
        # Recorded before the start, so a run killed mid-start is cleaned up by the next one.
        self.broker_owned = True
        self._ownership.record.broker_started = True
        self._ownership.save()
        self.bootstrap = broker.start(timeout=self.config.broker_timeout_s)
        self._note(f"Kafka ready at {self.bootstrap} ({_since(started)})")

    def _kafka(self) -> KafkaSettings:
        assert self.bootstrap is not None
        return KafkaSettings(bootstrap=self.bootstrap)

    def _create_topics(self) -> None:
        started = time.monotonic()
        created = ensure_topics(self._kafka(), topics.ALL_TOPICS)
        what = f"created {len(created)} topics" if created else "topics exist"
        self._note(f"{what} ({_since(started)})")

    def _start_services(self) -> None:
        assert self.bootstrap is not None
        env = dict(os.environ)
        # Their logs go to files, where INFO is what one wants when something went wrong.
        env.setdefault("TOCSIN_LOG_LEVEL", "INFO")
        common = ["--host", HOST, "--bootstrap", self.bootstrap]
        ingest = ["serve", "ingest", "--port", str(self.config.ingest_port),
                  "--state-dir", str(self.layout.ingest_state), *common]  # fmt: skip
        aggregator = ["serve", "aggregator", "--port", str(self.config.aggregator_port),
                      "--state-dir", str(self.layout.aggregator_state), *common]  # fmt: skip
        if self.config.today is not None:
            aggregator += ["--today", self.config.today.isoformat()]
        if self.config.ingest_workers is not None:
            ingest += ["--workers", str(self.config.ingest_workers)]
        started = time.monotonic()
        self._note(
            f"starting ingest on port {self.config.ingest_port} and aggregator on port "
            f"{self.config.aggregator_port} (logs in {self.layout.logs_dir}) ..."
        )
        probes = []
        for name, args, url, ready in (
            ("ingest", ingest, self.ingest_url + "/readyz", answers_200),
            ("aggregator", aggregator, self.aggregator_url + "/readyz", serving_partitions),
        ):
            with self._critical():
                child = spawn(name, args, self.layout.log_file(name), env)
                self._children.append(child)
                self._ownership.record.services[name] = child.pid
                self._ownership.save()
            probes.append(Probe(child, url, ready))
        wait_ready(
            probes,
            timeout=self.config.service_timeout_s,
            on_ready=lambda p: self._note(
                f"{p.child.name} ready at {p.url.removesuffix('/readyz')} ({_since(started)})"
            ),
        )

    # --- running ---

    def event_end_offsets(self) -> dict[TP, int]:
        """End offsets of the event topics now."""
        return end_offsets(self._kafka(), topics.EVENT_TOPICS.values())

    def wait_applied(self, ends: dict[TP, int], timeout: float = 60.0) -> bool:
        """Wait until the aggregator has applied every event up to ``ends``."""
        return wait_applied(self._child("aggregator"), self.aggregator_url, ends, timeout)

    def _child(self, name: str) -> Child:
        return next(c for c in self._children if c.name == name)

    def watch(self, interval: float = 0.5) -> None:
        """Block while everything runs; raise ``StackError`` when a part stops on its own."""
        last_broker_check = time.monotonic()
        while True:
            for child in self._children:
                code = child.exit_code()
                if code is not None:
                    raise exited_error(child, code, "unexpectedly")
            if time.monotonic() - last_broker_check >= _BROKER_CHECK_S:
                last_broker_check = time.monotonic()
                if not read_status(self.layout.kafka_dir).process_alive:
                    raise StackError(
                        f"Kafka ({self.bootstrap}) stopped; its logs are in "
                        f"{self.layout.kafka_dir / 'logs'}"
                    )
            time.sleep(interval)

    # --- stop ---

    def stop(self) -> None:
        """Stop the services, then the broker if this run started it. Never raises."""
        started = time.monotonic()
        anything = bool(self._children) or self.bootstrap is not None or self.broker_owned
        if self._children:
            try:
                codes = stop_all(self._children)
                self._note("stopped " + ", ".join(_stopped(n, c) for n, c in codes.items()))
            except Exception as exc:  # stopping must go on to the broker
                self._note(f"could not stop every service cleanly: {exc}")
            self._children.clear()
        if self.broker_owned:
            try:
                if LocalBroker(self.layout.kafka_dir).stop():
                    self._note("stopped Kafka")
                for pid in broker_processes(self.layout):
                    terminate_stray(pid)
                    self._note(f"stopped Kafka (pid {pid}), interrupted while starting")
            except Exception as exc:  # report it, and still release the lock
                self._note(f"could not stop Kafka: {exc}")
        elif self.bootstrap is not None:
            self._note(f"left Kafka running at {self.bootstrap}: it was running before")
        if self._acquired:
            self._ownership.release()
            self._acquired = False
        if anything:
            self._note(f"stopped in {_since(started)}")
