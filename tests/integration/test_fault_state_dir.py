"""Unusable state directories: read-only or full, at start and while running.

- At start, each service refuses an unwritable state directory: exit status 1
  and one log line naming the directory and the cause, before any port is bound.
- While running, a full disk (a file size limit on the aggregator's process:
  writes past it fail with EFBIG, which SQLite reports as an I/O error) stops
  every offset, on disk and in Kafka, and ``/readyz`` says why; once the limit is
  lifted the aggregator stores the held batch by itself, and after a restart its
  totals still equal a recomputation over the events.
- A directory made read-only under a running aggregator does not stop it (SQLite
  writes through files it already holds open); the next start refuses it clearly,
  and once it is writable again nothing was lost.

Permissions mean nothing to root, and these tests often run as root in
containers; the services are then started without the capabilities that
bypass file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so they meet
the permissions an ordinary user would.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import resource
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient

from tests.aggregator.factory import T0, casualty, statement
from tests.integration.aggregator_support import (
    EVENT_TOPICS,
    expected_answers,
    produce,
    settled_answers,
    stored_offsets,
    wait_applied,
)
from tests.integration.aggregator_support import end_offsets as topic_end_offsets
from tests.integration.processes import free_port, stop
from tocsin.aggregator.rules import Totals
from tocsin.aggregator.store import StateStore
from tocsin.contract.events import Event

TODAY = dt.date(2024, 5, 10)
START_TIMEOUT_S = 60.0
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _without_permission_override() -> None:
    """In the child before exec: lose the capabilities that let root ignore permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.fixture(scope="module")
def permissions_apply() -> None:
    """Skip (saying why) only when running as root without a way to drop the override."""
    if os.geteuid() != 0:
        return
    probe = subprocess.run(
        [sys.executable, "-c", "pass"],
        preexec_fn=_without_permission_override,  # no threads act on it
        check=False,
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("running as root without CAP_SETPCAP: file permissions cannot be enforced")


# --- at start: no broker needed, the services must stop before reaching it ------------


@dataclass(frozen=True)
class StartCase:
    """One unusable state directory, prepared by ``make`` under a temporary path."""

    service: str
    make: Callable[[Path], Path]
    cause: str
    file_size_limit: int | None = None


def _readonly_dir(root: Path) -> Path:
    state = root / "state"
    state.mkdir()
    state.chmod(0o500)
    return state


def _missing_under_readonly_parent(root: Path) -> Path:
    root.joinpath("parent").mkdir()
    root.joinpath("parent").chmod(0o500)
    return root / "parent" / "state"


def _readonly_database(root: Path) -> Path:
    state = root / "state"
    StateStore(state / "state.sqlite", statements_kept=20, seen_capacity=100).close()
    (state / "state.sqlite").chmod(0o400)
    return state


START_CASES = {
    "aggregator-readonly-dir": StartCase("aggregator", _readonly_dir, "read-only"),
    "aggregator-readonly-database": StartCase("aggregator", _readonly_database, "read-only"),
    "aggregator-full-disk": StartCase("aggregator", lambda r: r / "state", "I/O error", 0),
    "ingest-uncreatable-dir": StartCase(
        "ingest", _missing_under_readonly_parent, "cannot create it: Permission denied"
    ),
    "ingest-readonly-dir": StartCase("ingest", _readonly_dir, "read-only"),
}


@pytest.mark.usefixtures("permissions_apply")
@pytest.mark.parametrize("case", START_CASES.values(), ids=START_CASES.keys())
def test_an_unusable_state_dir_stops_the_service_at_start(case: StartCase, tmp_path: Path) -> None:
    """Exit status 1 and one line naming the directory and the cause; no traceback, and no
    port bound (the broker address is never even tried)."""
    state = case.make(tmp_path)
    port = free_port()
    limit = case.file_size_limit

    def prepare() -> None:
        _without_permission_override()
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "tocsin", "serve", case.service, "--port", str(port),
             "--bootstrap", "127.0.0.1:1", "--state-dir", str(state)],
            preexec_fn=prepare,  # the test starts no threads meanwhile
            capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False,
            env=os.environ | {"TOCSIN_LOG_LEVEL": "INFO"},
        )  # fmt: skip
    finally:
        for path in (tmp_path, *tmp_path.rglob("*")):
            if path.is_dir():
                path.chmod(0o700)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert "Uvicorn running" not in output
    errors = [line for line in output.splitlines() if "cannot start" in line]
    assert len(errors) == 1, output
    assert f"state directory {state}" in errors[0]
    assert case.cause in errors[0]


