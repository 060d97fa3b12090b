"""The ingest HTTP API: answers, idempotency and every kind of bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.ingest.conftest import Api
from tocsin.contract import topics
from tocsin.contract.codec import decode_article, decode_event

ARTICLE = {
    "id": "lima-2024-03-08",
    "title": "Clashes in Lima",
    "source": "Test Wire",
    "published_at": "2024-03-08T10:00:00Z",
    "body": "Twelve protesters were injured in Lima on Thursday, police said. "
    "At least 40 people were arrested, the interior ministry said.",
}
JSON = {"content-type": "application/json"}
NDJSON = {"content-type": "application/x-ndjson"}


def _post(api: Api, body: Any, headers: dict[str, str] | None = None) -> Any:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return api.client.post("/v1/articles", content=data, headers=headers or JSON)


def test_accepts_an_article_and_publishes_its_records(api: Api) -> None:
    """A valid article gets 202 with its event ids, and every record went to the publisher."""
    response = _post(api, ARTICLE)
    assert response.status_code == 202
    body = response.json()
    assert body["article_id"] == "lima-2024-03-08"
    assert body["duplicate"] is False
    assert body["revision"] == 1
    assert {e["type"] for e in body["events"]} == {"casualty"}
    assert len(body["events"]) == 2
    records = api.publisher.records
    assert records[0].topic == topics.ARTICLES
    assert decode_article(records[0].value).id == "lima-2024-03-08"
    published = [decode_event(r.value) for r in records[1:]]
    assert [e.event_id for e in published] == [e["event_id"] for e in body["events"]]
    assert all(r.key == b"PE" for r in records[1:])
    assert api.metric("tocsin_ingest_articles_total", outcome="accepted") == 1
    assert api.metric("tocsin_ingest_events_total", type="casualty") == 2


def test_repost_is_a_duplicate_with_the_same_ids_and_no_new_records(api: Api) -> None:
    """Posting the same article again answers duplicate=true and publishes nothing."""
    first = _post(api, ARTICLE).json()
    count = len(api.publisher.records)
    second = _post(api, ARTICLE)
    assert second.status_code == 202
    assert second.json()["duplicate"] is True
    assert second.json()["events"] == first["events"]
    assert len(api.publisher.records) == count
    assert api.metric("tocsin_ingest_articles_total", outcome="duplicate") == 1


def test_article_without_id_gets_a_content_derived_one(api: Api) -> None:
    """Without an id, the same text gets the same id and is recognised as a duplicate."""
    article = {k: v for k, v in ARTICLE.items() if k != "id"}
    first = _post(api, article).json()
    second = _post(api, article).json()
    assert first["article_id"].startswith("sha256-")
    assert second["article_id"] == first["article_id"]
    assert second["duplicate"] is True


def test_same_id_with_other_content_is_a_conflict(api: Api) -> None:
    """A known id with different text is refused with 409 and a way out."""
    _post(api, ARTICLE)
    changed = ARTICLE | {"body": "Thirteen protesters were injured in Lima, police said."}
    response = _post(api, changed)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "article_conflict"
    assert '"revision": 2' in error["message"]


def test_a_higher_revision_replaces_the_article(api: Api) -> None:
    """With "revision": 2 the changed article is accepted, with new event ids."""
    first = _post(api, ARTICLE).json()
    changed = ARTICLE | {"body": "Thirteen protesters were injured in Lima.", "revision": 2}
    response = _post(api, changed)
    assert response.status_code == 202
    assert response.json()["revision"] == 2
    old_ids = {e["event_id"] for e in first["events"]}
    assert old_ids.isdisjoint(e["event_id"] for e in response.json()["events"])


def test_broker_unavailable_is_503_with_retry_after_and_nothing_remembered(api: Api) -> None:
    """A failed publish answers 503 + Retry-After, and the retry is not a false duplicate."""
    api.publisher.down = True
    response = _post(api, ARTICLE)
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(api.settings.retry_after_s)
    assert response.json()["error"]["code"] == "broker_unavailable"
    api.publisher.down = False
    retry = _post(api, ARTICLE)
    assert retry.status_code == 202
    assert retry.json()["duplicate"] is False
    assert api.metric("tocsin_ingest_publish_errors_total", reason="unavailable") == 1


BAD_INPUTS = [
    pytest.param(b"{not json", JSON, 400, "malformed_json", "not valid JSON", id="malformed-json"),
    pytest.param(b'{"body": "caf\xe9"}', JSON, 400, "invalid_encoding", "not UTF-8", id="latin1"),
    pytest.param(orjson.dumps(ARTICLE), {"content-type": "text/plain"}, 415,
                 "unsupported_media_type", "application/json", id="text-plain"),
    pytest.param(orjson.dumps(ARTICLE), {}, 415, "unsupported_media_type", "application/json",
                 id="no-content-type"),
    pytest.param(b'{"title": "t"}', JSON, 422, "invalid_article", "body: Field required",
                 id="missing-body"),
    pytest.param(b'{"body": "   "}', JSON, 422, "invalid_article", "body must contain text",
                 id="blank-body"),
    pytest.param(b'{"body": 42}', JSON, 422, "invalid_article", "valid string",
                 id="body-not-string"),
    pytest.param(b"[]", JSON, 422, "invalid_article", "expected a JSON object, got an array",
                 id="array-to-single"),
    pytest.param(b'"text"', JSON, 422, "invalid_article", "got a string", id="string-to-single"),
    pytest.param(b'{"body": "x", "published_at": "soon"}', JSON, 422, "invalid_article",
                 "published_at", id="bad-date"),
    pytest.param(b'{"body": "x", "id": ""}', JSON, 422, "invalid_article", "id", id="empty-id"),
    pytest.param(b'{"body": "x", "revision": 0}', JSON, 422, "invalid_article", "revision",
                 id="revision-zero"),
    # Found by tests/fuzz: past 64 bits the index's SQLite INTEGER overflowed (a 500).
    pytest.param(b'{"body": "x", "revision": 9479042603025143808}', JSON, 422, "invalid_article",
                 "revision", id="revision-past-64-bits"),
    pytest.param(b'{"body": "x", "revision": 9007199254740992}', JSON, 422, "invalid_article",
                 "less than or equal to 9007199254740991", id="revision-past-2**53"),
    # Found by tests/fuzz: an offset that moves the time out of years 1-9999 in UTC made
    # the conversion to UTC raise OverflowError (a 500).
    pytest.param(b'{"body": "x", "published_at": "0001-01-01T00:00:01+03:00"}', JSON, 422,
                 "invalid_article", "within the years 1 to 9999", id="published-in-year-0-utc"),
    pytest.param(b'{"body": "x", "published_at": "9999-12-31T23:00:00-05:00"}', JSON, 422,
                 "invalid_article", "within the years 1 to 9999", id="published-in-year-10000-utc"),
    pytest.param(orjson.dumps({"body": "x" * 5000}), JSON, 413, "payload_too_large", "limit",
                 id="too-large"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "headers", "status", "code", "message"), BAD_INPUTS)
def test_bad_input_gets_a_clear_json_error(
    api: Api, body: bytes, headers: dict[str, str], status: int, code: str, message: str
) -> None:
    """Each kind of bad input gets its status code and a JSON error saying what is wrong."""
    response = api.client.post("/v1/articles", content=body, headers=headers)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert message in error["message"]
    assert api.publisher.records == []


def test_the_largest_revision_is_accepted(api: Api) -> None:
    """2**53 - 1, the largest revision, goes through to the index and back."""
    response = _post(api, orjson.dumps(ARTICLE | {"revision": 2**53 - 1}))
    assert response.status_code == 202
    assert response.json()["revision"] == 2**53 - 1


def test_rejected_articles_are_counted(api: Api) -> None:
    """A refused article shows up in the rejected outcome counter."""
    _post(api, b'{"body": ""}')
    assert api.metric("tocsin_ingest_articles_total", outcome="rejected") == 1


def test_batch_reports_each_article(api: Api) -> None:
    """In a batch, valid articles are accepted and each bad one is reported by position."""
    lines = [
        orjson.dumps(ARTICLE),
        b'{"body": ""}',
        b"not json",
        orjson.dumps(ARTICLE),
        orjson.dumps({"body": "Two soldiers were killed in Mopti, officials said."}),
    ]
    response = api.client.post("/v1/articles/batch", content=b"\n".join(lines), headers=NDJSON)
    assert response.status_code == 202
    body = response.json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses[0] in {"accepted", "duplicate"}
    assert statuses[3] in {"accepted", "duplicate"}
    assert {statuses[0], statuses[3]} == {"accepted", "duplicate"}
    assert statuses[1:3] == ["rejected", "rejected"]
    assert statuses[4] == "accepted"
    assert "body must contain text" in body["results"][1]["error"]
    assert "not valid JSON" in body["results"][2]["error"]
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 2)


def test_batch_as_json_array(api: Api) -> None:
    """A JSON array batch is accepted the same way."""
    response = api.client.post("/v1/articles/batch", content=orjson.dumps([ARTICLE]), headers=JSON)
    assert response.status_code == 202
    assert response.json()["accepted"] == 1


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        pytest.param(orjson.dumps([ARTICLE] * 6), JSON, 413, "batch_too_large", id="too-many"),
        pytest.param(b"[]", JSON, 400, "empty_batch", id="empty"),
        pytest.param(orjson.dumps(ARTICLE), JSON, 400, "malformed_batch", id="object-not-array"),
        pytest.param(b"a,b", {"content-type": "text/csv"}, 415, "unsupported_media_type",
                     id="csv"),
    ],
)  # fmt: skip
def test_bad_batches(
    api: Api, body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    """Whole-batch problems are refused with their own status and code."""
    response = api.client.post("/v1/articles/batch", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_batch_where_every_article_is_bad_is_422(api: Api) -> None:
    """A batch with no valid article at all is a 422, still itemised."""
    response = api.client.post("/v1/articles/batch", content=b'[{"body": ""}]', headers=JSON)
    assert response.status_code == 422
    assert response.json()["results"][0]["status"] == "rejected"


def test_batch_with_broker_down_is_503(api: Api) -> None:
    """When the broker is away the batch answers 503 with Retry-After, itemised."""
    api.publisher.down = True
    response = api.client.post("/v1/articles/batch", content=orjson.dumps([ARTICLE]), headers=JSON)
    assert response.status_code == 503
    assert "retry-after" in response.headers
    assert response.json()["results"][0]["status"] == "unavailable"


def test_unknown_route_and_method_are_json_errors(api: Api) -> None:
    """404 and 405 come in the same JSON error shape."""
    missing = api.client.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = api.client.get("/v1/articles")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_health_readiness_and_metrics(api: Api) -> None:
    """healthz and readyz answer, and /metrics exposes the request counters by route."""
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["ready"] is True
    _post(api, ARTICLE)
    text = api.client.get("/metrics").text
    assert (
        'tocsin_ingest_http_requests_total{code="202",method="POST",route="/v1/articles"} 1.0'
        in text
    )
    assert "tocsin_ingest_publish_duration_seconds_bucket" in text


def test_not_ready_answers_503_with_the_documented_checks(tmp_path: Path) -> None:
    """A broker without Tocsin's topics: /readyz is 503 and names them, as documented."""

    async def missing_topics() -> tuple[bool, dict[str, Any]]:
        return False, {"broker": "reachable", "missing_topics": ["tocsin.articles.v1"]}

    api = Api(tmp_path, ready_check=missing_topics)
    answer = api.client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "ready": False,
        "checks": {"broker": "reachable", "missing_topics": ["tocsin.articles.v1"]},
    }
    documented = api.client.get("/openapi.json").json()["paths"]["/readyz"]["get"]["responses"]
    assert {"200", "503"} <= set(documented)


def test_openapi_documents_the_request_body(api: Api) -> None:
    """The OpenAPI document describes the article body, so clients and fuzzers can use it."""
    spec = api.client.get("/openapi.json").json()
    body = spec["paths"]["/v1/articles"]["post"]["requestBody"]["content"]["application/json"]
    assert "body" in body["schema"]["properties"]
