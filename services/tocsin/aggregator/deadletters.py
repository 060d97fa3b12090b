"""Read a consumed record as an event, or say why not and build its dead letter. Pure.

Reasons (the ``reason`` header, and the label of ``dead_lettered_total``):

- ``decode_error``  the value is not UTF-8 JSON (or is absent: a tombstone)
- ``unknown_type``  JSON whose ``type`` is not an event type this version knows
- ``schema_error``  JSON that fails validation against the event contract
- ``wrong_topic``   a valid event on the topic of another type; applying it would
  put its figures on a partition that does not own its country
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import orjson

from tocsin.contract.codec import decode_event
from tocsin.contract.events import EVENT_TYPES, Event, EventType
from tocsin.errors import MessageDecodeError, MessageSchemaError

Reason = Literal["decode_error", "unknown_type", "schema_error", "wrong_topic"]
REASONS: Final[tuple[Reason, ...]] = ("decode_error", "unknown_type", "schema_error", "wrong_topic")
_DETAIL_LIMIT = 500  # characters of the error kept in the "error" header


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record is not applied."""

    reason: Reason
    detail: str


def read_event(value: bytes | None, expected: EventType) -> Event | Rejection:
    """The event in ``value`` if it is a valid ``expected`` event, else the rejection."""
    if value is None:
        return Rejection("decode_error", "no value (a tombstone)")
    try:
        event = decode_event(value)
    except MessageDecodeError as exc:
        return Rejection("decode_error", str(exc))
    except MessageSchemaError as exc:
        # The slow path parses again to tell an unknown type from a broken event.
        raw = orjson.loads(value)
        kind = raw.get("type") if isinstance(raw, dict) else None
        if isinstance(kind, str) and kind not in EVENT_TYPES:
            return Rejection("unknown_type", f"unknown event type {kind!r}")
        return Rejection("schema_error", str(exc))
    if event.type != expected:
        return Rejection("wrong_topic", f"a {event.type} event on the {expected} topic")
    return event


def dead_letter_headers(
    rejection: Rejection, *, topic: str, partition: int, offset: int
) -> list[tuple[str, bytes]]:
    """Headers of a dead letter: why, and where the original was read."""
    return [
        ("reason", rejection.reason.encode()),
        ("source-topic", topic.encode()),
        ("source-partition", str(partition).encode()),
        ("source-offset", str(offset).encode()),
        ("error", rejection.detail[:_DETAIL_LIMIT].encode()),
    ]
