"""Deterministic event ids.

An id is a UUIDv5 (RFC 9562) over the article id, the extractor version and the
event's identifying key, so re-posting or re-processing an article yields the
same ids and consumers can drop duplicates. UUIDv5 is computable in any
language from the namespace below.
"""

from __future__ import annotations

import hashlib
import uuid

EVENT_ID_NAMESPACE = uuid.UUID("5f0d7e0c-3a41-4b8e-9b0a-7c1f5e2d9a11")
_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in the parts we join
_NAMESPACE_BYTES = EVENT_ID_NAMESPACE.bytes
# The variant field (RFC 9562): the two top bits of hex digit 16 become "10", so that
# digit's low two bits pick one of "89ab".
_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) & 0b11] for digit in "0123456789abcdef"}


def event_id(article_id: str, extractor_version: str, event_type: str, *key: object) -> str:
    """Return the deterministic id of one event of one article.

    The same string ``str(uuid.uuid5(EVENT_ID_NAMESPACE, name))`` gives, built from the
    SHA-1 hex digest directly: ``uuid.UUID`` goes through a 128-bit integer and
    formats it back, which made up most of the cost (about 4.5 against 1.6 µs).
    """
    parts = [article_id, extractor_version, event_type]
    # A loop rather than ``*map(str, key)``: compiled, unpacking a map into a list costs
    # twice the rest of the join.
    for part in key:
        parts.append(part if type(part) is str else str(part))
    name = _SEPARATOR.join(parts)
    digest = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8"), usedforsecurity=False)
    h = digest.hexdigest()
    # Hex digit 12 holds the version (5); digit 16 the variant; the rest is the hash.
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:32]}"
