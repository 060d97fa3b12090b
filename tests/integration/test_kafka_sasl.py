"""Tocsin's clients against a local broker that asks for SASL logins, with and without TLS.

The module starts its own broker (SASL_PLAINTEXT, PLAIN and SCRAM) once; the shared
session broker has no SASL. The TLS test starts one more broker, with SASL_SSL.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from tests.integration.processes import (
    aggregator_service,
    free_port,
    get_json,
    ingest_service,
    post_article,
)
from tests.integration.tls_files import make_tls_files
from tocsin.errors import BrokerAuthenticationError
from tocsin.kafka.admin import ensure_topics, list_topics
from tocsin.kafka.client import client_options
from tocsin.localbroker import (
    QUICK_START_JVM_OPTIONS,
    BrokerSecurity,
    BrokerTls,
    LocalBroker,
    LocalBrokerError,
)
from tocsin.settings import KafkaSettings

pytestmark = pytest.mark.kafka

USERNAME = "tocsin-it"
# Random per run, so that finding it in a log can only mean it leaked there.
PASSWORD = f"pw-{secrets.token_urlsafe(18)}"
WRONG_PASSWORD = f"wrong-{secrets.token_urlsafe(12)}"
START_TIMEOUT = 120.0
PUBLISH_TIMEOUT = 3.0
ARTICLE = {
    "id": f"sasl-{uuid.uuid4().hex[:8]}",
    "published_at": "2024-05-02T08:00:00Z",
    "body": "At least 14 people were killed in Khartoum on Wednesday, medics said.",
}


def _start(data_dir: Path, security: BrokerSecurity) -> LocalBroker:
    broker = LocalBroker(
        data_dir,
        port=free_port(),
        controller_port=free_port(),
        jvm_options=QUICK_START_JVM_OPTIONS,
        security=security,
    )
    try:
        broker.start(timeout=START_TIMEOUT)
    except LocalBrokerError as exc:
        broker.stop()
        pytest.fail(f"could not start a SASL broker: {exc}", pytrace=False)
    return broker


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """One SASL_PLAINTEXT broker for the module, with the login USERNAME / PASSWORD."""
    security = BrokerSecurity(sasl=True, username=USERNAME, password=PASSWORD)
    broker = _start(tmp_path_factory.mktemp("kafka-sasl"), security)
    try:
        yield broker
    finally:
        broker.stop()


def _client_env(bootstrap: str, mechanism: str, password: str) -> dict[str, str]:
    return {
        "TOCSIN_KAFKA_BOOTSTRAP": bootstrap,
        "TOCSIN_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "TOCSIN_KAFKA_SASL_MECHANISM": mechanism,
        "TOCSIN_KAFKA_SASL_USERNAME": USERNAME,
        "TOCSIN_KAFKA_SASL_PASSWORD": password,
    }


def _wait_for(what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def _text_of(folder: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".log", ".out"}
    )


def test_ingest_and_aggregator_count_an_article_over_sasl_plain(
    sasl_broker: LocalBroker, tmp_path: Path
) -> None:
    """Both services, given PLAIN credentials in TOCSIN_KAFKA_*, publish and count an article."""
    bootstrap = sasl_broker.bootstrap
    env = _client_env(bootstrap, "PLAIN", PASSWORD)
    with (
        ingest_service(bootstrap, tmp_path / "ingest", env=env) as ingest,
        aggregator_service(bootstrap, tmp_path / "agg", group="it-sasl", env=env) as agg,
    ):
        post_article(ingest, ARTICLE)
        rows = _wait_for(
            "the aggregator to count the article",
            lambda: get_json(f"{agg.url}/v1/totals?country=SD&outcome=killed")["totals"],
        )
        assert rows[0]["all"] == 14
    service_logs = _text_of(tmp_path)
    assert "SaslAuthenticationFailed" not in service_logs
    assert PASSWORD not in service_logs + _text_of(sasl_broker.data_dir / "logs")


def test_scram_sha_512_round_trip(sasl_broker: LocalBroker) -> None:
    """A record produced and consumed by clients that log in with SCRAM-SHA-512."""
    settings = KafkaSettings(**_settings_fields(sasl_broker.bootstrap, "SCRAM-SHA-512"))
    topic = f"tocsin-it-scram-{uuid.uuid4().hex[:8]}"
    assert ensure_topics(settings, [topic]) == [topic]
    producer = KafkaProducer(**client_options(settings, "it-producer"), acks="all")
    try:
        producer.send(topic, key=b"k", value=b"over SCRAM").get(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer(**client_options(settings, "it-consumer"), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        batches = _wait_for("the record", lambda: consumer.poll(timeout_ms=1000), timeout=30)
        values = [record.value for records in batches.values() for record in records]
        assert values == [b"over SCRAM"]
    finally:
        consumer.close()


def _settings_fields(bootstrap: str, mechanism: str) -> dict[str, Any]:
    return {
        "bootstrap": bootstrap,
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_username": USERNAME,
        "sasl_password": PASSWORD,
    }


def test_the_written_client_settings_reach_the_broker(sasl_broker: LocalBroker) -> None:
    """``sasl/client.env`` (SCRAM-SHA-512, password read from its file) is all a command needs."""
    settings_file = sasl_broker.layout.client_env_file
    env = dict(
        line.split("=", 1)
        for line in settings_file.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["TOCSIN_KAFKA_SASL_PASSWORD_FILE"] == str(sasl_broker.layout.client_password_file)
    assert PASSWORD not in settings_file.read_text()
    done = subprocess.run(
        [sys.executable, "-m", "tocsin", "topics", "create"],
        env=_without_kafka_settings() | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "tocsin.articles.v1" in done.stdout


def _without_kafka_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_KAFKA_")}


def test_wrong_password_gives_503_and_readyz_says_authentication_failed(
    sasl_broker: LocalBroker, tmp_path: Path
) -> None:
    """A rejected login: posts get a bounded 503, /readyz names the failed authentication."""
    bootstrap = sasl_broker.bootstrap
    # A short request timeout bounds how long each readiness check waits for a login.
    env = _client_env(bootstrap, "PLAIN", WRONG_PASSWORD) | {"TOCSIN_KAFKA_REQUEST_TIMEOUT_S": "2"}
    with (
        ingest_service(
            bootstrap,
            tmp_path / "ingest",
            publish_timeout=PUBLISH_TIMEOUT,
            wait_ready=False,
            env=env,
        ) as url,
        aggregator_service(bootstrap, tmp_path / "agg", group="it-sasl-wrong", env=env) as agg,
    ):
        response = httpx.post(
            f"{url}/v1/articles",
            content=orjson.dumps(ARTICLE),
            headers={"content-type": "application/json"},
            # Well past the service's bound: a hang fails here instead of passing.
            timeout=PUBLISH_TIMEOUT + 15,
        )
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "broker_unavailable"
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert ready.status_code == 503
        broker_check = ready.json()["checks"]["broker"]
        assert broker_check.startswith("authentication failed"), broker_check
        assert USERNAME in broker_check
        assert WRONG_PASSWORD not in ready.text
        # The aggregator joins no group, and its /readyz says why.
        agg_ready = _aggregator_readiness_with_error(agg.url)
        assert agg_ready["status"] == "no partitions assigned"
        assert "authentication failed" in agg_ready["error"], agg_ready["error"]
        assert WRONG_PASSWORD not in agg_ready["error"]
    assert WRONG_PASSWORD not in _text_of(tmp_path)


def _aggregator_readiness_with_error(url: str, timeout: float = 60) -> dict[str, Any]:
    """The aggregator's /readyz once it carries a reason (its first attempt takes a while)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = httpx.get(f"{url}/readyz", timeout=10)
        assert answer.status_code == 503, answer.text
        body: dict[str, Any] = answer.json()
        if "error" in body or time.monotonic() > deadline:
            assert "error" in body, f"no reason on /readyz after {timeout:.0f}s: {body}"
            return body
        time.sleep(0.3)


