"""Wire the aggregator together from settings and run it under uvicorn.

The consumer loop runs on its own thread (kafka-python is synchronous); the HTTP
side only reads views. On SIGTERM uvicorn stops serving and the lifespan stops
the loop: it finishes and stores its batch, commits offsets, leaves the group.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from tocsin.aggregator.app import create_app
from tocsin.aggregator.consumer import ConsumerLoop, Topics
from tocsin.aggregator.metrics import AggregatorMetrics
from tocsin.aggregator.partitions import PartitionTable
from tocsin.aggregator.store import StateStore, StoreError
from tocsin.contract import topics
from tocsin.errors import StateDirError
from tocsin.http_common import UVICORN_LOG_OPTIONS, stop_signals_exit_cleanly
from tocsin.settings import AggregatorSettings, KafkaSettings

log = logging.getLogger(__name__)
_STOP_TIMEOUT_S = 30.0


def aggregator_topics(settings: AggregatorSettings) -> Topics:
    """Tocsin's event and dead-letter topics, under the configured prefix."""
    prefix = settings.topic_prefix
    return Topics(
        events={t: prefix + name for t, name in topics.EVENT_TOPICS.items()},
        deadletter=prefix + topics.DEADLETTER,
    )


def build_app(settings: AggregatorSettings, kafka: KafkaSettings) -> FastAPI:
    """The aggregator application with its store, consumer loop and metrics."""
    registry = CollectorRegistry()
    table = PartitionTable(settings.statements_kept)
    metrics = AggregatorMetrics(registry, table.view, settings.current_date)
    store = StateStore(
        settings.state_file,
        statements_kept=settings.statements_kept,
        seen_capacity=settings.seen_ids_per_partition,
    )
    loop = ConsumerLoop(
        kafka=kafka,
        settings=settings,
        topics=aggregator_topics(settings),
        store=store,
        table=table,
        metrics=metrics,
    )
    stop = threading.Event()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Daemon: if it hangs past the stop timeout, it must not keep the process alive
        # (a killed loop is safe: state and offsets are stored together).
        thread = threading.Thread(
            target=loop.run, args=(stop,), name="tocsin-consumer", daemon=True
        )
        thread.start()
        log.info(
            "aggregator on %s:%d, group %s, state in %s",
            settings.host, settings.port, settings.group_id, settings.state_file,
        )  # fmt: skip
        try:
            yield
        finally:
            stop.set()
            thread.join(_STOP_TIMEOUT_S)
            if thread.is_alive():
                log.error("consumer loop did not stop within %.0fs", _STOP_TIMEOUT_S)
            else:
                store.close()
            log.info("aggregator stopped")

    return create_app(
        view=table.view,
        metrics=metrics,
        today=settings.current_date,
        failure=lambda: loop.failure,
        lifespan=lifespan,
    )


def serve(settings: AggregatorSettings, kafka: KafkaSettings) -> None:
    """Run the aggregator until SIGINT or SIGTERM."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # kafka-python logs every connection at INFO; its warnings still come through.
        logging.getLogger("kafka").setLevel(logging.WARNING)
    try:
        app = build_app(settings, kafka)
    except (StateDirError, StoreError) as exc:
        # Before the port is bound: an unusable state directory is one line, not a traceback.
        log.critical("cannot start: %s", exc)
        raise SystemExit(1) from None
    # A graceful stop (state stored, offsets committed, group left) exits with status 0.
    with stop_signals_exit_cleanly():
        uvicorn.run(app, host=settings.host, port=settings.port, **UVICORN_LOG_OPTIONS)
