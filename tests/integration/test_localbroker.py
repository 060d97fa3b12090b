"""The local Kafka broker against the real thing: start, round trip, stop, restart, failures."""

from __future__ import annotations

import argparse
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from tests.integration.processes import free_port
from tocsin.cli import kafka_cmd
from tocsin.localbroker import (
    QUICK_START_JVM_OPTIONS,
    ArtifactFetchError,
    BrokerNotRunningError,
    BrokerStartError,
    JavaNotFoundError,
    JavaVersionError,
    LocalBroker,
    config,
    ensure_jars,
    read_status,
    require_java,
)
from tocsin.localbroker.artifacts import cached_jars
from tocsin.localbroker.java import parse_java_major
from tocsin.localbroker.process import format_storage

START_TIMEOUT = 120.0
RECORDS = [
    (b"article-1", b'{"n": 1}', [("event-type", b"casualty"), ("schema-version", b"1")]),
    (b"article-2", b'{"n": 2}', [("event-type", b"curfew"), ("schema-version", b"1")]),
]


def _topic() -> str:
    return f"tocsin-test-{uuid.uuid4().hex[:10]}"


def _create_topic(bootstrap: str, topic: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="tocsin-test-admin")
    try:
        admin.create_topics(
            {topic: {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True
        )
    finally:
        admin.close()


def _produce(bootstrap: str, topic: str) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        futures = [
            producer.send(topic, key=key, value=value, headers=headers)
            for key, value, headers in RECORDS
        ]
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close(timeout=10)


def _consume(bootstrap: str, topic: str, count: int, timeout: float = 30.0) -> list[Any]:
    """Read ``count`` records through a fresh consumer group, committing what was read."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"tocsin-test-{uuid.uuid4().hex[:10]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    records: list[Any] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        # A commit needs the group coordinator, which needs the offsets topic at RF 1.
        consumer.commit()
    finally:
        consumer.close()
    return records


def _assert_round_trip(records: list[Any]) -> None:
    got = [(r.key, r.value, sorted(r.headers)) for r in records]
    assert got == [(k, v, sorted(h)) for k, v, h in RECORDS]


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tocsin")
    kafka_cmd.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    return code


@pytest.mark.kafka
def test_round_trip_with_keys_and_headers(kafka_bootstrap: str) -> None:
    """A topic created on the session broker carries keys, values and headers to a group."""
    topic = _topic()
    _create_topic(kafka_bootstrap, topic)
    _produce(kafka_bootstrap, topic)
    _assert_round_trip(_consume(kafka_bootstrap, topic, len(RECORDS)))


@pytest.mark.kafka
def test_stop_then_restart_keeps_data(tmp_path: Path) -> None:
    """A stopped broker frees its port, and a restart on the same data dir still has the data."""
    data_dir = tmp_path / "kafka"
    broker = LocalBroker(data_dir, jvm_options=QUICK_START_JVM_OPTIONS)
    try:
        bootstrap = broker.start(timeout=START_TIMEOUT)
        status = read_status(data_dir)
        assert status.running
        assert status.state is not None
        assert status.state.bootstrap == bootstrap == broker.bootstrap
        port = status.state.port
        topic = _topic()
        _create_topic(bootstrap, topic)
        _produce(bootstrap, topic)

        assert broker.stop() is True
        assert not broker.is_running()
        assert not read_status(data_dir).running
        assert not _accepts(port)
        with pytest.raises(BrokerNotRunningError):
            _ = broker.bootstrap

        with LocalBroker(data_dir, jvm_options=QUICK_START_JVM_OPTIONS) as restarted:
            _assert_round_trip(_consume(restarted.bootstrap, topic, len(RECORDS)))
        assert not read_status(data_dir).running
    finally:
        broker.stop()


@pytest.mark.kafka
def test_cli_start_status_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`tocsin kafka start` leaves the broker running after it returns; `stop` ends it."""
    data_dir = str(tmp_path / "kafka")
    try:
        assert _cli("kafka", "start", "--data-dir", data_dir, "--port", "0") == 0
        out = capsys.readouterr().out
        assert "Kafka is running at 127.0.0.1:" in out
        assert "tocsin kafka stop --data-dir" in out
        assert _cli("kafka", "status", "--data-dir", data_dir) == 0
        assert _cli("kafka", "start", "--data-dir", data_dir, "--port", "0") == 0
        assert "already running" in capsys.readouterr().out
    finally:
        assert _cli("kafka", "stop", "--data-dir", data_dir) == 0
    assert _cli("kafka", "status", "--data-dir", data_dir) == 1


@pytest.mark.kafka
def test_failed_start_reports_the_broker_log(tmp_path: Path) -> None:
    """A JVM that cannot start gives a BrokerStartError quoting its output, and leaves no state."""
    broker = LocalBroker(tmp_path / "kafka", heap="1k")
    with pytest.raises(BrokerStartError, match=r"(?s)exited during start-up.*heap"):
        broker.start(timeout=START_TIMEOUT)
    assert read_status(tmp_path / "kafka").state is None


def test_missing_java_is_a_named_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without java on PATH, start fails before touching anything and says what to install."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("TOCSIN_JAVA", raising=False)
    with pytest.raises(JavaNotFoundError, match="install openjdk-17-jre-headless"):
        LocalBroker(tmp_path / "kafka").start(timeout=5)
    assert not (tmp_path / "kafka").exists()


def test_old_java_is_a_named_error(tmp_path: Path) -> None:
    """A java that reports version 11 is refused with the same install advice."""
    fake = tmp_path / "java"
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    with pytest.raises(JavaVersionError, match=r"Java 11\..*openjdk-17"):
        LocalBroker(tmp_path / "kafka", java=str(fake)).start(timeout=5)


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_292"', 8),
        ('openjdk version "21-ea" 2023-09-19', 21),
    ],
)
def test_java_version_is_parsed(output: str, major: int) -> None:
    """`java -version` output of old and new formats yields the major version."""
    assert parse_java_major(output) == major


def test_missing_maven_is_a_named_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no cached jars and no Maven, fetching says how to install Maven."""
    monkeypatch.setenv("TOCSIN_KAFKA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TOCSIN_MVN", str(tmp_path / "no-mvn"))
    with pytest.raises(ArtifactFetchError, match="apt-get install maven"):
        ensure_jars()


def test_half_finished_download_is_not_reused(tmp_path: Path) -> None:
    """Jars without the completion marker, or with one for another pom, count as missing."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "kafka_2.13-0.0.0.jar").write_bytes(b"truncated")
    assert cached_jars(tmp_path) is None
    (tmp_path / ".complete").write_text("digest-of-another-pom\n")
    assert cached_jars(tmp_path) is None


def test_format_accepts_a_cluster_id_that_starts_with_a_dash(tmp_path: Path) -> None:
    """A random cluster id may begin with "-"; formatting must not read it as an option."""
    java = require_java()
    layout = config.BrokerLayout(tmp_path)
    config.write_config(layout, free_port(), free_port())
    format_storage(java, ensure_jars(java=java), layout, 120, cluster_id="-AbCdEfGhIjKlMnOpQrStU")
    assert layout.is_formatted()
