"""The event contract: models, ids, wire codec and the generated schemas/ folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from tests.conftest import REPO
from tocsin.contract import schema_files, topics
from tocsin.contract.article import ArticleIn
from tocsin.contract.codec import decode_article, decode_event, encode
from tocsin.contract.events import EVENT_MODELS, Count, Evidence
from tocsin.contract.examples import example_article, example_events
from tocsin.contract.ids import event_id
from tocsin.errors import MessageDecodeError, MessageSchemaError

SCHEMAS = REPO / "schemas"


def _schema(topic: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads((SCHEMAS / f"{topic}.schema.json").read_bytes())
    return loaded


def test_committed_schemas_match_the_models() -> None:
    """schemas/ is exactly what the models generate (run `tocsin schemas write` to refresh)."""
    assert schema_files.drift(SCHEMAS) == []


def test_drift_is_detected(tmp_path: Path) -> None:
    """A changed schema file is reported as drift."""
    schema_files.write(tmp_path)
    target = tmp_path / f"{topics.event_topic('curfew')}.schema.json"
    target.write_bytes(target.read_bytes().replace(b"curfew", b"curfews"))
    assert schema_files.drift(tmp_path) == [target.name]


@pytest.mark.parametrize("event_type", list(EVENT_MODELS))
def test_examples_validate_against_their_json_schema(event_type: str) -> None:
    """Each committed example message validates against its topic's JSON Schema."""
    topic = topics.event_topic(event_type)  # type: ignore[arg-type]  # keys are EventType
    example = orjson.loads((SCHEMAS / "examples" / f"{topic}.json").read_bytes())
    jsonschema.validate(example, _schema(topic))


def test_article_example_validates() -> None:
    """The stored-article example validates against the articles topic schema."""
    example = orjson.loads((SCHEMAS / "examples" / f"{topics.ARTICLES}.json").read_bytes())
    jsonschema.validate(example, _schema(topics.ARTICLES))


def test_schema_rejects_a_wrong_type() -> None:
    """The casualty schema refuses an event whose outcome is not in the enum."""
    bad = example_events()["casualty"].model_dump(mode="json") | {"outcome": "vanished"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, _schema(topics.event_topic("casualty")))


@pytest.mark.parametrize("event_type", list(EVENT_MODELS))
def test_codec_round_trip(event_type: str) -> None:
    """encode then decode_event gives back an equal event of the same type."""
    event = example_events()[event_type]
    assert decode_event(encode(event)) == event


def test_article_round_trip() -> None:
    """encode then decode_article gives back an equal article."""
    article = example_article()
    assert decode_article(encode(article)) == article


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"\xff\xfe", MessageDecodeError),
        (b"{not json", MessageDecodeError),
        (b"[]", MessageSchemaError),
        (b'{"type": "weather"}', MessageSchemaError),
        (b'{"type": "casualty"}', MessageSchemaError),
    ],
    ids=["not-utf8", "not-json", "array", "unknown-type", "missing-fields"],
)
def test_decode_errors_are_named(payload: bytes, error: type[Exception]) -> None:
    """Corrupt bytes and contract violations raise distinct named errors."""
    with pytest.raises(error):
        decode_event(payload)


def test_schema_error_says_where() -> None:
    """A schema error names the offending field."""
    bad = example_events()["casualty"].model_dump(mode="json") | {"confidence": 3}
    with pytest.raises(MessageSchemaError, match="confidence"):
        decode_event(orjson.dumps(bad))


def test_event_ids_are_deterministic_and_distinct() -> None:
    """Same inputs give the same UUID; any differing part gives another."""
    a = event_id("art-1", "0.1.0", "casualty", 120, "killed")
    assert a == event_id("art-1", "0.1.0", "casualty", 120, "killed")
    assert len({a, event_id("art-2", "0.1.0", "casualty", 120, "killed"),
                event_id("art-1", "0.2.0", "casualty", 120, "killed"),
                event_id("art-1", "0.1.0", "casualty", 121, "killed"),
                event_id("art-1", "0.1.0", "casualty", 120, "injured")}) == 5  # fmt: skip


def test_evidence_span_must_match_text_length() -> None:
    """Evidence whose offsets disagree with its text is refused."""
    with pytest.raises(ValueError, match="end - start"):
        Evidence(text="abc", start=0, end=5)


def test_count_bounds_must_be_ordered() -> None:
    """A count whose low exceeds high is refused."""
    with pytest.raises(ValueError, match="low must not exceed high"):
        Count(low=10, high=5, text="10")


def test_article_id_defaults_to_content_hash() -> None:
    """Without an id, the same title and body always give the same derived id."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    a = ArticleIn(title="T", body="Five people were killed.").resolve(received_at=now)
    b = ArticleIn(title="T", body="Five people were killed.").resolve(received_at=now)
    c = ArticleIn(title="T", body="Six people were killed.").resolve(received_at=now)
    assert a.id == b.id != c.id
    assert a.id.startswith("sha256-")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "   "}, "body must contain text"),
        ({"body": "x", "id": "bad\x00id"}, "printable"),
        ({"body": "x", "published_at": "yesterday"}, "datetime"),
        ({"title": "no body"}, "body"),
    ],
    ids=["blank-body", "control-char-id", "bad-date", "missing-body"],
)
def test_article_validation_messages(fields: dict[str, Any], message: str) -> None:
    """Invalid articles are refused with a message naming the problem."""
    with pytest.raises(ValueError, match=message):
        ArticleIn.model_validate(fields)


def test_naive_publication_time_is_utc() -> None:
    """A publication time without a zone is read as UTC."""
    article = ArticleIn(body="x", published_at=dt.datetime(2022, 1, 7, 18, 0))
    assert article.published_at == dt.datetime(2022, 1, 7, 18, 0, tzinfo=dt.UTC)
