"""The aggregator's durable state in an embedded SQLite database.

One transaction writes, for every partition a batch touched, the changed
figures, the moves of its recent-ids window *and* its resume offset, so after
any crash the database holds the totals of exactly the records before the
stored offsets. That pairing is what makes each event count once: the consumer
seeks to these offsets, never to the offsets committed in Kafka.

Durability: WAL with ``synchronous=NORMAL``. A killed process loses nothing
committed; a power cut may lose the last transactions, but state and offsets
are lost together, and the records are simply applied again.

Failures: opening proves the file writable (``tocsin.state_db``), so a
read-only or full state directory stops the service at start with a
``StateDirError``. A later failed write (disk full, I/O error) rolls the whole
transaction back and raises ``StoreError``: the database keeps the previous
batch's figures and offsets, consistent with each other, and the consumer
reloads its in-memory states from it.

Rows remember their source (topic, partition), so a partition's state can be
loaded alone when this instance is assigned it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from tocsin.aggregator.rules import (
    CurfewRecord,
    EntryKey,
    ReportOrder,
    Statement,
    StatementLog,
    Totals,
)
from tocsin.aggregator.state import Changes, PartitionState, TopicPartition
from tocsin.errors import TocsinError
from tocsin.state_db import describe, open_state_db, rollback_quietly

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offsets (
    topic         TEXT NOT NULL,
    partition     INTEGER NOT NULL,
    next_offset   INTEGER NOT NULL,
    last_event_ts REAL,
    PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (
    topic     TEXT NOT NULL,
    partition INTEGER NOT NULL,
    family    TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     BLOB NOT NULL,
    PRIMARY KEY (topic, partition, family, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen (
    topic     TEXT NOT NULL,
    partition INTEGER NOT NULL,
    event_id  TEXT NOT NULL,
    offset    INTEGER NOT NULL,
    PRIMARY KEY (topic, partition, event_id)
) WITHOUT ROWID;
"""


class StoreError(TocsinError):
    """The state database could not be read or written."""


class StateStore:
    """Load and save partition states and their offsets; thread-safe."""

    def __init__(self, path: Path, *, statements_kept: int, seen_capacity: int) -> None:
        """Open (creating) the database at ``path``.

        Raises ``StateDirError`` when its directory cannot be created or written,
        ``StoreError`` when it holds another schema or cannot be read.
        """
        self.path = path
        self._statements_kept = statements_kept
        self._seen_capacity = seen_capacity
        self._lock = threading.Lock()
        # Written by the consumer thread only; the lock keeps any other reader safe.
        self._db = open_state_db(path, isolation_level=None)
        try:
            with self._transaction():
                _create(self._db)
                self._check_version()
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"cannot open the state database {path}: {describe(exc)}") from exc
        except StoreError:
            self._db.close()
            raise

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                f"state database has schema {row[0]}, this version reads {SCHEMA_VERSION}; "
                "delete it to rebuild from the topics"
            )

    def offsets(self, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        """Stored resume offsets of those of ``tps`` that have one."""
        found: dict[TopicPartition, int] = {}
        with self._lock:
            try:
                for topic, partition in tps:
                    row = self._db.execute(
                        "SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?",
                        (topic, partition),
                    ).fetchone()
                    if row is not None:
                        found[(topic, partition)] = int(row[0])
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read offsets from {self.path}: {describe(exc)}") from exc
        return found

    def load(self, tp: TopicPartition) -> PartitionState:
        """The stored state of one partition (an empty one when none is stored)."""
        topic, partition = tp
        with self._lock:
            try:
                head = self._db.execute(
                    "SELECT next_offset, last_event_ts FROM offsets "
                    "WHERE topic = ? AND partition = ?",
                    (topic, partition),
                ).fetchone()
                rows = self._db.execute(
                    "SELECT family, key, value FROM entries WHERE topic = ? AND partition = ?",
                    (topic, partition),
                ).fetchall()
                seen = self._db.execute(
                    "SELECT event_id, offset FROM seen WHERE topic = ? AND partition = ? "
                    "ORDER BY offset",
                    (topic, partition),
                ).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot load {topic}[{partition}] from {self.path}: {describe(exc)}"
                ) from exc
        totals = Totals(self._statements_kept)
        for family, key, value in rows:
            _restore(totals, family, orjson.loads(key), orjson.loads(value))
        return PartitionState(
            tp,
            statements_kept=self._statements_kept,
            seen_capacity=self._seen_capacity,
            next_offset=None if head is None else int(head[0]),
            last_event_ts=None if head is None else head[1],
            totals=totals,
            seen=[(str(i), int(o)) for i, o in seen],
        )

    def save(self, batch: Sequence[Changes]) -> None:
        """Write every partition's changes and offsets in one transaction (all or nothing)."""
        if not batch:
            return
        with self._lock:
            try:
                with self._transaction():
                    for changes in batch:
                        self._write(changes)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot save state to {self.path}: {describe(exc)}") from exc

    def _write(self, changes: Changes) -> None:
        topic, partition = changes.tp
        self._db.execute(
            "INSERT INTO offsets (topic, partition, next_offset, last_event_ts) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (topic, partition) DO UPDATE SET "
            "next_offset = excluded.next_offset, last_event_ts = excluded.last_event_ts",
            (topic, partition, changes.next_offset, changes.last_event_ts),
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO entries (topic, partition, family, key, value) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (topic, partition, key[0], _dumps(key[1]), _dumps(_encode(key, value)))
                for key, value in changes.entries
            ],
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO seen (topic, partition, event_id, offset) VALUES (?, ?, ?, ?)",
            [(topic, partition, event_id, offset) for event_id, offset in changes.seen_added],
        )
        self._db.executemany(
            "DELETE FROM seen WHERE topic = ? AND partition = ? AND event_id = ?",
            [(topic, partition, event_id) for event_id in changes.seen_removed],
        )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


