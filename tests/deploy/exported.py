"""The metrics the services export, built in-process the way each service builds them.

Each registry gets one observation of every metric, so that every family shows up
in the text exposition with samples: a labelled counter that was never incremented
exposes nothing, and the aggregator's totals exist only when its view holds figures.
The names Prometheus would store are read back from that exposition.
"""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.aggregator.factory import casualty, curfew, deployment, statement
from tocsin.aggregator.metrics import AggregatorMetrics
from tocsin.aggregator.partitions import PartitionStatus, View
from tocsin.aggregator.rules import Totals
from tocsin.ingest.metrics import IngestMetrics

_TODAY = dt.date(2024, 5, 1)


def ingest_registry() -> CollectorRegistry:
    """The ingest service's registry after one article went through every path."""
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry)
    metrics.requests.labels("/v1/articles", "POST", "202").inc()
    metrics.request_seconds.labels("/v1/articles").observe(0.02)
    metrics.articles.labels("accepted").inc()
    metrics.events.labels("casualty").inc(2)
    metrics.extraction_seconds.observe(0.004)
    metrics.publish_seconds.observe(0.015)
    metrics.publish_errors.labels("unavailable").inc()
    return registry


def _view() -> View:
    """A view with one figure of every kind, on one exported partition."""
    totals = Totals(statements_kept=5)
    for event in (
        casualty("KZ", "killed", "civilians", 18),
        casualty("KZ", "killed", "security_forces", 8),
        deployment("KZ", "peacekeepers", 2500),
        curfew("KZ", "curfew", location="Almaty", ends_on=_TODAY + dt.timedelta(days=3)),
        statement("KZ", "A spokesman", "Order has been restored."),
    ):
        totals.apply(event)
    status = PartitionStatus(
        topic="tocsin.events.casualty.v1",
        partition=0,
        exported=True,
        position=40,
        target=40,
        highwater=42,
    )
    return View(totals=totals, last_event_ts=1_714_564_800.0, partitions=(status,))


def aggregator_registry() -> CollectorRegistry:
    """The aggregator's registry, its totals collector reading a view with figures."""
    registry = CollectorRegistry()
    metrics = AggregatorMetrics(registry, _view, lambda: _TODAY)
    metrics.events_applied.labels("casualty").inc()
    metrics.duplicates_dropped.labels("casualty").inc()
    metrics.dead_lettered.labels("schema_error").inc()
    metrics.apply_seconds.observe(0.003)
    metrics.requests.labels("/v1/totals", "GET", "200").inc()
    metrics.request_seconds.labels("/v1/totals").observe(0.001)
    return registry


def exposition(registry: CollectorRegistry) -> str:
    """What GET /metrics answers for ``registry``."""
    return generate_latest(registry).decode("utf-8")


def sample_names(text: str) -> set[str]:
    """Every series name in an exposition: counters with ``_total``, histograms'
    ``_bucket``/``_sum``/``_count``, and ``_created``."""
    return {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }


def families_without_samples(text: str) -> set[str]:
    """Families announced by ``# TYPE`` that carry no sample."""
    return {family.name for family in text_string_to_metric_families(text) if not family.samples}
