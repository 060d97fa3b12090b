"""Wire format: events and articles as compact UTF-8 JSON (orjson), and back.

Decoding is two explicit steps (JSON, then model validation) so a consumer can
tell a corrupt message from one that violates the contract when dead-lettering.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from tocsin.contract.article import Article
from tocsin.contract.events import Event
from tocsin.contract.problems import summarise
from tocsin.errors import MessageDecodeError, MessageSchemaError

CONTENT_TYPE = "application/json"

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def encode(model: Event | Article) -> bytes:
    """Serialise an event or article to compact JSON bytes."""
    return orjson.dumps(model.model_dump(mode="json"))


def _loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MessageDecodeError(f"not valid UTF-8 JSON: {exc}") from exc


def decode_event(data: bytes | str) -> Event:
    """Parse and validate one event of any type."""
    raw = _loads(data)
    try:
        return _EVENT_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise MessageSchemaError(
            f"event does not match the contract: {summarise(exc)}",
            errors=[dict(e) for e in exc.errors(include_url=False)],
        ) from exc


def decode_article(data: bytes | str) -> Article:
    """Parse and validate one stored article."""
    raw = _loads(data)
    try:
        return Article.model_validate(raw)
    except ValidationError as exc:
        raise MessageSchemaError(
            f"article does not match the contract: {summarise(exc)}",
            errors=[dict(e) for e in exc.errors(include_url=False)],
        ) from exc
