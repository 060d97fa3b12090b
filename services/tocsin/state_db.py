"""Open the SQLite file a service keeps its local state in, and prove it can be written.

Both services keep state in a directory of their own: the ingest service its
recent-articles index, the aggregator its totals and offsets. A directory that
cannot be created, a read-only file or a full disk must stop a service at start
with one line that names the directory and the cause, not at its first write
and not with a traceback. Opening is not proof: SQLite silently opens a
read-only file read-only, and even ``BEGIN IMMEDIATE`` succeeds on it, so only a
committed write shows that the file, its ``-wal`` and ``-shm`` companions and
the disk all accept writes. The write used is ``PRAGMA user_version`` set to its
own value: it touches no table of the caller's schema.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Literal

from tocsin.errors import StateDirError

# What a SQLite result code means for the person running the service, by code prefix.
_CAUSES: tuple[tuple[str, str], ...] = (
    (
        "SQLITE_READONLY",
        "read-only: this user cannot write the directory, the database file or its -wal/-shm files",
    ),
    (
        "SQLITE_CANTOPEN",
        "cannot create or open the database file: the directory is missing or read-only",
    ),
    ("SQLITE_FULL", "the disk is full"),
    (
        "SQLITE_IOERR",
        "I/O error: the disk is full, a file size limit was reached or the disk is failing",
    ),
    ("SQLITE_NOTADB", "the file is not a SQLite database"),
    ("SQLITE_CORRUPT", "the database file is corrupted"),
    ("SQLITE_BUSY", "the database is locked by another process"),
    ("SQLITE_LOCKED", "the database is locked by another process"),
)


def describe(exc: sqlite3.Error) -> str:
    """One line saying what went wrong, in plain words first, then SQLite's own."""
    code = getattr(exc, "sqlite_errorname", None) or ""
    for prefix, cause in _CAUSES:
        if code.startswith(prefix):
            return f"{cause} (SQLite: {exc})"
    return f"SQLite: {exc}"


def open_state_db(
    path: Path, *, isolation_level: Literal["DEFERRED", "IMMEDIATE"] | None
) -> sqlite3.Connection:
    """Open (creating) ``path`` in WAL mode, shared across threads, after a test write.

    Raises ``StateDirError`` naming ``path.parent`` when the directory cannot be
    created or the file cannot be opened or written.
    """
    directory = path.parent
    if directory.exists() and not directory.is_dir():
        raise StateDirError(directory, "it exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateDirError(directory, f"cannot create it: {exc.strerror or exc}") from exc
    try:
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=isolation_level)
    except sqlite3.Error as exc:
        raise StateDirError(directory, f"cannot open {path.name}: {describe(exc)}") from exc
    try:
        # WAL without an fsync per commit: a killed process loses nothing committed.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        _write_probe(db)
    except sqlite3.Error as exc:
        db.close()
        raise StateDirError(directory, f"cannot write {path.name}: {describe(exc)}") from exc
    return db


def _write_probe(db: sqlite3.Connection) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if db.in_transaction:  # a legacy-mode connection may have begun one implicitly
        db.execute("COMMIT")
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(f"PRAGMA user_version = {version}")
        db.execute("COMMIT")
    except sqlite3.Error:
        rollback_quietly(db)
        raise


def rollback_quietly(db: sqlite3.Connection) -> None:
    """End the open transaction, if any, keeping the error that is already on its way.

    After an I/O error or a full disk SQLite may have rolled the transaction back
    itself; a second ROLLBACK would then raise "no transaction is active" and hide
    the real cause.
    """
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
