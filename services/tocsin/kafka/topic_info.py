"""Read-only topic metadata: which topics exist, with how many partitions, and are they ready.

Kept apart from ``admin`` (which changes the cluster) so callers that only look,
such as ``tocsin topics list`` and the subscriber, never hold a path to create.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from tocsin.errors import BrokerUnavailableError
from tocsin.kafka.client import client_options
from tocsin.kafka.diagnosis import connect_error
from tocsin.settings import KafkaSettings

_NO_ERROR = 0


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """One existing topic as the cluster's metadata describes it."""

    name: str
    partitions: int
    internal: bool
    ready: bool
    """Every partition has a leader: records can be read and written."""


def _info(raw: dict[str, Any]) -> TopicInfo:
    partitions = raw.get("partitions") or []
    ready = bool(partitions) and all(
        p.get("error_code", _NO_ERROR) == _NO_ERROR and p.get("leader_id", -1) >= 0
        for p in partitions
    )
    return TopicInfo(
        name=str(raw["name"]),
        partitions=len(partitions),
        internal=bool(raw.get("is_internal", False)),
        ready=ready,
    )


def describe_topics(
    settings: KafkaSettings, names: Iterable[str] | None = None
) -> dict[str, TopicInfo]:
    """The existing topics among ``names`` (every topic when None), keyed by name.

    A name that does not exist is simply absent from the result.
    """
    wanted = None if names is None else list(dict.fromkeys(names))
    try:
        admin = KafkaAdminClient(**client_options(settings, "admin"))
    except KafkaError as exc:
        raise connect_error(settings, exc) from exc
    try:
        # An unknown name comes back with an error code (3, UNKNOWN_TOPIC_OR_PARTITION)
        # rather than an exception; such entries are what "absent" means here.
        raw_topics = admin.describe_topics(topics=wanted)
    except KafkaError as exc:
        raise BrokerUnavailableError(
            f"cannot describe topics on {settings.bootstrap}: {exc}"
        ) from exc
    finally:
        admin.close()
    found = (_info(t) for t in raw_topics if t.get("error_code", _NO_ERROR) == _NO_ERROR)
    return {info.name: info for info in sorted(found, key=lambda i: i.name)}
