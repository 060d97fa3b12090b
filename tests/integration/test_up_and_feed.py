"""``tocsin up`` and ``tocsin feed`` as a user runs them: real processes, a real broker.

``tocsin up`` starts its own broker (on a free port, in a temporary data dir) and
both services; the test reads what it prints, feeds it a folder of articles,
then stops it with SIGTERM and looks for anything left running.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import httpx
import orjson
import pytest

from tests.conftest import REPO
from tests.integration.aggregator_support import metric
from tests.integration.processes import free_port
from tocsin.aggregator.rules import Totals, casualty_totals
from tocsin.cli.feed_files import discover, read_sources
from tocsin.contract.article import ArticleIn
from tocsin.extraction.pipeline import extract
from tocsin.localbroker import read_status
from tocsin.localbroker.config import port_accepts

SAMPLE = REPO / "examples" / "sample-article.json"
TODAY = "2024-10-16"
BANNER_END = "Press Ctrl-C to stop."
START_TIMEOUT = 120.0  # the broker alone takes ~5-15 s on the 2-core machine
STOP_TIMEOUT = 60.0

GOOD = {
    "id": "it-up-bo",
    "published_at": "2024-05-06T10:00:00Z",
    "body": "Nine miners were killed in Potosi, Bolivia, on Monday, officials said.",
}
NDJSON_LINES = [
    orjson.dumps(
        {
            "id": "it-up-ke",
            "published_at": "2024-05-07T10:00:00Z",
            "body": "Police arrested 40 protesters in Nairobi, Kenya, on Tuesday, "
            "and 12 people were injured.",
        }
    ),
    b'{"id": "it-up-broken", "body": ',
    orjson.dumps(
        {
            "id": "it-up-ml",
            "published_at": "2024-05-08T10:00:00Z",
            "body": "Five soldiers were killed in an attack near Gao, Mali, on Monday, "
            "the army said.",
        }
    ),
]
TEXT = (
    "Clashes in Goma\n\nAt least 7 civilians were killed and 30 injured in Goma, in the "
    "Democratic Republic of Congo, local officials said on Wednesday.\n"
)


class Up:
    """A running ``tocsin up``: its process, and its stdout lines as they arrive."""

    def __init__(self, args: Sequence[str], stderr: IO[bytes]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "up", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    def stop(self, timeout: float) -> int:
        """SIGTERM, wait for the exit code, and close the output pipe."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self._reader.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code

    def banner(self, timeout: float) -> list[str]:
        """Every stdout line up to the end of the banner (fails if ``up`` exits first)."""
        deadline = time.monotonic() + timeout
        got: list[str] = []
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, f"tocsin up ended early (code {self.proc.wait()})"
            got.append(line)
            if line == BANNER_END:
                return got


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes (other than this one) whose arguments mention ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if text in args and state != "Z":
            found.append(f"{entry.name}: {args[:200]}")
    return found


