"""``tocsin feed``'s HTTP client: what it retries, how long it waits, what it gives up on.

The server is a small real ASGI application in this process (no network), so the
client's requests, answers and headers are real HTTP objects.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tocsin.cli.feed_client import IngestClient, Result, RetryPolicy, deliver, parse_retry_after
from tocsin.cli.feed_files import Source
from tocsin.contract.article import ArticleIn

Answer = Callable[[int, Any], tuple[int, dict[str, Any], dict[str, str]]]


def _source(n: int) -> Source:
    return Source(f"f:line {n}", ArticleIn(id=f"a{n}", body=f"Article {n}."))


def _app(answer: Answer, seen: list[Any]) -> FastAPI:
    """An ingest stand-in: ``answer(call number, request JSON)`` gives status, body, headers."""
    app = FastAPI()

    @app.post("/v1/articles")
    @app.post("/v1/articles/batch")
    async def post(request: Request) -> JSONResponse:
        body = orjson.loads(await request.body())
        seen.append(body)
        status, content, headers = answer(len(seen), body)
        return JSONResponse(content, status_code=status, headers=headers)

    return app


def _run(
    answer: Answer, work: Callable[[IngestClient], Any], attempts: int = 5
) -> tuple[Any, list[Any], list[float]]:
    seen: list[Any] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> Any:
        transport = httpx.ASGITransport(app=_app(answer, seen))
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
            return await work(IngestClient(http, RetryPolicy(attempts=attempts), sleep=sleep))

    return asyncio.run(main()), seen, sleeps


def _accepted(body: Any) -> dict[str, Any]:
    return {
        "article_id": body["id"],
        "revision": 1,
        "duplicate": False,
        "events": [{"event_id": "e", "type": "casualty"}],
    }


UNAVAILABLE = {"error": {"code": "broker_unavailable", "message": "not accepted, retry later"}}


def test_delay_prefers_retry_after_and_caps_it() -> None:
    """Retry-After (seconds or an HTTP date) sets the wait, capped; without it the wait doubles."""
    policy = RetryPolicy(first_delay_s=0.5, max_delay_s=30)
    assert [policy.delay(n, None) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert policy.delay(1, "7") == 7
    assert policy.delay(1, "3600") == 30
    assert policy.delay(3, "soon") == 2.0
    stamp = format_datetime(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), usegmt=True)
    assert parse_retry_after(stamp, now=1893455990.0) == pytest.approx(10.0)


def test_a_503_is_retried_after_retry_after_seconds() -> None:
    """Two 503 answers with Retry-After 7, then 202: accepted, after two waits of 7 s."""

    def answer(call: int, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        return (503, UNAVAILABLE, {"Retry-After": "7"}) if call < 3 else (202, _accepted(body), {})

    result, seen, sleeps = _run(answer, lambda c: c.send_one(_source(1)))
    assert result == Result("f:line 1", "accepted", events=1)
    assert len(seen) == 3
    assert sleeps == [7.0, 7.0]


def test_a_lasting_503_ends_unavailable_after_the_attempts() -> None:
    """An article the service keeps refusing with 503 is unavailable, with the service's reason."""
    result, seen, sleeps = _run(
        lambda _c, _b: (503, UNAVAILABLE, {"Retry-After": "1"}),
        lambda c: c.send_one(_source(1)),
        attempts=3,
    )
    assert result.status == "unavailable"
    assert result.reason == "not accepted, retry later (gave up after 3 attempts)"
    assert len(seen) == 3
    assert sleeps == [1.0, 1.0]


def test_other_errors_are_final() -> None:
    """A 409 or 422 answer is a rejection with the service's message, sent only once."""
    conflict = {"error": {"code": "article_conflict", "message": "a1 is known with other content"}}
    result, seen, sleeps = _run(
        lambda _c, _b: (409, conflict, {}), lambda c: c.send_one(_source(1))
    )
    assert result == Result("f:line 1", "rejected", "a1 is known with other content")
    assert (len(seen), sleeps) == (1, [])


def test_a_batch_resends_only_its_unavailable_articles() -> None:
    """Of a batch answered 503, only the items marked unavailable are sent again."""

    def answer(call: int, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        results = []
        for i, article in enumerate(body):
            if call == 1 and article["id"] == "a2":
                results.append({"index": i, "status": "unavailable", "error": "later"})
            elif article["id"] == "a3":
                results.append({"index": i, "status": "rejected", "error": "bad date"})
            else:
                results.append(
                    {"index": i, "status": "accepted", "article_id": article["id"], "events": []}
                )
        return (503 if call == 1 else 202), {"results": results}, {"Retry-After": "2"}

    results, seen, sleeps = _run(
        answer, lambda c: c.send_batch([_source(1), _source(2), _source(3)])
    )
    assert [r.status for r in results] == ["accepted", "accepted", "rejected"]
    assert results[2].reason == "bad date"
    assert [[a["id"] for a in body] for body in seen] == [["a1", "a2", "a3"], ["a2"]]
    assert sleeps == [2.0]


def test_a_whole_batch_error_applies_to_every_article() -> None:
    """A batch refused as a whole (413) rejects each of its articles with that reason."""
    too_large = {
        "error": {"code": "batch_too_large", "message": "3 articles; a batch holds at most 2"}
    }
    results, _, _ = _run(
        lambda _c, _b: (413, too_large, {}),
        lambda c: c.send_batch([_source(1), _source(2), _source(3)]),
    )
    assert {(r.status, r.reason) for r in results} == {
        ("rejected", "3 articles; a batch holds at most 2")
    }


def test_connection_errors_are_retried_with_growing_waits() -> None:
    """Nothing listening: each attempt fails to connect, waits double, then it is unavailable."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the client connects
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> Result:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            return await IngestClient(http, RetryPolicy(attempts=3), sleep=sleep).send_one(
                _source(1)
            )

    result = asyncio.run(main())
    assert result.status == "unavailable"
    assert f"cannot reach http://127.0.0.1:{port}/v1/articles" in str(result.reason)
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("batch", [1, 2])
def test_deliver_keeps_input_order_and_reports_progress(batch: int) -> None:
    """Results come back in input order, unreadable sources included, and progress adds up."""
    sources = [_source(1), Source("f:line 2", None, "malformed JSON"), _source(3), _source(4)]
    done: list[int] = []

    def answer(_call: int, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        if isinstance(body, list):
            items = [{"index": i, "status": "duplicate", "events": []} for i in range(len(body))]
            return 202, {"results": items}, {}
        return 202, _accepted(body) | {"duplicate": True}, {}

    async def work(client: IngestClient) -> list[Result]:
        return await deliver(
            sources, client=client, concurrency=3, batch=batch, progress=done.append
        )

    results, _, _ = _run(answer, work)
    assert [(r.where, r.status) for r in results] == [
        ("f:line 1", "duplicate"),
        ("f:line 2", "rejected"),
        ("f:line 3", "duplicate"),
        ("f:line 4", "duplicate"),
    ]
    assert sum(done) == len(sources)
