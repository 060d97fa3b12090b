"""Fixtures for integration tests: one real Kafka broker for the whole test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tocsin.localbroker import QUICK_START_JVM_OPTIONS, LocalBroker, LocalBrokerError

EXTERNAL_BOOTSTRAP_ENV = "TOCSIN_TEST_KAFKA_BOOTSTRAP"
# Generous: the 2-core CI machine may be busy; the first jar download is not counted.
SESSION_START_TIMEOUT = 120.0


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the bootstrap address of $TOCSIN_TEST_KAFKA_BOOTSTRAP or of a session LocalBroker."""
    # The broker is shared by every test of the session: each test isolates itself
    # with its own topic names and consumer groups instead of relying on order.
    external = os.environ.get(EXTERNAL_BOOTSTRAP_ENV)
    if external:
        yield external
        return
    broker = LocalBroker(tmp_path_factory.mktemp("kafka"), jvm_options=QUICK_START_JVM_OPTIONS)
    try:
        bootstrap = broker.start(timeout=SESSION_START_TIMEOUT)
    except LocalBrokerError as exc:
        # Stop whatever half-started before failing every test that asked for Kafka.
        broker.stop()
        pytest.fail(f"could not start the test session's Kafka broker: {exc}", pytrace=False)
    try:
        yield bootstrap
    finally:
        broker.stop()
