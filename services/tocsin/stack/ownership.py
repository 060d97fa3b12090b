"""One ``tocsin up`` per data directory, and what it started, written down.

The running ``tocsin up`` holds an exclusive lock on ``up.lock`` and records the
processes it started in ``up.json``. The lock dies with the process however it
ends, so finding ``up.json`` while the lock is free means the last run was
killed before it could clean up: its services are stopped, and a broker it had
started is taken over (stopped at the end of this run), instead of failing on
busy ports or leaving strangers running.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from tocsin.localbroker.artifacts import KAFKA_MAIN
from tocsin.localbroker.config import BrokerLayout, write_text_atomic
from tocsin.stack.children import command_line, terminate_stray
from tocsin.stack.errors import StackInUseError
from tocsin.stack.layout import StackLayout


@dataclass
class Record:
    """What one ``tocsin up`` started: its own pid, its services' pids, and the broker?"""

    pid: int
    services: dict[str, int] = field(default_factory=dict)
    broker_started: bool = False

    def to_json(self) -> str:
        """Pretty JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Record:
        """Parse ``to_json``'s output (raises ValueError, KeyError or TypeError)."""
        raw = json.loads(text)
        services = {str(k): int(v) for k, v in dict(raw.get("services", {})).items()}
        return cls(int(raw["pid"]), services, bool(raw.get("broker_started", False)))


class Ownership:
    """The lock and the record of the ``tocsin up`` that owns a data directory."""

    def __init__(self, layout: StackLayout) -> None:
        self._layout = layout
        self._lock: IO[str] | None = None
        self.record = Record(os.getpid())

    def acquire(self) -> Record | None:
        """Take the data directory; return the record a killed earlier run left, if any."""
        self._layout.data_dir.mkdir(parents=True, exist_ok=True)
        lock = self._layout.lock_file.open("a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise StackInUseError(
                f"another `tocsin up` (pid {holder}) is running on {self._layout.data_dir}; "
                "stop it first, or give this one another --data-dir"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        self._lock = lock
        return self._previous()

    def _previous(self) -> Record | None:
        try:
            return Record.from_json(self._layout.record_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            # Unreadable: nothing trustworthy to clean up; this run rewrites it.
            return None

    def save(self) -> None:
        """Write the current record, so a later run can find what this one started."""
        write_text_atomic(self._layout.record_file, self.record.to_json())

    def release(self) -> None:
        """Forget the record and give up the lock (everything recorded was stopped)."""
        self._layout.record_file.unlink(missing_ok=True)
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None


def broker_processes(layout: StackLayout) -> list[int]:
    """Pids of Kafka JVMs running on this stack's broker config, recorded or not.

    A signal can land between the broker's spawn and the write of its pid file, and
    then ``LocalBroker.stop`` finds nothing to stop; this finds it anyway.
    """
    wanted = str(BrokerLayout(layout.kafka_dir).properties_file)
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        args = command_line(int(entry.name))
        if KAFKA_MAIN in args and wanted in args:
            pids.append(int(entry.name))
    return pids


def stop_strays(previous: Record, layout: StackLayout) -> list[str]:
    """Stop the services a killed run left behind; return 'name (pid N)' for each stopped.

    A pid is signalled only while its command line is still a ``tocsin serve`` with
    this data directory in it, so a pid reused by an unrelated process is left alone.
    """
    stopped = []
    for name, pid in sorted(previous.services.items()):
        args = command_line(pid)
        if "serve" in args and any(str(layout.data_dir) in arg for arg in args):
            terminate_stray(pid)
            stopped.append(f"{name} (pid {pid})")
    return stopped
