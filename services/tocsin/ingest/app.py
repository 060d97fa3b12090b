"""The ingest HTTP API (FastAPI): routes, body limits, content types, error answers.

POST /v1/articles         one article (application/json)
POST /v1/articles/batch   a JSON array or NDJSON of articles
GET  /healthz /readyz /metrics (see ops.py; on a separate listener when configured)

With API keys configured, the two POST routes need one (see auth.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from tocsin.contract.article import ArticleIn
from tocsin.contract.problems import field_problems, summarise
from tocsin.errors import BrokerUnavailableError, PublishError
from tocsin.http_common import (
    ApiError,
    ErrorDetail,
    ErrorResponse,
    JsonResponse,
    service_app,
)
from tocsin.ingest.auth import UNAUTHORIZED, require_api_key
from tocsin.ingest.keys import KeyRing
from tocsin.ingest.metrics import IngestMetrics
from tocsin.ingest.ops import ReadyCheck, ops_router
from tocsin.ingest.service import (
    Accepted,
    ArticleConflictError,
    IngestService,
    TooManyEventsError,
)
from tocsin.settings import IngestSettings

_NDJSON_TYPES = frozenset(["application/x-ndjson", "application/jsonl", "application/ndjson"])


class EventRef(BaseModel):
    """An event published for an article."""

    event_id: str
    type: str


class ArticleAccepted(BaseModel):
    """The answer for one accepted article."""

    article_id: str
    revision: int
    duplicate: bool
    events: list[EventRef]


class BatchItem(BaseModel):
    """The outcome of one article of a batch, by its position (0-based)."""

    index: int
    status: Literal["accepted", "duplicate", "rejected", "conflict", "unavailable"]
    article_id: str | None = None
    revision: int | None = None
    events: list[EventRef] = []
    error: str | None = None
    details: list[ErrorDetail] = []


class BatchAccepted(BaseModel):
    """The answer for a batch: counts and one item per article."""

    accepted: int
    duplicates: int
    rejected: int
    unavailable: int
    results: list[BatchItem]


_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}


def _answer(text: str, model: type[BaseModel] = ErrorResponse, **extra: Any) -> dict[str, Any]:
    """One documented answer of a route: its description and body model."""
    return {"model": model, "description": text, **extra}


# Every status each write route can answer besides its 202, with the body it then has.
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _answer("malformed JSON or not UTF-8"),
    409: _answer("the article id is known with other content"),
    413: _answer("body too large"),
    415: _answer("wrong content type"),
    422: _answer("valid JSON that is not a valid article, or one yielding too many events"),
    503: _answer(
        "the broker did not acknowledge in time; retry after Retry-After seconds",
        headers=_RETRY_AFTER,
    ),
}
# A batch is answered item by item: conflicts and refused articles are items, and
# the 422 and 503 carry the itemised answer too.
_BATCH_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: _answer("malformed JSON, not UTF-8, not an array, or no articles"),
    413: _answer("body too large, or more articles than a batch may hold"),
    415: _answer("neither a JSON array nor NDJSON"),
    422: _answer("every article of the batch was refused", BatchAccepted),
    503: _answer(
        "the broker did not acknowledge some articles in time; retry those after "
        "Retry-After seconds",
        BatchAccepted,
        headers=_RETRY_AFTER,
    ),
}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "payload_too_large", f"body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "payload_too_large", f"body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(data: bytes) -> Any:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, "invalid_encoding", f"body is not UTF-8 (invalid byte at offset {exc.start})"
        ) from exc
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"body is not valid JSON: {exc}") from exc


def _validate(raw: Any) -> ArticleIn:
    if not isinstance(raw, dict):
        raise ApiError(422, "invalid_article", f"expected a JSON object, got {_kind(raw)}")
    try:
        return ArticleIn.model_validate(raw)
    except ValidationError as exc:
        details = [ErrorDetail(field=f, message=m) for f, m in field_problems(exc)]
        summary = summarise(exc)
        raise ApiError(
            422, "invalid_article", f"not a valid article: {summary}", details=details
        ) from exc


def _kind(raw: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number",
            bool: "a boolean", type(None): "null"}.get(type(raw), type(raw).__name__)  # fmt: skip


async def _read_batch(request: Request, settings: IngestSettings) -> tuple[list[Any], list[int]]:
    """The batch's items (parsed JSON, or the ApiError of an unparsable line) and sizes."""
    media = _media_type(request)
    limit = settings.max_article_bytes * settings.max_batch_articles
    if media == "application/json":
        raw = _parse_json(await _read_body(request, limit))
        if not isinstance(raw, list):
            raise ApiError(400, "malformed_batch", f"expected a JSON array, got {_kind(raw)}")
        return raw, [len(orjson.dumps(item)) for item in raw]
    if media in _NDJSON_TYPES:
        body = await _read_body(request, limit)
        items: list[Any] = []
        sizes: list[int] = []
        for line in body.split(b"\n"):
            if not line.strip():
                continue
            try:
                items.append(_parse_json(line))
            except ApiError as exc:
                items.append(exc)  # reported for this line; the other lines go on
            sizes.append(len(line))
        return items, sizes
    raise ApiError(
        415,
        "unsupported_media_type",
        "send a batch as application/json (an array) or application/x-ndjson",
    )


def _refs(accepted: Accepted) -> list[EventRef]:
    return [EventRef(event_id=i, type=t) for i, t in accepted.events]


