"""HTTP pieces both services share: the JSON error shape, request ids and access logs,
request metrics, and running under uvicorn with a clean exit on SIGTERM."""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import time
import uuid
from collections.abc import Iterator, Mapping
from types import FrameType
from typing import Any, Final

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from prometheus_client import Counter, Histogram
from pydantic import BaseModel
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin import __version__, logs

log = logging.getLogger(__name__)
access_log = logging.getLogger("tocsin.access")


class JsonResponse(Response):
    """A JSON response rendered with orjson (fast, and handles datetimes and dates)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ErrorDetail(BaseModel):
    """One problem with a request, e.g. one invalid field."""

    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """What went wrong: a stable code for programs, a message for people."""

    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """Every non-2xx answer has this shape."""

    error: ErrorBody


class ApiError(Exception):
    """An error answer: status code, stable code, message, optional details and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[ErrorDetail] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """A JSON error response in the shared shape."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details or []))
    return JsonResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


_STATUS_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, including the framework's own, in the shared JSON shape."""

    async def on_api_error(_: Request, exc: Exception) -> JsonResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    async def on_http_error(_: Request, exc: Exception) -> JsonResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    async def on_validation_error(_: Request, exc: Exception) -> JsonResponse:
        assert isinstance(exc, RequestValidationError)
        details = [
            ErrorDetail(field=".".join(str(p) for p in err["loc"]), message=err["msg"])
            for err in exc.errors()
        ]
        return error_response(422, "invalid_request", "the request is not valid", details)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)


def service_app(
    *,
    title: str,
    description: str,
    lifespan: Any,
    requests: Counter,
    seconds: Histogram,
) -> FastAPI:
    """A FastAPI app with Tocsin's JSON errors and request metrics, ready for routes."""
    app = FastAPI(title=title, version=__version__, description=description, lifespan=lifespan)
    install_error_handlers(app)
    app.add_middleware(RequestMetricsMiddleware, requests=requests, seconds=seconds)
    # Added last, so outermost: everything logged while handling a request carries its id.
    app.add_middleware(RequestContextMiddleware)
    return app


class RequestMetricsMiddleware:
    """Counts requests by route template, method and status, and times them (pure ASGI)."""

    def __init__(self, app: ASGIApp, *, requests: Counter, seconds: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            name = route_template(scope)
            self.requests.labels(name, scope["method"], str(status["code"])).inc()
            self.seconds.labels(name).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's template (e.g. ``/v1/articles``), or "unmatched".

    Never the raw path: that is client-chosen and unbounded, so it must not become a
    metric label value (a bounded set) or go into a log line (it could forge one).
    """
    route: Any = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


REQUEST_ID_HEADER: Final = "X-Request-ID"
# Ids from clients are echoed into headers and logs: only short tokens of safe characters.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(scope: Scope) -> str:
    """The client's X-Request-ID when it is a sane token, else a new random id."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if _CLIENT_REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Gives each request an id and writes one access line when it is answered (pure ASGI).

    The id comes from the request's X-Request-ID header when that is a token of at
    most 128 letters, digits and ``._:-``; otherwise a random one is made. It is
    held in ``logs.request_id`` while the request is handled, so every record
    logged meanwhile carries it, and is sent back in the X-Request-ID header.

    An exception that escapes the application before the answer started is logged
    here, with the id, and answered with a 500 in the shared error shape.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if status is not None:
                raise  # the answer is under way: nothing left to do but drop the connection
            log.exception("unhandled error while answering %s", scope["method"])
            answer = error_response(
                500,
                "internal_error",
                f"an unexpected error occurred; quote request id {request_id} when reporting it",
            )
            await answer(scope, receive, send_with_id)
        finally:
            _log_access(scope, status, time.perf_counter() - started, request_id)
            logs.request_id.reset(token)


def _log_access(scope: Scope, status: int | None, seconds: float, request_id: str) -> None:
    template = route_template(scope)
    client = scope.get("client")
    access_log.info(
        "%s %s %s %.1f ms",
        scope["method"],
        template,
        status if status is not None else "-",
        seconds * 1000,
        extra={
            "method": scope["method"],
            "route": template,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "client": client[0] if client else None,
            "request_id": request_id,
        },
    )


UVICORN_LOG_OPTIONS: Final[Mapping[str, Any]] = {
    "log_config": None,  # no handlers of its own: its records reach the root handler
    "log_level": None,  # its loggers follow the root level (TOCSIN_LOG_LEVEL)
    "access_log": False,  # RequestContextMiddleware writes the access lines
}
"""uvicorn options (for ``uvicorn.run`` or ``uvicorn.Config``) that leave its logging
to ``tocsin.logs``, so that its lines have the same format as Tocsin's own."""


@contextlib.contextmanager
def stop_signals_exit_cleanly() -> Iterator[None]:
    """Make SIGTERM and SIGINT end the process with status 0, around a uvicorn server.

    uvicorn stops gracefully on these signals (finishes in-flight requests, runs the
    lifespan's shutdown), then raises the signal again for the handler that was in
    place before it started. The default handler would kill the process then (exit
    -15) although the stop was clean. The handler installed here logs the stop and
    exits with status 0; a signal that arrives before uvicorn has taken over stops
    the process at once, before it serves anything.
    """
    previous = {sig: signal.signal(sig, _exit_on_stop) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _exit_on_stop(signum: int, _frame: FrameType | None) -> None:
    log.info("stopped by %s", signal.Signals(signum).name)
    raise SystemExit(0)
