"""Generate the language-neutral contract in ``schemas/`` from the models.

``render()`` is pure (models in, file contents out); ``write``/``drift`` do the
file I/O so the CLI can regenerate the folder and a test can detect drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from tocsin.contract import topics
from tocsin.contract.article import Article
from tocsin.contract.events import EVENT_MODELS
from tocsin.contract.examples import example_article, example_events

_JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def _schema(model: type[BaseModel], topic: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://tocsin.invalid/schemas/{topic}.schema.json"
    schema["x-kafka-topic"] = topic
    return schema


def render() -> dict[str, bytes]:
    """Return every file of ``schemas/`` as relative path -> bytes."""
    files: dict[str, bytes] = {}
    files[f"{topics.ARTICLES}.schema.json"] = orjson.dumps(
        _schema(Article, topics.ARTICLES), option=_JSON_OPTIONS
    )
    files[f"examples/{topics.ARTICLES}.json"] = orjson.dumps(
        example_article().model_dump(mode="json"), option=_JSON_OPTIONS
    )
    examples = example_events()
    for event_type, model in EVENT_MODELS.items():
        topic = topics.event_topic(event_type)
        files[f"{topic}.schema.json"] = orjson.dumps(_schema(model, topic), option=_JSON_OPTIONS)
        files[f"examples/{topic}.json"] = orjson.dumps(
            examples[event_type].model_dump(mode="json"), option=_JSON_OPTIONS
        )
    return files


def write(directory: Path) -> list[Path]:
    """Write the rendered files under ``directory``; return the paths written."""
    written = []
    for relative, content in render().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written


def drift(directory: Path) -> list[str]:
    """Relative paths whose committed content differs from what the models generate."""
    return [
        relative
        for relative, content in render().items()
        if not (directory / relative).is_file() or (directory / relative).read_bytes() != content
    ]
