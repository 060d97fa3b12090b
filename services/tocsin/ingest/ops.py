"""The ingest service's operations routes: /healthz, /readyz and /metrics.

They are never authenticated: probes and Prometheus must reach them without a key.
By default they share the articles' listener. With an ops address configured they
move to an application of their own on that address, so that the public port can
be opened to clients while health and metrics stay on an internal one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tocsin.http_common import JsonResponse, service_app
from tocsin.ingest.metrics import IngestMetrics

ReadyCheck = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


def ops_router(metrics: IngestMetrics, ready_check: ReadyCheck) -> APIRouter:
    """The health, readiness and metrics routes."""
    router = APIRouter()

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The broker is reachable and the topics exist")
    async def readyz() -> Response:
        ready, checks = await ready_check()
        return JsonResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


def create_ops_app(metrics: IngestMetrics, ready_check: ReadyCheck) -> FastAPI:
    """The application of the separate ops listener: the ops routes alone.

    Its requests are counted in the same metrics as the main application's, so the
    series do not change when the routes move.
    """
    app = service_app(
        title="Tocsin ingest operations",
        description="Health, readiness and Prometheus metrics of the ingest service.",
        lifespan=None,
        requests=metrics.requests,
        seconds=metrics.request_seconds,
    )
    app.include_router(ops_router(metrics, ready_check))
    return app
