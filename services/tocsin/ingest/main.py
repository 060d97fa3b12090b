"""Wire the ingest service together from settings and run it under uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import NamedTuple

import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from tocsin import extraction
from tocsin.contract import topics
from tocsin.errors import BrokerUnavailableError, StateDirError
from tocsin.http_common import UVICORN_LOG_OPTIONS, stop_signals_exit_cleanly
from tocsin.ingest.app import create_app
from tocsin.ingest.auth import api_keys_from
from tocsin.ingest.index import ArticleIndex
from tocsin.ingest.listeners import serve_split
from tocsin.ingest.metrics import IngestMetrics, multiprocess_registry
from tocsin.ingest.ops import create_ops_app
from tocsin.ingest.service import IngestService
from tocsin.ingest.workers import serve_workers
from tocsin.kafka.admin import ensure_topics
from tocsin.kafka.health import TopicsReady
from tocsin.kafka.publisher import KafkaPublisher
from tocsin.settings import IngestSettings, KafkaSettings

log = logging.getLogger(__name__)
_TOPIC_RETRY_S = 2.0


async def _ensure_topics_until_done(kafka: KafkaSettings) -> None:
    """Create missing topics, retrying while the broker is away (the service stays up)."""
    while True:
        try:
            await asyncio.to_thread(ensure_topics, kafka)
        except BrokerUnavailableError as exc:
            log.warning("topics not ensured yet, retrying in %.0fs: %s", _TOPIC_RETRY_S, exc)
            await asyncio.sleep(_TOPIC_RETRY_S)
        else:
            return


class IngestApps(NamedTuple):
    """The articles application, and the ops one when health and metrics listen apart."""

    main: FastAPI
    ops: FastAPI | None


def build_apps(
    settings: IngestSettings, kafka: KafkaSettings, *, worker: bool = False
) -> IngestApps:
    """The ingest applications with their real publisher, index, keys and metrics.

    ``worker``: built in one of several worker processes; /metrics then answers with
    the sums over all workers (prometheus_client's multiprocess mode).
    """
    keys = api_keys_from(settings)  # first: a bad key file stops the start before any I/O
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry, exposed=multiprocess_registry() if worker else None)
    publisher = KafkaPublisher(kafka, timeout_s=settings.publish_timeout_s)
    index = ArticleIndex(settings.state_dir / "articles.sqlite", settings.index_capacity)
    service = IngestService(
        publisher=publisher,
        index=index,
        metrics=metrics,
        max_events=settings.max_events_per_article,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_ensure_topics_until_done(kafka))
        log.info(
            "ingest %sready to accept on %s:%d, publishing to %s; extraction %s",
            f"worker {os.getpid()} " if worker else "",
            settings.host,
            settings.port,
            kafka.bootstrap,
            "compiled" if extraction.is_compiled() else "interpreted (slower: see TOCSIN_COMPILE)",
        )
        try:
            yield
        finally:
            task.cancel()
            # uvicorn has finished in-flight requests by now: flush what is buffered.
            await asyncio.to_thread(publisher.close, settings.publish_timeout_s)
            index.close()
            log.info("ingest stopped")

    ready_check = TopicsReady(kafka, topics.ALL_TOPICS)
    apart = settings.ops_address is not None
    main = create_app(
        service=service,
        settings=settings,
        metrics=metrics,
        ready_check=ready_check,
        lifespan=lifespan,
        keys=keys,
        ops_routes=not apart,
    )
    return IngestApps(main, create_ops_app(metrics, ready_check) if apart else None)


def _grace(settings: IngestSettings) -> int:
    """Seconds a stopping server waits for in-flight requests (each waits for its acks)."""
    return int(settings.publish_timeout_s) + 5


def serve(settings: IngestSettings, kafka: KafkaSettings) -> None:
    """Run the ingest service until SIGINT or SIGTERM.

    With ``settings.workers`` > 1 this process supervises that many worker
    processes (see workers.py); with 1 it serves the requests itself.
    """
    if settings.workers > 1:
        # A stop signal before the supervisor has taken over ends the start with status 0.
        with stop_signals_exit_cleanly():
            serve_workers(settings, kafka, timeout_graceful_shutdown=_grace(settings))
        return
    try:
        apps = build_apps(settings, kafka)
    except StateDirError as exc:
        # Before any port is bound: an unusable state directory is one line, not a traceback.
        log.critical("cannot start: %s", exc)
        raise SystemExit(1) from None
    grace = _grace(settings)
    # On SIGTERM uvicorn stops accepting, finishes in-flight requests (each waits for its
    # acks), then the lifespan flushes the producer; that clean stop exits with status 0.
    with stop_signals_exit_cleanly():
        if apps.ops is not None and settings.ops_address is not None:
            serve_split(
                apps.main,
                apps.ops,
                main_address=(settings.host, settings.port),
                ops_address=settings.ops_address,
                timeout_graceful_shutdown=grace,
                **UVICORN_LOG_OPTIONS,
            )
            return
        uvicorn.run(
            apps.main,
            host=settings.host,
            port=settings.port,
            timeout_graceful_shutdown=grace,
            **UVICORN_LOG_OPTIONS,
        )
