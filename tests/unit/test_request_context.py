"""Request ids and access lines: the middleware every service app gets from service_app()."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram

from tocsin import logs
from tocsin.http_common import service_app

app_log = logging.getLogger("tocsin.test.app")


def _app() -> Any:
    registry = CollectorRegistry()
    app = service_app(
        title="test",
        description="test",
        lifespan=None,
        requests=Counter("t_requests", "", ["route", "method", "code"], registry=registry),
        seconds=Histogram("t_seconds", "", ["route"], registry=registry),
    )

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        app_log.info("async handler")
        await asyncio.to_thread(app_log.info, "worker thread")
        return {"item": item_id}

    @app.get("/sync")
    def sync_route() -> dict[str, str]:  # FastAPI runs it in its thread pool
        app_log.info("sync handler")
        return {}

    @app.get("/slow/{name}")
    async def slow(name: str) -> dict[str, str]:
        await asyncio.sleep(0.05)  # lets the other request run in between
        app_log.info("slow %s", name)
        return {}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    return app


LogLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """JSON lines of everything logged at INFO and above during the test."""
    stream = io.StringIO()
    handler = logs.make_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [orjson.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def _get(*paths: str, headers: dict[str, str | bytes] | None = None) -> list[httpx.Response]:
    """GET ``paths`` concurrently from one app instance."""

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=_app(), client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
            return list(await asyncio.gather(*(client.get(p, headers=headers) for p in paths)))

    return asyncio.run(run())


def _access(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "tocsin.access"]


def test_a_sane_incoming_id_is_echoed_and_logged(log_lines: LogLines) -> None:
    (response,) = _get("/items/7", headers={"X-Request-ID": "client-42:a.b_c-d"})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "client-42:a.b_c-d"
    lines = log_lines()
    (access,) = _access(lines)
    assert access["request_id"] == "client-42:a.b_c-d"
    assert access["message"].startswith("GET /items/{item_id} 200 ")
    assert (access["method"], access["route"], access["status"]) == ("GET", "/items/{item_id}", 200)
    assert access["client"] == "10.1.2.3"
    assert access["duration_ms"] >= 0
    assert access["level"] == "INFO"
    handler_lines = [line for line in lines if line["logger"] == app_log.name]
    assert [line["message"] for line in handler_lines] == ["async handler", "worker thread"]
    assert {line["request_id"] for line in handler_lines} == {"client-42:a.b_c-d"}


@pytest.mark.parametrize(
    "given",
    ["a" * 129, "two words", "semi;colon", "é".encode(), b"\xff", "<script>", ""],
)
def test_an_unsafe_incoming_id_is_replaced(given: str | bytes, log_lines: LogLines) -> None:
    (response,) = _get("/items/1", headers={"X-Request-ID": given})
    made = response.headers["x-request-id"]
    assert made != given
    assert uuid.UUID(hex=made).version == 4
    assert _access(log_lines())[0]["request_id"] == made


def test_the_longest_accepted_id_is_128_characters() -> None:
    (response,) = _get("/items/1", headers={"X-Request-ID": "a" * 128})
    assert response.headers["x-request-id"] == "a" * 128


def test_each_request_without_an_id_gets_a_new_one(log_lines: LogLines) -> None:
    responses = _get("/items/1", "/items/2", "/nowhere")
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == 3
    by_id = {line["request_id"]: line for line in _access(log_lines())}
    assert by_id[ids[2]]["route"] == "unmatched"
    assert by_id[ids[2]]["status"] == 404
    assert responses[2].json()["error"]["code"] == "not_found"


def test_concurrent_requests_keep_their_own_ids(log_lines: LogLines) -> None:
    first, second = _get("/slow/first", "/slow/second")
    lines = [line for line in log_lines() if line["logger"] == app_log.name]
    assert {line["message"]: line["request_id"] for line in lines} == {
        "slow first": first.headers["x-request-id"],
        "slow second": second.headers["x-request-id"],
    }


def test_thread_pool_handlers_log_with_the_id(log_lines: LogLines) -> None:
    (response,) = _get("/sync", headers={"X-Request-ID": "sync-1"})
    (line,) = [line for line in log_lines() if line["logger"] == app_log.name]
    assert (line["message"], line["request_id"]) == ("sync handler", "sync-1")
    assert response.headers["x-request-id"] == "sync-1"


def test_no_id_is_left_behind_after_a_request(log_lines: LogLines) -> None:
    _get("/items/1")
    app_log.info("between requests")
    assert "request_id" not in log_lines()[-1]
    assert logs.request_id.get() is None


def test_an_unhandled_error_is_logged_with_the_id_and_answered_500(log_lines: LogLines) -> None:
    (response,) = _get("/boom", headers={"X-Request-ID": "boom-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-1"
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "boom-1" in error["message"]
    assert "a bug" not in response.text  # internals stay in the log
    lines = log_lines()
    (failure,) = [line for line in lines if line["level"] == "ERROR"]
    assert failure["request_id"] == "boom-1"
    assert failure["exception"].endswith("RuntimeError: a bug")
    (access,) = _access(lines)
    assert (access["status"], access["request_id"]) == (500, "boom-1")