def _create(db: sqlite3.Connection) -> None:
    # executescript() would COMMIT the open transaction; run the statements one by one.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (keeping that exception)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:
                # A COMMIT that fails on a full disk may leave the transaction open.
                rollback_quietly(self._db)
                raise
        else:
            rollback_quietly(self._db)


# --- Row format: JSON keys and values, one codec per family ------------------------------


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def _order(order: ReportOrder | None) -> list[str] | None:
    return None if order is None else [order[0].isoformat(), order[1]]


def _unorder(raw: list[str] | None) -> ReportOrder | None:
    return None if raw is None else (dt.datetime.fromisoformat(raw[0]), raw[1])


def _date(raw: str | None) -> dt.date | None:
    return None if raw is None else dt.date.fromisoformat(raw)


def _encode(key: EntryKey, value: object) -> Any:
    if isinstance(value, CurfewRecord):
        return {
            "starts_on": value.starts_on,
            "ends_on": value.ends_on,
            "ends_reported": _order(value.ends_reported),
            "last_reported": _order(value.last_reported),
        }
    if isinstance(value, StatementLog):
        return {
            "count": value.count,
            "recent": [
                [s.event_id, s.speaker, s.quote, s.article_id, s.published_at.isoformat()]
                for s in value.recent
            ],
        }
    if value is None or isinstance(value, int):
        return value
    raise TypeError(f"cannot store {key[0]} value {value!r}")


def _restore(totals: Totals, family: str, key: Any, value: Any) -> None:
    if family == "casualty":
        country, outcome, group = key
        totals.casualties[(country, outcome, group)] = int(value)
    elif family == "deployment":
        country, force = key
        totals.deployments[(country, force)] = None if value is None else int(value)
    elif family == "curfew":
        country, kind, location = key
        last = _unorder(value["last_reported"])
        if last is None:
            raise StoreError(f"curfew {key} has no report time")
        totals.curfews[(country, kind, location)] = CurfewRecord(
            starts_on=_date(value["starts_on"]),
            ends_on=_date(value["ends_on"]),
            ends_reported=_unorder(value["ends_reported"]),
            last_reported=last,
        )
    elif family == "statement":
        totals.statements[str(key)] = StatementLog(
            count=int(value["count"]),
            recent=tuple(
                Statement(e, s, q, a, dt.datetime.fromisoformat(p))
                for e, s, q, a, p in value["recent"]
            ),
        )
    else:
        raise StoreError(f"unknown figure family {family!r} in the state database")
