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
from pydantic import BaseModel, ConfigDict, Field

from tocsin.http_common import JsonResponse, service_app
from tocsin.ingest.metrics import IngestMetrics

ReadyCheck = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


class Health(BaseModel):
    """``GET /healthz``: the process is alive and serving."""

    model_config = ConfigDict(extra="forbid")
    status: str = Field(examples=["ok"])


class ReadinessChecks(BaseModel):
    """What the readiness check found."""

    model_config = ConfigDict(extra="forbid")
    broker: str = Field(
        description='"reachable", or why not ("unreachable: ...", "authentication failed: '
        '...", "not checked yet")'
    )
    missing_topics: list[str] = Field(
        default_factory=list, description="Tocsin topics the broker does not have (yet)."
    )


class Readiness(BaseModel):
    """``GET /readyz``: 200 when the broker is reachable and every topic exists, else 503."""

    model_config = ConfigDict(extra="forbid")
    ready: bool
    checks: ReadinessChecks


def ops_router(metrics: IngestMetrics, ready_check: ReadyCheck) -> APIRouter:
    """The health, readiness and metrics routes."""
    router = APIRouter()

    @router.get("/healthz", summary="The process is alive", response_model=Health)
    async def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        summary="The broker is reachable and the topics exist",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "not ready; checks say why"}},
    )
    async def readyz() -> Response:
        ready, checks = await ready_check()
        answer = Readiness(ready=ready, checks=ReadinessChecks.model_validate(checks))
        return JsonResponse(answer.model_dump(mode="json"), status_code=200 if ready else 503)

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
