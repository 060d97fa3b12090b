"""The end offsets of the event topics: how far the aggregator must get to have seen it all."""

from __future__ import annotations

from collections.abc import Iterable

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from tocsin.errors import BrokerUnavailableError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.settings import KafkaSettings

TP = tuple[str, int]


def end_offsets(settings: KafkaSettings, names: Iterable[str]) -> dict[TP, int]:
    """The offset after the last record of every partition of ``names``, read without a group."""
    try:
        consumer = KafkaConsumer(**client_options(settings, "up"), enable_auto_commit=False)
    except KafkaError as exc:
        raise connect_error(settings, exc) from exc
    try:
        parts = [
            TopicPartition(name, p)
            for name in names
            for p in sorted(consumer.partitions_for_topic(name) or ())
        ]
        ends = consumer.end_offsets(parts)
    except KafkaError as exc:
        raise BrokerUnavailableError(f"cannot read end offsets: {exc}") from exc
    finally:
        consumer.close()
    return {(str(tp.topic), int(tp.partition)): int(end) for tp, end in ends.items()}