def test_a_rejected_login_is_a_named_error(sasl_broker: LocalBroker) -> None:
    """The library call behind every client raises BrokerAuthenticationError, not a timeout."""
    fields = _settings_fields(sasl_broker.bootstrap, "SCRAM-SHA-512")
    fields |= {"sasl_password": WRONG_PASSWORD, "request_timeout_s": 2}
    with pytest.raises(BrokerAuthenticationError, match=r"^authentication failed") as caught:
        list_topics(KafkaSettings(**fields))
    assert WRONG_PASSWORD not in str(caught.value)


def test_sasl_ssl_with_a_throwaway_ca(tmp_path: Path) -> None:
    """SCRAM-SHA-512 over TLS, checking the broker's certificate and host name; then a
    client without the CA is told that TLS failed, not that the broker is unreachable."""
    tls = make_tls_files(tmp_path / "tls")
    security = BrokerSecurity(
        sasl=True,
        username=USERNAME,
        password=PASSWORD,
        tls=BrokerTls(tls.keystore, tls.keystore_password, tls.cafile),
    )
    broker = _start(tmp_path / "kafka", security)
    try:
        fields = _settings_fields(broker.bootstrap, "SCRAM-SHA-512")
        fields |= {"security_protocol": "SASL_SSL", "request_timeout_s": 3}
        settings = KafkaSettings(**fields, ssl_cafile=tls.cafile)
        topic = f"tocsin-it-tls-{uuid.uuid4().hex[:8]}"
        assert ensure_topics(settings, [topic]) == [topic]
        assert topic in list_topics(settings)
        # In a child process: kafka-python 3.0.12 keeps the socket of a failed TLS
        # handshake (and the IO thread of the failed client) until the process ends,
        # where pytest would report it as an unclosed resource.
        no_ca = {f"TOCSIN_KAFKA_{name.upper()}": str(value) for name, value in fields.items()}
        done = subprocess.run(
            [sys.executable, "-m", "tocsin", "topics", "list"],
            env=_without_kafka_settings() | no_ca,  # trusts only the system's CAs
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1
        assert f"TLS with Kafka at {broker.bootstrap} failed" in done.stderr, done.stderr
        assert "CERTIFICATE_VERIFY_FAILED" in done.stderr
        logs = _text_of(broker.data_dir / "logs")
        assert tls.keystore_password not in logs
        assert PASSWORD not in logs
    finally:
        broker.stop()
