"""Signalling the services and the broker that Tocsin starts as child processes."""

from __future__ import annotations

import os
import signal


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