def _kill_leftovers(data_dir: Path) -> None:
    """Last-resort cleanup after a failure: stop whatever still runs on the test's data dir."""
    for line in _processes_mentioning(str(data_dir)):
        pid = int(line.split(":", 1)[0])
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def up_data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data dir for ``tocsin up``; anything still running on it afterwards is killed."""
    data_dir = tmp_path / "stack"
    try:
        yield data_dir
    finally:
        _kill_leftovers(data_dir)


def _expected_totals(articles: Sequence[ArticleIn]) -> dict[tuple[str, str], dict[str, int]]:
    """The casualty totals the aggregator's rules give for these articles' extracted events."""
    now = dt.datetime.now(dt.UTC)
    totals = Totals(20)
    for article in articles:
        for event in extract(article.resolve(received_at=now), extracted_at=now):
            totals.apply(event)
    return {
        (r.country, r.outcome): dict(r.groups) | {"all": r.all}
        for r in casualty_totals(totals.casualties)
    }


def _totals(url: str) -> dict[tuple[str, str], dict[str, int]]:
    rows = httpx.get(url + "/v1/totals", timeout=10).raise_for_status().json()["totals"]
    return {(r["country"], r["outcome"]): r["groups"] | {"all": r["all"]} for r in rows}


def _settled_totals(url: str, expected: dict[Any, Any], timeout: float = 30) -> dict[Any, Any]:
    deadline = time.monotonic() + timeout
    while True:
        got = _totals(url)
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def _feed(folder: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", "feed", str(folder), "--url", url, *extra],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _count(summary: str, label: str) -> int:
    for line in summary.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == label:
            return int(words[1])
    raise AssertionError(f"no {label!r} line in:\n{summary}")


def _write_inputs(folder: Path) -> None:
    (folder / "nested").mkdir(parents=True)
    (folder / "good.json").write_bytes(orjson.dumps(GOOD))
    (folder / "mixed.ndjson").write_bytes(b"\n".join(NDJSON_LINES) + b"\n")
    (folder / "nested" / "goma.txt").write_text(TEXT, encoding="utf-8")
    (folder / "notes.md").write_text("not an article: skipped by the folder search")


@pytest.mark.kafka
@pytest.mark.slow
def test_up_feed_then_sigterm_leaves_nothing_running(up_data_dir: Path, tmp_path: Path) -> None:
    """Up shows the sample's totals, feed adds a folder (1 bad line: exit 1), SIGTERM stops all.

    Ingest runs as two worker processes (``--workers 2``), which must stop too.
    """
    ingest_port, aggregator_port = free_port(), free_port()
    ingest, aggregator = f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{aggregator_port}"
    args = ["--data-dir", str(up_data_dir), "--kafka-port", "0",
            "--ingest-port", str(ingest_port), "--aggregator-port", str(aggregator_port),
            "--sample", str(SAMPLE), "--today", TODAY,
            "--workers", "2"]  # fmt: skip
    stderr_path = tmp_path / "up.stderr"
    with stderr_path.open("wb") as stderr:
        up = Up(args, stderr)
        try:
            banner = up.banner(START_TIMEOUT)
        except BaseException:
            up.stop(STOP_TIMEOUT)
            print(stderr_path.read_text(errors="replace"))
            raise
        try:
            text = "\n".join(banner)
            for url in (f"{ingest}/docs", f"{ingest}/metrics", f"{aggregator}/metrics",
                        f"{aggregator}/v1/totals"):  # fmt: skip
                assert url in text
            assert any(line.split() == ["dashboard", f"{aggregator}/"] for line in banner)
            bootstrap = next(line.split()[-1] for line in banner if "Kafka bootstrap" in line)
            ingest_log = (up_data_dir / "logs" / "ingest.log").read_text(errors="replace")
            assert "started 2 ingest worker processes" in ingest_log

            # The sample's figures are there as soon as the URLs are printed.
            sample = [s.article for s in read_sources(SAMPLE.read_bytes(), str(SAMPLE))]
            expected = _expected_totals([a for a in sample if a is not None])
            assert expected, "the sample should yield casualty figures"
            assert _totals(aggregator) == expected
            for (country, outcome), groups in expected.items():
                row = re.compile(rf"^  ({country}|  ) +{outcome} +{groups['all']:,} ")
                assert any(row.match(line) for line in banner), f"no {country} {outcome}:\n{text}"
            assert any(line.startswith(f"Active curfews on {TODAY}: KG") for line in banner)

            # Feed a folder: four good articles in three files, one broken NDJSON line.
            folder = tmp_path / "articles"
            _write_inputs(folder)
            fed = _feed(folder, ingest, "--concurrency", "2")
            assert fed.returncode == 1, fed.stderr
            assert (_count(fed.stdout, "accepted"), _count(fed.stdout, "duplicates")) == (4, 0)
            assert (_count(fed.stdout, "rejected"), _count(fed.stdout, "unavailable")) == (1, 0)
            assert f"{folder / 'mixed.ndjson'}:line 2" in fed.stdout
            assert "notes.md" not in fed.stdout
            assert metric(ingest, "tocsin_ingest_articles_total", outcome="accepted") == 5

            # The good ones are counted by the aggregator, by the same rules.
            fed_articles = [
                s.article
                for path in discover([str(folder)])[0]
                for s in read_sources(Path(path).read_bytes(), path)
            ]
            everything = [a for a in [*sample, *fed_articles] if a is not None]
            assert len(everything) == len(sample) + 4
            expected_all = _expected_totals(everything)
            assert _settled_totals(aggregator, expected_all) == expected_all

            # Again, in batches: every good article is now a duplicate.
            again = _feed(folder, ingest, "--batch", "3")
            assert again.returncode == 1, again.stderr
            assert (_count(again.stdout, "accepted"), _count(again.stdout, "duplicates")) == (0, 4)
            assert _count(again.stdout, "rejected") == 1
        finally:
            code = up.stop(STOP_TIMEOUT)  # raises TimeoutExpired past the bound
    log = stderr_path.read_text(errors="replace")
    assert code == 0, log
    assert "Kafka ready at" in log
    assert "stopped Kafka" in log
    assert _processes_mentioning(str(up_data_dir)) == []
    broker_port = int(bootstrap.rsplit(":", 1)[1])
    for port in (ingest_port, aggregator_port, broker_port):
        assert not port_accepts(port), f"port {port} still open"
    assert read_status(up_data_dir / "kafka").state is None
    assert not (up_data_dir / "up.json").exists()


def test_up_names_a_busy_port_and_starts_nothing(tmp_path: Path) -> None:
    """A taken ingest port is reported by number and flag before any broker is started."""
    with socket_listening() as port:
        result = subprocess.run(
            [sys.executable, "-m", "tocsin", "up", "--data-dir", str(tmp_path / "stack"),
             "--ingest-port", str(port), "--aggregator-port", str(free_port()), "--no-sample"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"port {port} for ingest is already in use" in result.stderr
    assert "--ingest-port" in result.stderr
    assert not (tmp_path / "stack" / "kafka").exists()
    assert _processes_mentioning(str(tmp_path / "stack")) == []


@contextmanager
def socket_listening() -> Iterator[int]:
    """A socket listening on a free loopback port for the duration of a ``with`` block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port: int = sock.getsockname()[1]
        yield port
