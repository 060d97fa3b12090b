"""Deterministic event ids.

An id is a UUIDv5 (RFC 9562) over the article id, the extractor version and the
event's identifying key, so re-posting or re-processing an article yields the
same ids and consumers can drop duplicates. UUIDv5 is computable in any
language from the namespace below.
"""

from __future__ import annotations

import uuid

EVENT_ID_NAMESPACE = uuid.UUID("5f0d7e0c-3a41-4b8e-9b0a-7c1f5e2d9a11")
_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in the parts we join


def event_id(article_id: str, extractor_version: str, event_type: str, *key: object) -> str:
    """Return the deterministic id of one event of one article."""
    name = _SEPARATOR.join([article_id, extractor_version, event_type, *map(str, key)])
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, name))