# --- while running: the aggregator against the session's broker ----------------------


@dataclass
class Aggregator:
    """A running aggregator whose output is collected through a pipe (not a file, which a
    file size limit on the process would also cut)."""

    url: str
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        """Everything it logged so far."""
        return "".join(self.lines)


@contextmanager
def _aggregator(
    bootstrap: str,
    state: Path,
    *,
    prefix: str,
    group: str,
    file_size_limit: int | None = None,
    enforce_permissions: bool = False,
) -> Iterator[Aggregator]:
    port = free_port()

    def prepare() -> None:
        if enforce_permissions:
            _without_permission_override()
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, resource.RLIM_INFINITY))

    proc = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "serve", "aggregator", "--port", str(port),
         "--bootstrap", bootstrap, "--state-dir", str(state), "--group", group,
         "--topic-prefix", prefix, "--today", TODAY.isoformat()],
        preexec_fn=prepare,  # noqa: PLW1509  # the reader thread starts after the fork
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=os.environ | {"TOCSIN_LOG_LEVEL": "INFO"},
    )  # fmt: skip
    agg = Aggregator(f"http://127.0.0.1:{port}", proc)
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: agg.lines.extend(proc.stdout or ()), daemon=True)
    reader.start()
    try:
        _wait_for(
            "the aggregator to answer /healthz",
            lambda: _answers(agg, "/healthz") == 200,
            START_TIMEOUT_S,
            agg,
        )
        yield agg
    finally:
        stop(proc)
        reader.join(10)
        proc.stdout.close()


def _answers(agg: Aggregator, path: str) -> int | None:
    if agg.proc.poll() is not None:
        raise AssertionError(f"aggregator exited with {agg.proc.returncode}:\n{agg.output()}")
    try:
        return httpx.get(agg.url + path, timeout=5).status_code
    except httpx.HTTPError:
        return None


def _wait_for(what: str, condition: Callable[[], bool], timeout: float, agg: Aggregator) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s\n{agg.output()[-3000:]}")
        time.sleep(0.1)


def _events(token: str, countries: list[str]) -> list[Event]:
    """Casualties and long statements: enough bytes that the store soon outgrows a limit."""
    events: list[Event] = []
    for i in range(1500):
        country = countries[i % len(countries)]
        published = T0 + dt.timedelta(minutes=i)
        events.append(
            statement(country, "Minister", f"{i} " + "words " * 60, article=f"{token}-{i}",
                      published=published)
        )  # fmt: skip
        if i % 3 == 0:
            events.append(
                casualty(country, "killed", "civilians", i, article=f"{token}-{i}",
                         published=published)
            )  # fmt: skip
    return events


def _expected(events: list[Event]) -> dict[str, Any]:
    totals = Totals(20)
    for event in events:
        totals.apply(event)
    return expected_answers(totals, TODAY)


