"""A bounded, persistent index of recently accepted articles (SQLite).

It answers "have we already accepted this article?" so a re-post gets
``duplicate: true`` and publishes nothing new. It is an optimisation for one
instance, not the correctness guarantee: event ids are deterministic, so the
aggregator drops repeats even when several ingest instances (each with its own
index, or worker processes sharing one index at the same moment) accept the
same article.

So the index never fails a request. Its directory must be writable at start
(``StateDirError`` otherwise: the service does not start); a later failed read
or write (disk full, I/O error) is logged and the article is treated as
unknown or left unremembered: it is still published, and a re-post is
published again and dropped downstream by event id. ``problem`` says why while
the index is failing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

from tocsin.state_db import describe, open_state_db, rollback_quietly

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    events       BLOB NOT NULL
)
"""
_PRUNE_EVERY = 256  # inserts between two trims to capacity
_BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """What the index remembers of an accepted article."""

    id: str
    content_hash: str
    revision: int
    events: list[tuple[str, str]]  # (event_id, type)


class ArticleIndex:
    """Recently accepted articles, oldest forgotten first once ``capacity`` is exceeded."""

    def __init__(self, path: Path | None, capacity: int) -> None:
        """Open the index at ``path`` (in memory when None); ``StateDirError`` if unusable."""
        # WAL without fsync per commit: a crash may forget the last few entries,
        # which only means a re-post is published again and dropped downstream.
        self._db = (
            sqlite3.connect(":memory:", check_same_thread=False)
            if path is None
            else open_state_db(path, isolation_level="DEFERRED")
        )
        self._path = path
        self._lock = threading.Lock()
        self._capacity = capacity
        self._inserts = 0
        self._problem: str | None = None
        # Worker processes (TOCSIN_INGEST_WORKERS) share one file. WAL lets readers
        # go on while one writes; a writer waits for another's lock this long instead
        # of failing at once with "database is locked". Every write holds it for one
        # short transaction, so the wait is never near this bound in practice.
        self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        with self._lock, self._db:
            self._db.execute(_SCHEMA)

    @property
    def problem(self) -> str | None:
        """Why the last read or write of the index failed; None while it works."""
        return self._problem

    def _failed(self, doing: str, exc: sqlite3.Error) -> None:
        problem = f"cannot {doing} the article index {self._path}: {describe(exc)}"
        if self._problem is None:
            log.error("%s; articles are still published, duplicates are not detected", problem)
        self._problem = problem

    def _worked(self) -> None:
        if self._problem is not None:
            log.warning("the article index works again")
            self._problem = None

    def get(self, article_id: str) -> KnownArticle | None:
        """The remembered article with this id, if any (None when the index cannot be read)."""
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT id, content_hash, revision, events FROM articles WHERE id = ?",
                    (article_id,),
                ).fetchone()
            except sqlite3.Error as exc:
                self._failed("read", exc)
                return None
        if row is None:
            return None
        events = [(str(e), str(t)) for e, t in orjson.loads(row[3])]
        return KnownArticle(row[0], row[1], int(row[2]), events)

    def put(self, known: KnownArticle) -> None:
        """Remember an accepted article (replacing an older revision of it); never raises
        for a failed write, which only leaves the article unremembered."""
        with self._lock:
            try:
                with self._db:  # one transaction, rolled back when any statement fails
                    self._db.execute("DELETE FROM articles WHERE id = ?", (known.id,))
                    self._db.execute(
                        "INSERT INTO articles (id, content_hash, revision, events) "
                        "VALUES (?, ?, ?, ?)",
                        (known.id, known.content_hash, known.revision, orjson.dumps(known.events)),
                    )
                    self._inserts += 1
                    if self._inserts % _PRUNE_EVERY == 0:
                        self._db.execute(
                            "DELETE FROM articles WHERE seq <= (SELECT MAX(seq) FROM articles) - ?",
                            (self._capacity,),
                        )
            except sqlite3.Error as exc:
                rollback_quietly(self._db)
                self._failed("write", exc)
            else:
                self._worked()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
