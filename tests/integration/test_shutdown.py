"""SIGTERM against the real services: nothing acknowledged is lost, and both exit 0.

Ingest: requests in flight when the signal lands are finished (202 only once the
broker holds every record), new connections are refused, and the process exits 0.
Some requests are held in flight on purpose: each is a POST with
``Expect: 100-continue`` whose body is sent only after the signal. The server
answers ``100 Continue`` when the application starts reading the body, so the
request is being handled before the signal is sent, whatever the timing.

Aggregator: on SIGTERM it stores its state, commits the same offsets to Kafka
and leaves the group at once (not after its session times out), then exits 0.

Both services log JSON lines here (TOCSIN_LOG_FORMAT=json): every line of their
output must parse, and each request's access line carries its request id.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
import httpx
import orjson
import pytest
from kafka import KafkaAdminClient, TopicPartition

from tests.aggregator.factory import T0, casualty, curfew, deployment, statement
from tests.conftest import REPO, SEED_ARTICLE
from tests.integration.aggregator_support import (
    EVENT_TOPICS,
    end_offsets,
    produce,
    read_all,
    stored_offsets,
    wait_applied,
)
from tests.integration.processes import aggregator_service, free_port, stop, wait_answering
from tocsin.contract import topics
from tocsin.contract.codec import decode_event
from tocsin.contract.events import Event

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SAMPLE = SEED_ARTICLE if SEED_ARTICLE.is_file() else REPO / "examples" / "sample-article.json"
JSON_LOGS = {"TOCSIN_LOG_FORMAT": "json", "TOCSIN_LOG_LEVEL": "INFO"}
HELD = 3  # requests held in flight across the signal
RACING = 20  # clients posting one article after another when the signal lands
Outcome = httpx.Response | httpx.TransportError  # an answer, or why none came


def _article(article_id: str) -> bytes:
    article = orjson.loads(SAMPLE.read_bytes())
    article["id"] = article_id
    return orjson.dumps(article)


def _json_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a service's output, each parsed as one JSON object."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines, f"{path} is empty"
    parsed = []
    for line in lines:
        record = orjson.loads(line)  # fails the test on any line that is not JSON
        assert isinstance(record, dict), line
        assert {"ts", "level", "logger", "message"} <= record.keys(), line
        parsed.append(record)
    return parsed


@dataclass
class Ingest:
    """A running ingest subprocess."""

    url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path


@contextmanager
def _ingest(bootstrap: str, state_dir: Path) -> Iterator[Ingest]:
    """``tocsin serve ingest`` with JSON logs on a free port, once /readyz answers 200."""
    port = free_port()
    log_path = state_dir / "ingest.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tocsin", "serve", "ingest", "--port", str(port),
             "--bootstrap", bootstrap, "--state-dir", str(state_dir),
             # The grace period is this plus 5 s: room for a slow machine to finish
             # the held requests before uvicorn would cancel them.
             "--publish-timeout", "20"],
            stdout=log, stderr=subprocess.STDOUT, env=os.environ | JSON_LOGS,
        )  # fmt: skip
    service = Ingest(f"http://127.0.0.1:{port}", port, proc, log_path)
    try:
        wait_answering(service.url + "/readyz", proc, log_path)
        yield service
    finally:
        stop(proc)


class HeldPost:
    """A POST /v1/articles that the server is handling but whose body is held back.

    ``Expect: 100-continue`` makes the server answer ``100 Continue`` once the
    application asks for the body; only then does the constructor return.
    """

    def __init__(self, port: int, body: bytes, request_id: str) -> None:
        self.body = body
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.conn = h11.Connection(h11.CLIENT)
        self._send(
            h11.Request(
                method="POST",
                target="/v1/articles",
                headers=[
                    ("host", f"127.0.0.1:{port}"),
                    ("content-type", "application/json"),
                    ("content-length", str(len(body))),
                    ("expect", "100-continue"),
                    ("x-request-id", request_id),
                ],
            )
        )
        interim = self._next_event()
        assert isinstance(interim, h11.InformationalResponse), interim
        assert interim.status_code == 100

    def finish(self) -> tuple[int, dict[str, str], bytes]:
        """Send the body; the answer's status, headers and body."""
        self._send(h11.Data(data=self.body))
        self._send(h11.EndOfMessage())
        response = self._next_event()
        assert isinstance(response, h11.Response), response
        headers = {k.decode(): v.decode() for k, v in response.headers}
        chunks = []
        while not isinstance(event := self._next_event(), h11.EndOfMessage):
            assert isinstance(event, h11.Data), event
            chunks.append(bytes(event.data))
        self.sock.close()
        return response.status_code, headers, b"".join(chunks)

    def _send(self, event: Any) -> None:
        data = self.conn.send(event)
        if data:
            self.sock.sendall(data)

    def _next_event(self) -> Any:
        while True:
            event = self.conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            self.conn.receive_data(self.sock.recv(65536))


def _post(url: str, body: bytes) -> Outcome:
    """One POST on a new connection: the answer, or why none came."""
    try:
        return httpx.post(
            f"{url}/v1/articles",
            content=body,
            headers={"content-type": "application/json"},
            timeout=60,
        )
    except httpx.TransportError as exc:
        return exc


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def _published(bootstrap: str) -> tuple[set[str], set[str]]:
    """Article ids on the articles topic, and event ids on the event topics."""
    articles = {r.key.decode() for r in read_all(bootstrap, [topics.ARTICLES]) if r.key}
    events = {decode_event(r.value).event_id for r in read_all(bootstrap, EVENT_TOPICS)}
    return articles, events


