"""The aggregator HTTP API (FastAPI): running totals as JSON and Prometheus metrics.

GET /                 a read-only dashboard page that shows the JSON answers below
GET /v1/totals        casualties per (country, outcome): per group and "all"
GET /v1/deployments   highest reported size per (country, force)
GET /v1/curfews       curfews, states of emergency, movement restrictions
GET /v1/statements    the most recent statements kept, and counts per country
GET /healthz /readyz /metrics

Every answer is computed from one ``View``: the exported partitions only, so an
instance answers for the countries it owns and for nothing that is mid-rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from tocsin.aggregator.answers import (
    CurfewsAnswer,
    DeploymentsAnswer,
    Failed,
    Healthy,
    Readiness,
    StatementsAnswer,
    TotalsAnswer,
)
from tocsin.aggregator.metrics import AggregatorMetrics
from tocsin.aggregator.page import dashboard_page
from tocsin.aggregator.partitions import View
from tocsin.aggregator.queries import (
    CurfewsQuery,
    DeploymentsQuery,
    QueryError,
    QueryModel,
    StatementsQuery,
    TotalsQuery,
    openapi_parameters,
    parse_query,
)
from tocsin.aggregator.rules import casualty_totals, newest
from tocsin.http_common import (
    ApiError,
    ErrorDetail,
    ErrorResponse,
    JsonResponse,
    service_app,
)

Q = TypeVar("Q", bound=QueryModel)
_INVALID: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "unknown query parameter or bad value"}
}


def _query_route(model: type[QueryModel], answer: type[BaseModel]) -> dict[str, Any]:
    """The route arguments that document a query route: its parameters and answers."""
    return {
        "response_model": answer,
        "responses": _INVALID,
        "openapi_extra": {"parameters": openapi_parameters(model)},
    }


def _query(model: type[Q], request: Request) -> Q:
    try:
        return parse_query(model, request.query_params.multi_items())
    except QueryError as exc:
        details = [ErrorDetail(field=f, message=m) for f, m in exc.problems]
        raise ApiError(400, "invalid_query", str(exc), details=details) from exc


def totals_body(view: View, query: TotalsQuery) -> dict[str, Any]:
    """The /v1/totals answer."""
    rows = [
        {"country": r.country, "outcome": r.outcome, "groups": dict(r.groups), "all": r.all}
        for r in casualty_totals(view.totals.casualties)
        if query.country in (None, r.country) and query.outcome in (None, r.outcome)
    ]
    return {"totals": rows}


def deployments_body(view: View, query: DeploymentsQuery) -> dict[str, Any]:
    """The /v1/deployments answer."""
    rows = [
        {"country": country, "force": force, "size": size}
        for (country, force), size in sorted(view.totals.deployments.items())
        if query.country in (None, country)
    ]
    return {"deployments": rows}


def curfews_body(view: View, query: CurfewsQuery, today: dt.date) -> dict[str, Any]:
    """The /v1/curfews answer, with activity judged on ``today``."""
    wanted = None if query.active is None else query.active == "true"
    rows = []
    for (country, kind, location), record in sorted(
        view.totals.curfews.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "")
    ):
        active = record.active(today)
        if query.country not in (None, country) or wanted not in (None, active):
            continue
        rows.append(
            {
                "country": country,
                "kind": kind,
                "location": location,
                "starts_on": record.starts_on,
                "ends_on": record.ends_on,
                "active": active,
                "last_reported_at": record.last_reported[0],
            }
        )
    return {"today": today, "curfews": rows}


def statements_body(view: View, query: StatementsQuery) -> dict[str, Any]:
    """The /v1/statements answer: newest first, across the chosen countries."""
    logs = {
        c: log for c, log in view.totals.statements.items() if query.country in (None, c)
    }  # fmt: skip
    by_id = {s.event_id: c for c, log in logs.items() for s in log.recent}
    kept = newest((s for log in logs.values() for s in log.recent), query.limit)
    return {
        "counts": {c: log.count for c, log in sorted(logs.items())},
        "statements": [
            {
                "country": by_id[s.event_id],
                "speaker": s.speaker,
                "quote": s.quote,
                "article_id": s.article_id,
                "published_at": s.published_at,
            }
            for s in kept
        ],
    }


def readiness_body(view: View) -> tuple[int, dict[str, Any]]:
    """(status code, body) of /readyz."""
    partitions = [
        {
            "topic": p.topic,
            "partition": p.partition,
            "exported": p.exported,
            "position": p.position,
            "end_offset_at_assignment": p.target,
            "lag": p.lag,
        }
        for p in view.partitions
    ]
    if view.store_failure is not None:
        # Nothing advances until a batch is stored again; the figures are the stored ones.
        failing = {"ready": False, "status": "state store failing", "error": view.store_failure}
        return 503, failing | {"partitions": partitions}
    if not view.partitions:
        unassigned: dict[str, Any] = {"ready": False, "status": "no partitions assigned"}
        if view.broker_problem is not None:
            unassigned["error"] = view.broker_problem
        return 503, unassigned | {"partitions": []}
    if view.caught_up:
        return 200, {"ready": True, "status": "caught up", "partitions": partitions}
    return 503, {"ready": False, "status": "catching up", "partitions": partitions}


def create_app(
    *,
    view: Callable[[], View],
    metrics: AggregatorMetrics,
    today: Callable[[], dt.date],
    failure: Callable[[], str | None],
    lifespan: Any = None,
) -> FastAPI:
    """Build the aggregator application around a source of views."""
    app = service_app(
        title="Tocsin aggregator",
        description="Running totals of the events on Kafka: the highest figure reported per "
        "country, outcome and group; deployments; curfews; statements.",
        lifespan=lifespan,
        requests=metrics.requests,
        seconds=metrics.request_seconds,
    )

    page = dashboard_page()

    @app.get("/", summary="Dashboard page", include_in_schema=False)
    async def dashboard() -> Response:
        return page.response()

    @app.get("/v1/totals", summary="Casualty totals", **_query_route(TotalsQuery, TotalsAnswer))
    async def totals(request: Request) -> Response:
        query = _query(TotalsQuery, request)
        return JsonResponse(totals_body(view(), query))

    @app.get(
        "/v1/deployments",
        summary="Deployments",
        **_query_route(DeploymentsQuery, DeploymentsAnswer),
    )
    async def deployments(request: Request) -> Response:
        query = _query(DeploymentsQuery, request)
        return JsonResponse(deployments_body(view(), query))

    @app.get(
        "/v1/curfews",
        summary="Curfews and states of emergency",
        **_query_route(CurfewsQuery, CurfewsAnswer),
    )
    async def curfews(request: Request) -> Response:
        query = _query(CurfewsQuery, request)
        return JsonResponse(curfews_body(view(), query, today()))

    @app.get(
        "/v1/statements",
        summary="Recent statements",
        **_query_route(StatementsQuery, StatementsAnswer),
    )
    async def statements(request: Request) -> Response:
        query = _query(StatementsQuery, request)
        return JsonResponse(statements_body(view(), query))

    @app.get(
        "/healthz",
        summary="The process and its consumer loop are alive",
        response_model=Healthy,
        responses={503: {"model": Failed, "description": "the consumer loop has stopped"}},
    )
    async def healthz() -> Response:
        problem = failure()
        if problem is not None:
            return JsonResponse({"status": "failed", "error": problem}, status_code=503)
        return JsonResponse({"status": "ok"})

    @app.get(
        "/readyz",
        summary="Every assigned partition is caught up",
        response_model=Readiness,
        responses={
            503: {"model": Readiness, "description": "not caught up yet, or cannot store state"}
        },
    )
    async def readyz() -> Response:
        status, body = readiness_body(view())
        return JsonResponse(body, status_code=status)

    @app.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
