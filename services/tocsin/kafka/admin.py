"""Topic management: create Tocsin's topics when missing, list what exists."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from tocsin.contract import topics
from tocsin.errors import BrokerUnavailableError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.settings import KafkaSettings

log = logging.getLogger(__name__)


def _admin(settings: KafkaSettings) -> KafkaAdminClient:
    try:
        return KafkaAdminClient(**client_options(settings, "admin"))
    except KafkaError as exc:
        raise connect_error(settings, exc) from exc


def list_topics(settings: KafkaSettings) -> list[str]:
    """Names of the topics on the cluster, sorted."""
    admin = _admin(settings)
    try:
        return sorted(admin.list_topics())
    except KafkaError as exc:
        raise BrokerUnavailableError(f"cannot list topics: {exc}") from exc
    finally:
        admin.close()


def ensure_topics(settings: KafkaSettings, names: Iterable[str] = topics.ALL_TOPICS) -> list[str]:
    """Create whichever of ``names`` do not exist yet; return the ones created."""
    admin = _admin(settings)
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        created = []
        for name in missing:
            # One call per topic, so a topic created concurrently by another
            # instance does not hide the outcome of the others.
            try:
                admin.create_topics(
                    [NewTopic(name, settings.partitions, settings.replication_factor)],
                    timeout_ms=int(settings.request_timeout_s * 1000),
                )
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info(
                "created topics %s (partitions=%d, replication=%d)",
                ", ".join(created),
                settings.partitions,
                settings.replication_factor,
            )
        return created
    except KafkaError as exc:
        raise BrokerUnavailableError(f"cannot create topics: {exc}") from exc
    finally:
        admin.close()
