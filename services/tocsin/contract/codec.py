"""Wire format: events and articles as compact UTF-8 JSON (orjson), and back.

Decoding is two explicit steps (JSON, then model validation) so a consumer can
tell a corrupt message from one that violates the contract when dead-lettering.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import TypeAdapter, ValidationError

from tocsin.contract.article import Article
from tocsin.contract.events import Event
from tocsin.contract.problems import summarise
from tocsin.errors import MessageDecodeError, MessageSchemaError

CONTENT_TYPE = "application/json"

T = TypeVar("T")

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
_ARTICLE_ADAPTER: TypeAdapter[Article] = TypeAdapter(Article)


def encode(model: Event | Article) -> bytes:
    """Serialise an event or article to compact JSON bytes."""
    return orjson.dumps(model.model_dump(mode="json"))


def _loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MessageDecodeError(f"not valid UTF-8 JSON: {exc}") from exc


def _decode(adapter: TypeAdapter[T], data: bytes | str, what: str) -> T:
    raw = _loads(data)
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        raise MessageSchemaError(
            f"{what} does not match the contract: {summarise(exc)}",
            errors=[dict(e) for e in exc.errors(include_url=False)],
        ) from exc


def decode_event(data: bytes | str) -> Event:
    """Parse and validate one event of any type."""
    return _decode(_EVENT_ADAPTER, data, "event")


def decode_article(data: bytes | str) -> Article:
    """Parse and validate one stored article."""
    return _decode(_ARTICLE_ADAPTER, data, "article")
