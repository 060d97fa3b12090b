"""A bounded, persistent index of recently accepted articles (SQLite).

It answers "have we already accepted this article?" so a re-post gets
``duplicate: true`` and publishes nothing new. It is an optimisation for one
instance, not the correctness guarantee: event ids are deterministic, so the
aggregator drops repeats even when several ingest instances (each with its own
index) accept the same article.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

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
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path) if path is not None else ":memory:", check_same_thread=False
        )
        self._lock = threading.Lock()
        self._capacity = capacity
        self._inserts = 0
        with self._lock, self._db:
            # WAL without fsync per commit: a crash may forget the last few entries,
            # which only means a re-post is published again and dropped downstream.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)

    def get(self, article_id: str) -> KnownArticle | None:
        """The remembered article with this id, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, content_hash, revision, events FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        events = [(str(e), str(t)) for e, t in orjson.loads(row[3])]
        return KnownArticle(row[0], row[1], int(row[2]), events)

    def put(self, known: KnownArticle) -> None:
        """Remember an accepted article (replacing an older revision of it)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM articles WHERE id = ?", (known.id,))
            self._db.execute(
                "INSERT INTO articles (id, content_hash, revision, events) VALUES (?, ?, ?, ?)",
                (known.id, known.content_hash, known.revision, orjson.dumps(known.events)),
            )
            self._inserts += 1
            if self._inserts % _PRUNE_EVERY == 0:
                self._db.execute(
                    "DELETE FROM articles WHERE seq <= (SELECT MAX(seq) FROM articles) - ?",
                    (self._capacity,),
                )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
