"""Reading records: valid events pass; everything else gets a reason for the dead-letter topic."""

from __future__ import annotations

import orjson
import pytest

from tests.aggregator.factory import casualty, statement
from tocsin.aggregator.deadletters import Rejection, dead_letter_headers, read_event
from tocsin.contract.codec import encode

GOOD = casualty("KZ", "killed", "militants", 26)


def _without(field: str) -> bytes:
    raw = orjson.loads(encode(GOOD))
    del raw[field]
    return orjson.dumps(raw)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\x00\x01 not json", "decode_error"),
        (b"\xff\xfe", "decode_error"),
        (None, "decode_error"),
        (b'{"type": "rumour", "event_id": "x"}', "unknown_type"),
        (_without("count"), "schema_error"),
        (_without("type"), "schema_error"),
        (b"[1, 2, 3]", "schema_error"),
        (encode(statement("KZ", "Tokayev", "They must be destroyed.")), "wrong_topic"),
    ],
    ids=[
        "binary",
        "not-utf8",
        "tombstone",
        "unknown-type",
        "missing-field",
        "no-type",
        "array",
        "wrong-topic",
    ],
)
def test_bad_records_are_rejected_with_their_reason(value: bytes | None, reason: str) -> None:
    """Each kind of bad record is named by its reason code, with a readable detail."""
    result = read_event(value, "casualty")
    assert isinstance(result, Rejection)
    assert result.reason == reason
    assert result.detail


def test_a_valid_event_of_the_topic_type_is_read() -> None:
    """A valid casualty event on the casualty topic is returned as the event."""
    assert read_event(encode(GOOD), "casualty") == GOOD


def test_dead_letter_headers_say_why_and_where() -> None:
    """reason, source-topic, source-partition and source-offset, plus a bounded error text."""
    headers = dict(
        dead_letter_headers(
            Rejection("unknown_type", "x" * 2000),
            topic="tocsin.events.casualty.v1",
            partition=2,
            offset=41,
        )
    )
    assert headers["reason"] == b"unknown_type"
    assert headers["source-topic"] == b"tocsin.events.casualty.v1"
    assert headers["source-partition"] == b"2"
    assert headers["source-offset"] == b"41"
    assert len(headers["error"]) == 500
