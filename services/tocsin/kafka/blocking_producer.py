"""Send raw records and block until the broker acknowledged every one of them.

The aggregator writes dead letters with it: a consumed offset may be committed
past a bad message only once its dead letter is safely on the broker, and the
consumer loop is synchronous anyway (unlike the ingest publisher's async one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import (
    InvalidRecordError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)

from tocsin.errors import BrokerUnavailableError, PublishError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.settings import KafkaSettings

log = logging.getLogger(__name__)

_PERMANENT = (MessageSizeTooLargeError, RecordListTooLargeError, InvalidRecordError)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record to send as is: key and value may be absent, as they were on the source."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


class BlockingProducer:
    """An idempotent, acks=all producer whose ``send_all`` returns once all are acked."""

    def __init__(self, settings: KafkaSettings, *, timeout_s: float, role: str) -> None:
        self._settings = settings
        self._timeout_s = timeout_s
        self._role = role
        self._producer: Any = None

    def _connect(self) -> Any:
        if self._producer is None:
            timeout_ms = int(self._timeout_s * 1000)
            try:
                self._producer = KafkaProducer(
                    **client_options(self._settings, self._role),
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=0,
                    max_block_ms=timeout_ms,
                    delivery_timeout_ms=max(
                        timeout_ms, int(self._settings.request_timeout_s * 1000) + 100
                    ),
                    allow_auto_create_topics=False,
                )
            except KafkaError as exc:
                raise connect_error(self._settings, exc) from exc
        return self._producer

    def send_all(self, records: Sequence[RawRecord]) -> None:
        """Send ``records`` and wait for every acknowledgement, within the timeout."""
        if not records:
            return
        producer = self._connect()
        deadline = time.monotonic() + self._timeout_s
        futures = []
        try:
            for r in records:
                futures.append(producer.send(r.topic, value=r.value, key=r.key, headers=r.headers))
            for future, record in zip(futures, records, strict=True):
                future.get(timeout=max(0.0, deadline - time.monotonic()))
                log.debug("acknowledged on %s", record.topic)
        except _PERMANENT as exc:
            raise PublishError(f"record refused: {exc}", topic=records[0].topic) from exc
        except KafkaTimeoutError as exc:
            raise BrokerUnavailableError(
                f"no acknowledgement within {self._timeout_s:g}s: {exc}"
            ) from exc
        except KafkaError as exc:
            raise BrokerUnavailableError(f"send failed: {exc}") from exc

    def close(self) -> None:
        """Flush and close (bounded by the timeout)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.flush(timeout=self._timeout_s)
            except KafkaError as exc:
                log.warning("flush on close failed: %s", exc)
            producer.close(timeout=self._timeout_s)
