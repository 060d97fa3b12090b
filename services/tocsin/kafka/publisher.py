"""Publish records to Kafka and wait, without blocking the event loop, for every ack.

The ingest service answers 202 only after this returns: each record was
acknowledged by all in-sync replicas (acks=all, idempotent producer). Anything
else within the deadline is ``BrokerUnavailableError`` (retry later) or
``PublishError`` (the broker refused a record for good).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kafka import KafkaProducer
from kafka.errors import (
    InvalidRecordError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    UnknownTopicOrPartitionError,
)

from tocsin.errors import BrokerUnavailableError, PublishError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.kafka.records import Record
from tocsin.settings import KafkaSettings

log = logging.getLogger(__name__)

# Errors a retry cannot fix; everything else from the broker counts as "unavailable".
_RECONNECT_BACKOFF_S = 3.0
_PERMANENT = (MessageSizeTooLargeError, RecordListTooLargeError, InvalidRecordError)


class KafkaPublisher:
    """An idempotent, acks=all producer with an async, deadline-bounded ``publish``."""

    def __init__(self, settings: KafkaSettings, *, timeout_s: float) -> None:
        self._settings = settings
        self._timeout_s = timeout_s
        self._producer: Any = None
        self._lock = threading.Lock()
        self._failed_at = -float("inf")
        self._failure: BrokerUnavailableError | None = None
        # send() can block while metadata is fetched, so it runs off the event loop.
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tocsin-publish")

    def _create(self) -> Any:
        with self._lock:
            if self._producer is None:
                # kafka-python leaves a thread and sockets behind for each constructor that
                # cannot connect, so while the broker is away, try at most every few seconds.
                if time.monotonic() - self._failed_at < _RECONNECT_BACKOFF_S:
                    # The same kind and reason as that attempt: a rejected login stays one.
                    failure = self._failure or BrokerUnavailableError("unreachable")
                    raise type(failure)(f"{failure} (moments ago; retrying in a few seconds)")
                timeout_ms = int(self._timeout_s * 1000)
                try:
                    options = client_options(self._settings, "ingest")
                    # Connecting must not outlast the answer the client is waiting for.
                    options["bootstrap_timeout_ms"] = min(
                        options["bootstrap_timeout_ms"], timeout_ms
                    )
                    self._producer = KafkaProducer(
                        **options,
                        acks="all",
                        enable_idempotence=True,
                        compression_type=(
                            None
                            if self._settings.compression == "none"
                            else self._settings.compression
                        ),
                        linger_ms=2,
                        max_block_ms=timeout_ms,
                        delivery_timeout_ms=max(
                            timeout_ms, int(self._settings.request_timeout_s * 1000) + 100
                        ),
                        allow_auto_create_topics=False,
                    )
                except KafkaError as exc:
                    self._failure = connect_error(self._settings, exc)
                    self._failed_at = time.monotonic()
                    raise self._failure from exc
                log.info("producer connected to %s", self._settings.bootstrap)
            return self._producer

    def _send_all(self, records: Sequence[Record]) -> list[Any]:
        producer = self._create()
        futures = []
        for record in records:
            try:
                futures.append(
                    producer.send(
                        record.topic, value=record.value, key=record.key, headers=record.headers
                    )
                )
            except KafkaTimeoutError as exc:
                raise BrokerUnavailableError(
                    f"no metadata for {record.topic} within {self._timeout_s:g}s: {exc}"
                ) from exc
            except _PERMANENT as exc:
                raise PublishError(f"record refused: {exc}", topic=record.topic) from exc
            except KafkaError as exc:
                raise BrokerUnavailableError(f"send to {record.topic} failed: {exc}") from exc
        return futures

    async def publish(self, records: Sequence[Record]) -> None:
        """Send ``records`` and return once every one is acknowledged, within the deadline."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self._timeout_s
        try:
            kafka_futures = await asyncio.wait_for(
                loop.run_in_executor(self._executor, self._send_all, records), self._timeout_s
            )
        except TimeoutError as exc:
            raise BrokerUnavailableError(
                f"could not hand records to Kafka within {self._timeout_s:g}s"
            ) from exc
        waiters = [
            self._bridge(loop, f, r.topic) for f, r in zip(kafka_futures, records, strict=True)
        ]
        remaining = max(0.0, deadline - time.monotonic())
        try:
            await asyncio.wait_for(asyncio.gather(*waiters), remaining)
        except TimeoutError as exc:
            raise BrokerUnavailableError(
                f"broker did not acknowledge within {self._timeout_s:g}s"
            ) from exc

    @staticmethod
    def _bridge(loop: asyncio.AbstractEventLoop, future: Any, topic: str) -> asyncio.Future[None]:
        """An asyncio future settled by the producer's I/O thread when the record is acked."""
        waiter: asyncio.Future[None] = loop.create_future()

        def settle(exc: BaseException | None) -> None:
            if waiter.done():
                return
            if exc is None:
                waiter.set_result(None)
            elif isinstance(exc, _PERMANENT):
                waiter.set_exception(PublishError(f"record refused: {exc}", topic=topic))
            elif isinstance(exc, UnknownTopicOrPartitionError):
                waiter.set_exception(BrokerUnavailableError(f"topic {topic} does not exist"))
            else:
                waiter.set_exception(BrokerUnavailableError(f"delivery to {topic} failed: {exc}"))

        future.add_callback(lambda _meta: loop.call_soon_threadsafe(settle, None))
        future.add_errback(lambda exc: loop.call_soon_threadsafe(settle, exc))
        return waiter

    def close(self, timeout_s: float = 10.0) -> None:
        """Flush what is buffered and close the producer."""
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.flush(timeout=timeout_s)
            except KafkaError as exc:
                log.warning("flush on close failed: %s", exc)
            try:
                # kafka-python's close() flushes again and raises the same timeout.
                producer.close(timeout=timeout_s)
            except KafkaError as exc:
                log.warning("producer close did not finish cleanly: %s", exc)
        self._executor.shutdown(wait=False, cancel_futures=True)
