"""``tocsin topics``, the event subscriber and ``tocsin tail`` against the real broker.

The broker is shared by the whole session and Tocsin's topic names are fixed,
so each test publishes under its own article ids and reads back only those
(``article_ids`` / ``--article``); the malformed-message test writes to a topic
of its own so that no other test's consumer meets its garbage.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from typing import IO

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from tocsin.cli.tail_cmd import format_event
from tocsin.contract import topics
from tocsin.contract.article import Article
from tocsin.contract.codec import decode_event, encode
from tocsin.contract.events import Event
from tocsin.contract.examples import example_article, example_events
from tocsin.contract.ids import event_id
from tocsin.errors import BrokerError
from tocsin.kafka.admin import ensure_topics
from tocsin.kafka.publisher import KafkaPublisher
from tocsin.kafka.records import article_records
from tocsin.kafka.subscriber import BadMessage, EventSubscriber, ReceivedEvent
from tocsin.kafka.topic_info import describe_topics
from tocsin.settings import KafkaSettings

# Generous bounds for a busy 2-core machine; a passing run is far quicker.
CLI_TIMEOUT_S = 60.0
SAFETY_IDLE_S = 20.0
# How long the "unreachable" checks let the client wait, and the most they may take.
UNREACHABLE_TIMEOUT_S = 2.0
UNREACHABLE_LIMIT_S = 15.0


def _settings(bootstrap: str) -> KafkaSettings:
    return KafkaSettings(bootstrap=bootstrap, request_timeout_s=10.0)


def _article() -> tuple[Article, list[Event]]:
    """The example article under a fresh id, with each example event about KG and about KZ.

    Built from the contract's examples rather than by extraction, so that these
    tests follow the Kafka path alone and not the extractor's current output.
    """
    article = example_article().model_copy(update={"id": f"test-{uuid.uuid4().hex}"})
    events: list[Event] = [
        event.model_copy(
            update={
                "article_id": article.id,
                "country": country,
                "event_id": event_id(article.id, "test", kind, country),
            }
        )
        for country in ("KG", "KZ")
        for kind, event in example_events().items()
    ]
    return article, events


def _publish(bootstrap: str, article: Article, events: Sequence[Event]) -> None:
    settings = _settings(bootstrap)
    ensure_topics(settings)
    publisher = KafkaPublisher(settings, timeout_s=30.0)
    try:
        asyncio.run(publisher.publish(article_records(article, events)))
    finally:
        publisher.close()


def _published(bootstrap: str) -> tuple[Article, list[Event]]:
    article, events = _article()
    _publish(bootstrap, article, events)
    return article, events


def _env(bootstrap: str) -> dict[str, str]:
    return os.environ | {"TOCSIN_KAFKA_BOOTSTRAP": bootstrap, "TOCSIN_LOG_LEVEL": "INFO"}


def _tocsin(
    *args: str, bootstrap: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", *args],
        env=_env(bootstrap) | (extra_env or {}),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def _closed_port() -> int:
    """A loopback port nothing listens on (bound once to pick it, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _create_private_topic(bootstrap: str) -> str:
    name = f"tocsin-test-{uuid.uuid4().hex[:12]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="tocsin-test-admin")
    try:
        admin.create_topics(
            {name: {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True
        )
    finally:
        admin.close()
    return name


def _ids(events: Sequence[Event]) -> set[str]:
    return {e.event_id for e in events}


@pytest.mark.kafka
def test_ensure_topics_twice_creates_nothing_the_second_time(kafka_bootstrap: str) -> None:
    """A second ensure_topics finds every Tocsin topic in place and creates none."""
    settings = _settings(kafka_bootstrap)
    ensure_topics(settings)
    assert ensure_topics(settings) == []
    info = describe_topics(settings, topics.ALL_TOPICS)
    assert set(info) == set(topics.ALL_TOPICS)
    assert all(t.ready and t.partitions >= 1 for t in info.values())


@pytest.mark.kafka
def test_topics_create_cli_reports_existing_topics_on_a_second_run(kafka_bootstrap: str) -> None:
    """`tocsin topics create` run twice says on the second run that all topics already exist."""
    first = _tocsin("topics", "create", "--partitions", "2", bootstrap=kafka_bootstrap)
    assert first.returncode == 0, first.stderr
    second = _tocsin(
        "topics", "create", "--bootstrap", kafka_bootstrap, bootstrap="127.0.0.1:1"
    )  # the flag wins over the (unreachable) address in the environment
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    for name in topics.ALL_TOPICS:
        assert any(line.startswith("exists") and name in line for line in lines), second.stdout
    assert f"0 created, {len(topics.ALL_TOPICS)} already there." in second.stdout


@pytest.mark.kafka
def test_topics_list_cli_shows_partition_counts_and_other_topics(kafka_bootstrap: str) -> None:
    """`tocsin topics list` shows Tocsin's topics with partitions; --all adds the others."""
    settings = _settings(kafka_bootstrap)
    ensure_topics(settings)
    private = _create_private_topic(kafka_bootstrap)
    info = describe_topics(settings, topics.ALL_TOPICS)

    listed = _tocsin("topics", "list", bootstrap=kafka_bootstrap)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line.split()[1:] for line in listed.stdout.splitlines()[1:]}
    for name in topics.ALL_TOPICS:
        assert rows[name] == [str(info[name].partitions), "present"]
    assert private not in rows

    everything = _tocsin("topics", "list", "--all", bootstrap=kafka_bootstrap)
    assert everything.returncode == 0, everything.stderr
    rows = {line.split()[0]: line.split()[1:] for line in everything.stdout.splitlines()[1:]}
    assert rows[private] == ["1", "present", "other"]
    assert rows[topics.ARTICLES][-1] == "tocsin"


@pytest.mark.kafka
def test_subscriber_reads_back_every_published_event(kafka_bootstrap: str) -> None:
    """Events published for an article come back from the beginning, decoded, with positions."""
    article, events = _published(kafka_bootstrap)
    with EventSubscriber(
        _settings(kafka_bootstrap),
        article_ids={article.id},
        from_beginning=True,
        max_events=len(events),
        idle_timeout_s=SAFETY_IDLE_S,
    ) as subscriber:
        items = list(subscriber)
    received = [i for i in items if isinstance(i, ReceivedEvent)]
    assert len(received) == len(events)
    assert _ids([i.event for i in received]) == _ids(events)
    for item in received:
        assert item.topic == topics.event_topic(item.event.type)
        assert item.offset >= 0
        assert decode_event(item.value) == item.event


@pytest.mark.kafka
def test_subscriber_filters_by_type_and_country(kafka_bootstrap: str) -> None:
    """Only events of the chosen types about the chosen countries come out."""
    article, events = _published(kafka_bootstrap)
    wanted = [e for e in events if e.type in {"casualty", "curfew"} and e.country == "KZ"]
    assert 0 < len(wanted) < len(events)
    with EventSubscriber(
        _settings(kafka_bootstrap),
        types=["casualty", "curfew"],
        countries={"kz"},
        article_ids={article.id},
        from_beginning=True,
        idle_timeout_s=2.0,  # read everything there is, then stop: extra events would show
    ) as subscriber:
        received = [i.event for i in subscriber if isinstance(i, ReceivedEvent)]
    assert _ids(received) == _ids(wanted)
    assert len(received) == len(wanted)


@pytest.mark.kafka
def test_subscriber_without_from_beginning_sees_only_later_events(kafka_bootstrap: str) -> None:
    """A subscriber opened at the latest offsets skips what was published before it opened."""
    before, before_events = _published(kafka_bootstrap)
    after, after_events = _article()
    with EventSubscriber(
        _settings(kafka_bootstrap),
        article_ids={before.id, after.id},
        max_events=len(after_events),
        idle_timeout_s=SAFETY_IDLE_S,
    ) as subscriber:
        _publish(kafka_bootstrap, after, after_events)
        received = [i.event for i in subscriber if isinstance(i, ReceivedEvent)]
    assert _ids(received) == _ids(after_events)
    assert not _ids(received) & _ids(before_events)


@pytest.mark.kafka
def test_subscriber_reports_bad_messages_and_keeps_going(kafka_bootstrap: str) -> None:
    """Non-JSON, off-contract and wrong-topic records become BadMessage items between events."""
    topic = _create_private_topic(kafka_bootstrap)
    examples = example_events()
    casualty = encode(examples["casualty"])
    values = [
        b"not json at all \xff",
        casualty,
        b'{"type": "casualty", "event_id": "x"}',
        encode(examples["curfew"]),  # valid, but not what a casualty topic carries
        casualty,
    ]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        for value in values:
            producer.send(topic, value=value, key=b"KG").get(timeout=30)
    finally:
        producer.close(timeout=10)

    with EventSubscriber(
        _settings(kafka_bootstrap),
        types=["casualty"],
        topic_names={"casualty": topic},
        from_beginning=True,
        max_events=2,
        idle_timeout_s=SAFETY_IDLE_S,
    ) as subscriber:
        items = list(subscriber)

    assert [type(i) for i in items] == [
        BadMessage,
        ReceivedEvent,
        BadMessage,
        BadMessage,
        ReceivedEvent,
    ]
    bad = [i for i in items if isinstance(i, BadMessage)]
    assert [(b.topic, b.partition, b.offset) for b in bad] == [
        (topic, 0, 0),
        (topic, 0, 2),
        (topic, 0, 3),
    ]
    assert "JSON" in bad[0].reason
    assert "contract" in bad[1].reason
    assert "curfew" in bad[2].reason
    assert all(i.event == examples["casualty"] for i in items if isinstance(i, ReceivedEvent))


@pytest.mark.kafka
def test_tail_ndjson_prints_events_that_decode(kafka_bootstrap: str) -> None:
    """`tocsin tail --from-beginning --ndjson --max N` prints N lines, each a valid event."""
    article, events = _published(kafka_bootstrap)
    result = _tocsin(
        "tail",
        "--from-beginning",
        "--ndjson",
        "--max",
        str(len(events)),
        "--article",
        article.id,
        "--idle-timeout",
        str(SAFETY_IDLE_S),
        bootstrap=kafka_bootstrap,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(events)
    assert _ids([decode_event(line) for line in lines]) == _ids(events)


@pytest.mark.kafka
def test_tail_filters_by_type_and_country(kafka_bootstrap: str) -> None:
    """`tocsin tail --type ... --country ...` prints exactly the matching events."""
    article, events = _published(kafka_bootstrap)
    wanted = [e for e in events if e.type in {"casualty", "deployment"} and e.country == "KZ"]
    assert 0 < len(wanted) < len(events)
    result = _tocsin(
        "tail",
        "--type",
        "casualty",
        "--type",
        "deployment",
        "--country",
        "kz",
        "--article",
        article.id,
        "--from-beginning",
        "--ndjson",
        "--idle-timeout",
        "2",
        bootstrap=kafka_bootstrap,
    )
    assert result.returncode == 0, result.stderr
    printed = [decode_event(line) for line in result.stdout.splitlines()]
    assert _ids(printed) == _ids(wanted)
    assert len(printed) == len(wanted)


@pytest.mark.kafka
def test_tail_prints_one_readable_line_per_event_by_default(kafka_bootstrap: str) -> None:
    """Without --ndjson each event is printed as its one-line summary, ending with the article."""
    article, events = _published(kafka_bootstrap)
    casualties = [e for e in events if e.type == "casualty"]
    result = _tocsin(
        "tail",
        "--type",
        "casualty",
        "--article",
        article.id,
        "--from-beginning",
        "--max",
        str(len(casualties)),
        bootstrap=kafka_bootstrap,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(lines) == sorted(format_event(e) for e in casualties)
    assert all(line.endswith(f"[article {article.id}]") for line in lines)
    assert any(
        line.startswith("2024-02-27 KZ casualty injured 7 security_forces") for line in lines
    )


def _pump_lines(stream: IO[str]) -> tuple[queue.Queue[str], threading.Thread]:
    """Collect a child's output lines on a thread, so that waiting for one can time out."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return lines, thread


def _wait_for_line(lines: queue.Queue[str], needle: str, timeout: float) -> None:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.2))
        except queue.Empty:
            continue
        if needle in seen[-1]:
            return
    pytest.fail(f"no {needle!r} on stderr within {timeout}s; saw {seen}")


@pytest.mark.kafka
def test_tail_follows_new_events_and_ctrl_c_exits_zero(kafka_bootstrap: str) -> None:
    """A following tail prints events published after it started, and Ctrl-C ends it with 0."""
    article, events = _article()
    command = [sys.executable, "-m", "tocsin", "tail", "--ndjson", "--article", article.id]
    # The idle timeout only bounds a failing run; a passing one ends by Ctrl-C.
    command += ["--idle-timeout", str(SAFETY_IDLE_S)]
    with subprocess.Popen(
        command,
        env=_env(kafka_bootstrap),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        stderr, pump = _pump_lines(process.stderr)
        try:
            _wait_for_line(stderr, "following", CLI_TIMEOUT_S)
            _publish(kafka_bootstrap, article, events)
            lines = [process.stdout.readline() for _ in events]
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=CLI_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            pump.join(timeout=CLI_TIMEOUT_S)
    assert code == 0
    assert _ids([decode_event(line) for line in lines]) == _ids(events)
    rest = list(stderr.queue)
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in rest), rest


@pytest.mark.parametrize(
    "command", [["topics", "create"], ["topics", "list"], ["tail", "--from-beginning"]]
)
def test_cli_on_a_closed_port_exits_1_with_a_clear_message(command: list[str]) -> None:
    """Each Kafka command reports an unreachable broker in plain words and exits 1, quickly.

    In a child process on purpose: kafka-python 3.0.12 leaks the socket of a refused
    connection and the IO thread of a client whose constructor failed, which in this
    process would surface later as a ResourceWarning blamed on an unrelated test.
    The hint line is printed only for BrokerUnavailableError, so it also checks that
    the adapters (subscriber, topic metadata, admin) translate the failure to it.
    """
    address = f"127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    result = _tocsin(
        *command,
        bootstrap=address,
        extra_env={"TOCSIN_KAFKA_REQUEST_TIMEOUT_S": str(UNREACHABLE_TIMEOUT_S)},
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert f"cannot reach Kafka at {address}" in result.stderr
    assert "is Kafka running there?" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert elapsed < UNREACHABLE_LIMIT_S


@pytest.mark.kafka
def test_subscriber_on_a_missing_topic_says_how_to_create_it(kafka_bootstrap: str) -> None:
    """Reading a topic that does not exist fails with a BrokerError naming the fix."""
    missing = f"tocsin-test-missing-{uuid.uuid4().hex[:12]}"
    settings = KafkaSettings(bootstrap=kafka_bootstrap, request_timeout_s=1.0)
    subscriber = EventSubscriber(settings, types=["curfew"], topic_names={"curfew": missing})
    with pytest.raises(BrokerError, match=f"{missing} missing.*tocsin topics create"):
        subscriber.open()
    assert not describe_topics(settings, [missing])
