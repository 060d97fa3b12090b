"""Event ids are exactly UUIDv5 over the namespace, whatever the parts hold."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from tocsin.contract.ids import EVENT_ID_NAMESPACE, event_id

# Any text that UTF-8 can encode (uuid.uuid5 raises on lone surrogates, and so do we).
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@given(_TEXT, _TEXT, st.lists(st.one_of(_TEXT, st.integers()), max_size=4))
def test_event_id_is_the_standard_uuid5(
    article_id: str, event_type: str, key: list[object]
) -> None:
    name = "\x1f".join([article_id, "0.1.0", event_type, *map(str, key)])
    expected = str(uuid.uuid5(EVENT_ID_NAMESPACE, name))
    assert event_id(article_id, "0.1.0", event_type, *key) == expected


def test_event_id_has_version_5_and_the_rfc_variant() -> None:
    parsed = uuid.UUID(event_id("article-1", "0.1.0", "casualty", 17, "killed"))
    assert parsed.version == 5
    assert parsed.variant == uuid.RFC_4122
