"""A real "disk full" for SQLite-backed stores in unit tests, without filling a disk.

``PRAGMA max_page_count`` caps a database at its current size: the next write that
needs one more page fails with SQLITE_FULL, the very error a full disk gives.
"""

from __future__ import annotations

import sqlite3
import threading

_SQLITE_MAX_PAGES = 1073741823  # SQLite's own default cap


def cap_at_current_size(db: sqlite3.Connection) -> None:
    """From now on, a write that needs one more page fails with SQLITE_FULL."""
    pages = int(db.execute("PRAGMA page_count").fetchone()[0])
    db.execute(f"PRAGMA max_page_count = {pages}")


def lift_cap(db: sqlite3.Connection) -> None:
    """Space came back."""
    db.execute(f"PRAGMA max_page_count = {_SQLITE_MAX_PAGES}")


class CappableDb:
    """Mixed into a store that keeps its connection in ``_db`` behind ``_lock``."""

    _db: sqlite3.Connection
    _lock: threading.Lock

    def cap(self) -> None:
        """From now on, a write that needs one more page fails with SQLITE_FULL."""
        with self._lock:
            cap_at_current_size(self._db)

    def uncap(self) -> None:
        """Space came back."""
        with self._lock:
            lift_cap(self._db)
