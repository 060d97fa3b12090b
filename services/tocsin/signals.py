"""Signalling and watching the processes Tocsin starts (the broker, the services)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def signal_group(pid: int, sig: signal.Signals) -> bool:
    """Signal the process group ``pid`` leads (all it started), else ``pid`` alone.

    Returns False when the process is already gone. PermissionError is left to the
    caller, which knows what the process was.
    """
    try:
        # Children are started as session leaders, so their group holds what they started.
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        return False
    return True


def process_alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie, reaping it if it is our child."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        reaped = 0
    if reaped == pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state letter follows the parenthesised command name, which may contain spaces.
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``pid`` to exit; True when it did."""
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True
