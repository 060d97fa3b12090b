"""Read articles from bytes: one JSON object, a JSON array, NDJSON, or plain text.

Parsing is separate from file handling so the same reader serves ``tocsin
extract``, ``tocsin feed`` and tests. Whole-input problems raise ``InputError``;
one bad article in a batch becomes a ``BadArticle`` and the rest still parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from tocsin.contract.article import ArticleIn
from tocsin.contract.problems import summarise
from tocsin.errors import InputError


@dataclass(frozen=True, slots=True)
class BadArticle:
    """An item of a batch that is not a valid article, and why."""

    position: str  # "item 3" or "line 7"
    reason: str


def _article(raw: object, position: str) -> ArticleIn | BadArticle:
    if not isinstance(raw, dict):
        return BadArticle(position, f"expected a JSON object, got {type(raw).__name__}")
    try:
        return ArticleIn.model_validate(raw)
    except ValidationError as exc:
        return BadArticle(position, summarise(exc))


def read_articles(data: bytes, *, name: str = "input") -> Iterator[ArticleIn | BadArticle]:
    """Yield the articles in ``data`` (and the bad items, in order)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start} is invalid)") from exc
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise InputError(f"{name}: empty input, expected an article")
    if stripped[0] == "[":
        try:
            items = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{name}: malformed JSON array: {exc}") from exc
        if not isinstance(items, list):  # pragma: no cover - '[' always parses to a list
            raise InputError(f"{name}: expected a JSON array")
        for i, item in enumerate(items, start=1):
            yield _article(item, f"item {i}")
        return
    if stripped[0] == "{":
        try:
            yield _article(orjson.loads(stripped), "article")
            return
        except orjson.JSONDecodeError:
            pass  # not one object: try one object per line
        yield from _ndjson(stripped, name)
        return
    yield ArticleIn(body=stripped, title=stripped.splitlines()[0][:200])


def _ndjson(text: str, name: str) -> Iterator[ArticleIn | BadArticle]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    parsed_any = False
    for n, line in lines:
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield BadArticle(f"line {n}", f"malformed JSON: {exc}")
            continue
        parsed_any = True
        yield _article(raw, f"line {n}")
    if not parsed_any:
        raise InputError(f"{name}: malformed JSON (neither one object nor NDJSON)")
