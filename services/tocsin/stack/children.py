"""Service processes of the stack: started, watched and stopped as children of ``tocsin up``.

Each child runs ``python -m tocsin serve ...`` in a session of its own, so a
Ctrl-C at the terminal reaches only ``tocsin up``, which then stops the children
in order: each gets SIGTERM and time to store its state, and SIGKILL only if it
outlives that time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tocsin.signals import signal_group, wait_gone

TAIL_LINES = 25
DEFAULT_STOP_TIMEOUT = 30.0
_KILL_WAIT = 10.0
_MARKER = "--- tocsin up: starting "


@dataclass(frozen=True, slots=True)
class Child:
    """One running service: its name, process and log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def exit_code(self) -> int | None:
        """The exit code once the process has exited, else None (reaps it)."""
        return self.proc.poll()

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last lines of the log written by this run, for error messages."""
        text = tail(self.log, lines)
        # The log is appended to across runs: what came before this start only misleads.
        _, marker, rest = text.rpartition(_MARKER)
        return marker + rest if marker else text


def spawn(name: str, args: Sequence[str], log: Path, env: Mapping[str, str]) -> Child:
    """Start ``python -m tocsin ARGS`` in its own session, output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    argv = [sys.executable, "-m", "tocsin", *args]
    with log.open("ab") as out:
        out.write(f"{_MARKER}{name} at {stamp}: {' '.join(argv)}\n".encode())
        out.flush()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,
        )
    return Child(name, proc, log)


def stop_all(children: Sequence[Child], timeout: float = DEFAULT_STOP_TIMEOUT) -> dict[str, int]:
    """SIGTERM every child at once, wait for all, SIGKILL stragglers; return exit codes."""
    for child in children:
        if child.exit_code() is None:
            signal_group(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    codes: dict[str, int] = {}
    for child in children:
        try:
            codes[child.name] = child.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            signal_group(child.pid, signal.SIGKILL)
            codes[child.name] = child.proc.wait(_KILL_WAIT)
    return codes


def terminate_stray(pid: int, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
    """Stop a process that is not our child (left by a killed ``tocsin up``)."""
    signal_group(pid, signal.SIGTERM)
    if not wait_gone(pid, timeout):
        signal_group(pid, signal.SIGKILL)
        wait_gone(pid, _KILL_WAIT)


def command_line(pid: int) -> list[str]:
    """The arguments of a live process (empty when gone or unreadable)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a text file ('' when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 200 * lines))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", errors="replace").splitlines()[-lines:])