def _committed(bootstrap: str, group: str) -> dict[tuple[str, int], int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        found = admin.list_group_offsets(group)[group]
    finally:
        admin.close()
    return {(tp.topic, tp.partition): int(meta.offset) for tp, meta in found.items()}


def _integrity(state: Path) -> str:
    db = sqlite3.connect(state / "state.sqlite")
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def _readiness(agg: Aggregator) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(agg.url + "/readyz", timeout=5).json()
    return body


@pytest.mark.kafka
def test_a_full_disk_holds_every_offset_and_the_aggregator_heals_by_itself(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Past a file size limit: not ready with the reason, nothing stored or committed moves;
    limit lifted: the held batches are stored and the totals are the recomputed ones, also
    after a restart."""
    token = uuid.uuid4().hex[:8]
    prefix = f"fault-full-{token}."
    group = f"fault-full-{token}"
    countries = ["QA", "QB", "QC", "QD"]
    events = _events(token, countries)
    produce(kafka_bootstrap, events, prefix=prefix)
    names = [prefix + t for t in EVENT_TOPICS]
    ends = topic_end_offsets(kafka_bootstrap, names)
    state = tmp_path / "agg"
    want = _expected(events)

    with _aggregator(
        kafka_bootstrap, state, prefix=prefix, group=group, file_size_limit=192 * 1024
    ) as agg:
        _wait_for(
            "the store to fail",
            lambda: _readiness(agg)["status"] == "state store failing",
            60,
            agg,
        )
        failing = _readiness(agg)
        assert "I/O error" in failing["error"], failing
        held = stored_offsets(state)
        # More attempts, with the back-off between them: still nothing moves.
        _wait_for(
            "repeated attempts",
            lambda: "still failing (3 attempts)" in agg.output(),
            60,
            agg,
        )
        assert stored_offsets(state) == held
        assert sum(held.values()) < sum(ends.values()), "the limit was reached too late"
        committed = _committed(kafka_bootstrap, group)
        assert all(committed[tp] <= held.get(tp, 0) for tp in committed), (committed, held)
        assert _readiness(agg)["status"] == "state store failing"

        resource.prlimit(
            agg.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        )
        wait_applied([agg.url], ends, timeout=60)
        assert settled_answers([agg.url], countries, want) == want
        assert _readiness(agg)["ready"] is True
        # For the record (pytest -rP): what the operator sees in the log.
        print(*(line for line in agg.lines if "store" in line), sep="")
    assert agg.proc.returncode == 0, agg.output()[-3000:]
    assert stored_offsets(state) == {tp: end for tp, end in ends.items() if end}
    assert _integrity(state) == "ok"

    with _aggregator(kafka_bootstrap, state, prefix=prefix, group=group) as again:
        wait_applied([again.url], ends, timeout=60)
        assert settled_answers([again.url], countries, want) == want


@pytest.mark.kafka
@pytest.mark.usefixtures("permissions_apply")
def test_a_state_dir_made_read_only_is_refused_at_the_next_start_and_nothing_is_lost(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Made read-only under a running aggregator: it carries on (its files are open), the
    next start fails with one clear line, and once writable again the totals are intact."""
    token = uuid.uuid4().hex[:8]
    prefix = f"fault-ro-{token}."
    group = f"fault-ro-{token}"
    countries = ["QE", "QF"]
    first, second = _events(token, countries)[:300], _events(f"{token}b", countries)[:300]
    produce(kafka_bootstrap, first, prefix=prefix)
    names = [prefix + t for t in EVENT_TOPICS]
    state = tmp_path / "agg"

    try:
        with _aggregator(
            kafka_bootstrap, state, prefix=prefix, group=group, enforce_permissions=True
        ) as agg:
            wait_applied([agg.url], topic_end_offsets(kafka_bootstrap, names), timeout=60)
            for path in (*state.iterdir(), state):
                path.chmod(0o400 if path.is_file() else 0o500)
            produce(kafka_bootstrap, second, prefix=prefix)
            ends = topic_end_offsets(kafka_bootstrap, names)
            wait_applied([agg.url], ends, timeout=60)
            assert _readiness(agg)["ready"] is True

        refused = subprocess.run(
            [sys.executable, "-m", "tocsin", "serve", "aggregator", "--port", str(free_port()),
             "--bootstrap", kafka_bootstrap, "--state-dir", str(state), "--group", group,
             "--topic-prefix", prefix],
            preexec_fn=_without_permission_override,  # no threads act on it
            capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False,
        )  # fmt: skip
    finally:
        state.chmod(0o700)
        for path in state.iterdir():
            path.chmod(0o600)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if "cannot start" in line]
    assert len(lines) == 1, output
    assert f"state directory {state}" in lines[0]
    assert "read-only" in lines[0]

    with _aggregator(kafka_bootstrap, state, prefix=prefix, group=group) as agg:
        wait_applied([agg.url], ends, timeout=60)
        want = _expected([*first, *second])
        assert settled_answers([agg.url], countries, want) == want
    assert _integrity(state) == "ok"