def test_ingest_finishes_in_flight_requests_and_exits_0_on_sigterm(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    token = uuid.uuid4().hex[:8]
    with _ingest(kafka_bootstrap, tmp_path) as ingest:
        held = [
            HeldPost(ingest.port, _article(f"held-{token}-{i}"), f"held-{token}-{i}")
            for i in range(HELD)
        ]
        answered = threading.Semaphore(0)

        def keep_posting(worker: int) -> list[Outcome]:
            """Post new articles one after another until the service stops answering."""
            outcomes: list[Outcome] = []
            for n in range(100):
                outcome = _post(ingest.url, _article(f"race-{token}-{worker}-{n}"))
                outcomes.append(outcome)
                if isinstance(outcome, httpx.TransportError):
                    break
                answered.release()
            return outcomes

        with ThreadPoolExecutor(RACING) as pool:
            futures = [pool.submit(keep_posting, w) for w in range(RACING)]
            # Signal while RACING clients keep posting, after some answers came back.
            for _ in range(RACING):
                assert answered.acquire(timeout=60), "the racing clients got no answers"
            ingest.proc.send_signal(signal.SIGTERM)
            raced = [outcome for f in futures for outcome in f.result()]

        # The held requests keep the process alive; meanwhile it accepts nothing new.
        deadline = time.monotonic() + 10
        while not _refused(ingest.port):
            assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
            time.sleep(0.1)
        assert ingest.proc.poll() is None, "exited before finishing the held requests"

        answers = [h.finish() for h in held]
        code = ingest.proc.wait(timeout=30)

    assert code == 0, ingest.log.read_text(errors="replace")[-3000:]
    accepted: dict[str, dict[str, Any]] = {}  # request id -> 202 body
    for status, headers, body in answers:
        assert status == 202, body
        assert headers["connection"] == "close"
        accepted[headers["x-request-id"]] = orjson.loads(body)
    assert set(accepted) == {f"held-{token}-{i}" for i in range(HELD)}
    assert sum(isinstance(o, httpx.TransportError) for o in raced) == RACING  # all stopped
    for outcome in raced:
        # No answer at all (refused or closed unanswered) is fine: the client retries.
        # An answer must be a 202; never a 5xx from a half-stopped service.
        if isinstance(outcome, httpx.Response):
            assert outcome.status_code == 202, outcome.text
            accepted[outcome.headers["x-request-id"]] = outcome.json()

    # Every 202 means the broker holds the article and every one of its events.
    articles, events = _published(kafka_bootstrap)
    for answer in accepted.values():
        assert answer["article_id"] in articles
        assert answer["events"], answer
        assert {e["event_id"] for e in answer["events"]} <= events

    lines = _json_lines(ingest.log)
    access = {
        r["request_id"]: r
        for r in lines
        if r["logger"] == "tocsin.access" and r["route"] == "/v1/articles"
    }
    for request_id in accepted:
        assert access[request_id]["status"] == 202
        assert access[request_id]["method"] == "POST"
    assert any(r["logger"] == "uvicorn.error" for r in lines)  # uvicorn's lines too
    messages = [r["message"] for r in lines]
    assert "ingest stopped" in messages
    assert messages[-1] == "stopped by SIGTERM"


COUNTRIES = [f"Y{c}" for c in "ABCDEFGHIJKL"]  # user-assigned ISO codes, this test's own


def _events(token: str) -> list[Event]:
    events: list[Event] = []
    for i, country in enumerate(COUNTRIES):
        article = f"shutdown-{token}-{i}"
        events += [
            casualty(country, "killed", "civilians", 10 + i, article=article),
            deployment(country, "CSTO", 100 + i, article=article),
            curfew(country, ends_on=T0.date(), article=article),
            statement(country, "Minister", f"q{i}-{token}", article=article),
        ]
    return events


def test_aggregator_stores_commits_and_leaves_the_group_on_sigterm(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    token = uuid.uuid4().hex[:8]
    prefix, group = f"shutdown-{token}.", f"shutdown-{token}"
    produce(kafka_bootstrap, _events(token), prefix=prefix)
    ends = end_offsets(kafka_bootstrap, [prefix + t for t in EVENT_TOPICS])
    assert all(end > 0 for end in ends.values()), ends  # every partition has records

    with aggregator_service(
        kafka_bootstrap, tmp_path, group=group, topic_prefix=prefix, env=JSON_LOGS
    ) as agg:
        wait_applied([agg.url], ends)
    # Checked at once: a member that did not leave stays listed until its session
    # times out (10 s), so an empty group here means it left on its way out.
    assert agg.returncode == 0, agg.log.read_text(errors="replace")[-3000:]

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = admin.describe_groups([group])[group]
        committed = admin.list_group_offsets(group)[group]
    finally:
        admin.close()
    assert described["members"] == []
    assert described["group_state"] == "Empty"
    assert {(tp.topic, tp.partition): om.offset for tp, om in committed.items()} == ends
    assert all(isinstance(tp, TopicPartition) for tp in committed)
    assert stored_offsets(tmp_path) == ends

    messages = [r["message"] for r in _json_lines(agg.log)]
    assert f"left group {group}" in messages
    assert "aggregator stopped" in messages
    assert messages[-1] == "stopped by SIGTERM"