async def _batch_item(
    index: int,
    item: Any,
    size: int,
    *,
    settings: IngestSettings,
    metrics: IngestMetrics,
    accept: Callable[[ArticleIn], Awaitable[Accepted]],
) -> BatchItem:
    """Validate and accept one article of a batch; failures become its item's status."""
    try:
        if isinstance(item, ApiError):
            raise item
        if size > settings.max_article_bytes:
            raise ApiError(
                413,
                "payload_too_large",
                f"article is {size} bytes; the limit is {settings.max_article_bytes}",
            )
        article = _validate(item)
    except ApiError as exc:
        metrics.articles.labels("rejected").inc()
        return BatchItem(index=index, status="rejected", error=exc.message, details=exc.details)
    try:
        accepted = await accept(article)
    except ApiError as exc:
        status: Literal["conflict", "unavailable", "rejected"] = (
            "conflict" if exc.status == 409 else "unavailable" if exc.status == 503 else "rejected"
        )
        return BatchItem(index=index, status=status, error=exc.message)
    return BatchItem(
        index=index,
        status="duplicate" if accepted.duplicate else "accepted",
        article_id=accepted.article_id,
        revision=accepted.revision,
        events=_refs(accepted),
    )


def create_app(
    *,
    service: IngestService,
    settings: IngestSettings,
    metrics: IngestMetrics,
    ready_check: ReadyCheck,
    lifespan: Any = None,
    keys: KeyRing | None = None,
    ops_routes: bool = True,
) -> FastAPI:
    """Build the ingest application around an ``IngestService``.

    With ``keys``, the write routes need one of its keys; without, they are open.
    ``ops_routes=False`` leaves /healthz, /readyz and /metrics to a separate listener.
    """
    app = service_app(
        title="Tocsin ingest",
        description="Post crisis-news articles; Tocsin extracts typed events and publishes "
        "them to Kafka. Answers come only after the broker acknowledged every record.",
        lifespan=lifespan,
        requests=metrics.requests,
        seconds=metrics.request_seconds,
    )
    unavailable = {"Retry-After": str(settings.retry_after_s)}
    # The write routes' key check, when keys are configured: it runs before the handler
    # reads the body, and the OpenAPI document then declares the 401 and the scheme.
    write_errors = _ERRORS | UNAUTHORIZED if keys is not None else _ERRORS
    batch_answers = _BATCH_ANSWERS | UNAUTHORIZED if keys is not None else _BATCH_ANSWERS
    write_guard = (
        [Depends(require_api_key(keys, metrics.auth_failures))] if keys is not None else []
    )
    article_schema = ArticleIn.model_json_schema()
    # Empty batches and ones over the limit are refused whole (400 and 413).
    batch_schema = {
        "type": "array",
        "items": article_schema,
        "minItems": 1,
        "maxItems": settings.max_batch_articles,
    }

    async def accept_or_raise(article: ArticleIn) -> Accepted:
        try:
            return await service.accept(article)
        except ArticleConflictError as exc:
            raise ApiError(409, "article_conflict", str(exc)) from exc
        except TooManyEventsError as exc:
            raise ApiError(422, "too_many_events", str(exc)) from exc
        except BrokerUnavailableError as exc:
            raise ApiError(
                503, "broker_unavailable", f"not accepted, retry later: {exc}", headers=unavailable
            ) from exc
        except PublishError as exc:
            raise ApiError(422, "record_refused", f"the broker refused the article: {exc}") from exc

    @app.post(
        "/v1/articles",
        status_code=202,
        response_model=ArticleAccepted,
        responses=write_errors,
        dependencies=write_guard,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": article_schema}},
            }
        },
        summary="Ingest one article",
    )
    async def post_article(request: Request) -> ArticleAccepted:
        if _media_type(request) != "application/json":
            raise ApiError(
                415, "unsupported_media_type", "send the article as Content-Type: application/json"
            )
        raw = _parse_json(await _read_body(request, settings.max_article_bytes))
        try:
            article = _validate(raw)
        except ApiError:
            metrics.articles.labels("rejected").inc()
            raise
        accepted = await accept_or_raise(article)
        return ArticleAccepted(
            article_id=accepted.article_id,
            revision=accepted.revision,
            duplicate=accepted.duplicate,
            events=_refs(accepted),
        )

    @app.post(
        "/v1/articles/batch",
        status_code=202,
        response_model=BatchAccepted,
        responses=batch_answers,
        dependencies=write_guard,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": batch_schema},
                    # One article per line, as a JSON object; blank lines are skipped.
                    "application/x-ndjson": {"schema": batch_schema},
                },
            }
        },
        summary="Ingest a batch of articles (JSON array or NDJSON)",
    )
    async def post_batch(request: Request) -> Response:
        items, sizes = await _read_batch(request, settings)
        if not items:
            raise ApiError(400, "empty_batch", "the batch holds no articles")
        if len(items) > settings.max_batch_articles:
            raise ApiError(
                413,
                "batch_too_large",
                f"{len(items)} articles; a batch holds at most {settings.max_batch_articles}",
            )
        results = await asyncio.gather(
            *(
                _batch_item(
                    i, item, size, settings=settings, metrics=metrics, accept=accept_or_raise
                )
                for i, (item, size) in enumerate(zip(items, sizes, strict=True))
            )
        )
        counts = {s: sum(r.status == s for r in results) for s in ("accepted", "duplicate")}
        rejected = sum(r.status in {"rejected", "conflict"} for r in results)
        unavailable_n = sum(r.status == "unavailable" for r in results)
        answer = BatchAccepted(
            accepted=counts["accepted"],
            duplicates=counts["duplicate"],
            rejected=rejected,
            unavailable=unavailable_n,
            results=results,
        )
        if unavailable_n:
            status, headers = 503, unavailable
        elif rejected == len(results):
            status, headers = 422, {}
        else:
            status, headers = 202, {}
        return JsonResponse(answer.model_dump(mode="json"), status_code=status, headers=headers)

    if ops_routes:
        app.include_router(ops_router(metrics, ready_check))

    return app
