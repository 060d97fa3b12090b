"""``tocsin serve ingest --workers 2`` against the real broker: one port, two processes.

One service run covers the whole life of a supervisor: port 0 bound once in the
parent, concurrent articles spread over both workers, every event on its topic,
/metrics summed over the workers whichever answers, a killed worker replaced, and
SIGTERM stopping everything with status 0.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import REPO, SEED_ARTICLE
from tests.integration.aggregator_support import EVENT_TOPICS, read_all
from tests.integration.processes import stop, wait_answering
from tocsin.contract import topics

pytestmark = pytest.mark.kafka

SAMPLE = SEED_ARTICLE if SEED_ARTICLE.is_file() else REPO / "examples" / "sample-article.json"
ARTICLES = 40
_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
_STARTED = re.compile(r"started 2 ingest worker processes: (\d+), (\d+)")


@dataclass
class Supervisor:
    """The running ``serve ingest --workers 2`` process and what its log tells."""

    proc: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def records(self) -> list[dict[str, Any]]:
        """The JSON log records written so far (the service logs one object per line)."""
        lines = self.log.read_bytes().splitlines()
        return [orjson.loads(line) for line in lines if line.startswith(b"{")]

    def messages(self) -> list[str]:
        return [str(r.get("message", "")) for r in self.records()]

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        """The first log message matching ``pattern``, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages():
                if found := pattern.search(message):
                    return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"no log line matching {pattern.pattern!r}:\n{tail}")


@contextmanager
def two_workers(bootstrap: str, state_dir: Path) -> Iterator[Supervisor]:
    """Start the service with two workers on port 0 and yield it once it is ready."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "ingest.log"
    env = os.environ | {"TOCSIN_LOG_LEVEL": "INFO", "TOCSIN_LOG_FORMAT": "json"}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "serve", "ingest", "--workers", "2",
             "--port", "0", "--bootstrap", bootstrap, "--state-dir", str(state_dir)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    supervisor = Supervisor(proc, log_path)
    try:
        port = supervisor.wait_for(_LISTENING).group(1)
        supervisor.url = f"http://127.0.0.1:{port}"
        wait_answering(supervisor.url + "/readyz", proc, log_path)
        yield supervisor
    finally:
        stop(proc)


def _article() -> bytes:
    article = orjson.loads(SAMPLE.read_bytes())
    article["id"] = f"workers-{uuid.uuid4().hex[:12]}"
    return orjson.dumps(article)


def _post(url: str, data: bytes) -> httpx.Response:
    # A new connection per article: the kernel then picks a worker for each one.
    return httpx.post(
        f"{url}/v1/articles", content=data, headers={"content-type": "application/json"}, timeout=60
    )


def _accepted_total(url: str) -> float:
    """tocsin_ingest_articles_total{outcome="accepted"} as one scrape reports it."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    if promtool := shutil.which("promtool"):
        checked = subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    # Label values created at start are there with 0, summed over the workers too.
    assert samples[("tocsin_ingest_articles_total", (("outcome", "conflict"),))] == 0
    code_503 = (("code", "503"), ("method", "POST"), ("route", "/v1/articles"))
    assert samples[("tocsin_ingest_http_requests_total", code_503)] == 0
    return samples[("tocsin_ingest_articles_total", (("outcome", "accepted"),))]


def _served_by(supervisor: Supervisor) -> set[int]:
    """The pids of the workers whose access lines show an accepted article."""
    return {
        int(r["worker"])
        for r in supervisor.records()
        if r.get("logger") == "tocsin.access" and "POST /v1/articles 202" in str(r["message"])
    }


def test_two_workers_share_one_port(kafka_bootstrap: str, tmp_path: Path) -> None:
    """Articles spread over both workers, metrics sum, a dead worker comes back, SIGTERM is 0."""
    with two_workers(kafka_bootstrap, tmp_path / "ingest") as supervisor:
        pids = {int(p) for p in supervisor.wait_for(_STARTED).groups()}

        bodies = [_article() for _ in range(ARTICLES)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda body: _post(supervisor.url, body), bodies))
        assert [a.status_code for a in answers] == [202] * ARTICLES, answers[0].text
        expected = {e["event_id"]: e["type"] for a in answers for e in a.json()["events"]}
        assert len(expected) >= ARTICLES

        article_ids = {a.json()["article_id"] for a in answers}
        found = {}
        for record in read_all(kafka_bootstrap, EVENT_TOPICS):
            event = orjson.loads(record.value)
            if event["article_id"] in article_ids:
                assert record.topic == topics.EVENT_TOPICS[event["type"]]
                found[event["event_id"]] = event["type"]
        assert found == expected

        served = _served_by(supervisor)
        assert served <= pids
        assert len(served) == 2, f"only worker(s) {served} served the {ARTICLES} articles"
        # Each scrape is answered by whichever worker accepts it; every one has the sum.
        assert [_accepted_total(supervisor.url) for _ in range(6)] == [ARTICLES] * 6

        # A worker killed outright is replaced; what it counted stays in the sums.
        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        supervisor.wait_for(re.compile(rf"worker {victim} died"))
        others = pids - {victim}
        replaced = re.compile(r"ingest worker (\d+) ready")
        deadline = time.monotonic() + 60
        while not {int(m) for m in replaced.findall(" ".join(supervisor.messages()))} - pids:
            assert time.monotonic() < deadline, "no replacement worker started"
            time.sleep(0.1)
        assert _post(supervisor.url, _article()).status_code == 202
        assert _accepted_total(supervisor.url) == ARTICLES + 1
        workers = {int(m) for m in replaced.findall(" ".join(supervisor.messages()))}

        assert stop(supervisor.proc) == 0
    for pid in (workers | others) - {victim}:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived its supervisor"
    assert "all ingest workers stopped" in supervisor.messages()
