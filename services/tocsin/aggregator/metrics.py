"""Prometheus metrics of the aggregator, on an injected registry.

The running totals are computed values: a custom collector reads them from a
fresh ``View`` of the exported partitions at every scrape, so a revoked
partition's countries vanish from the next scrape and nothing is ever left
behind in a global gauge. Work counters (events applied, duplicates, dead
letters) are ordinary counters of this process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tocsin.aggregator.deadletters import REASONS
from tocsin.aggregator.partitions import View
from tocsin.aggregator.rules import ALL_GROUPS, active_curfew_counts, casualty_totals
from tocsin.contract.events import EVENT_TYPES

_APPLY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class TotalsCollector(Collector):
    """Exports the figures of the exported partitions, computed at scrape time."""

    def __init__(self, view: Callable[[], View], today: Callable[[], dt.date]) -> None:
        self._view = view
        self._today = today

    def describe(self) -> Iterable[Metric]:
        """The families, without samples (so registering does not take a view)."""
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        """One sample per figure of the current view."""
        return self._families(self._view())

    def _families(self, view: View | None) -> list[Metric]:
        casualties = GaugeMetricFamily(
            "tocsin_aggregator_casualties",
            "Highest conservative (low) figure reported per country, outcome and group; "
            'group="all" is the sum over groups.',
            labels=["country", "outcome", "group"],
        )
        deployments = GaugeMetricFamily(
            "tocsin_aggregator_deployment_size",
            "Highest reported size (low bound) per destination country and force; "
            "0 when no report gave a size.",
            labels=["country", "force"],
        )
        curfews = GaugeMetricFamily(
            "tocsin_aggregator_active_curfews",
            "Places under an active curfew, state of emergency or movement restriction.",
            labels=["country", "kind"],
        )
        statements = CounterMetricFamily(
            "tocsin_aggregator_statements",
            "Statements applied per country.",
            labels=["country"],
        )
        last_event = GaugeMetricFamily(
            "tocsin_aggregator_last_event_timestamp_seconds",
            "Kafka timestamp of the newest event applied to an exported partition.",
        )
        lag = GaugeMetricFamily(
            "tocsin_aggregator_consumer_lag",
            "Records between the consumer's position and the partition's end offset.",
            labels=["topic", "partition"],
        )
        assigned = GaugeMetricFamily(
            "tocsin_aggregator_assigned_partitions",
            "Partitions assigned to this instance (exported or still catching up).",
        )
        store_failing = GaugeMetricFamily(
            "tocsin_aggregator_store_failing",
            "1 while the last batch could not be stored (nothing advances; it is retried), else 0.",
        )
        families: list[Metric] = [
            casualties, deployments, curfews, statements, last_event, lag, assigned, store_failing
        ]  # fmt: skip
        if view is None:
            return families
        totals = view.totals
        for row in casualty_totals(totals.casualties):
            for group, low in row.groups.items():
                casualties.add_metric([row.country, row.outcome, group], low)
            casualties.add_metric([row.country, row.outcome, ALL_GROUPS], row.all)
        for (country, force), size in sorted(totals.deployments.items()):
            deployments.add_metric([country, force], size or 0)
        for (country, kind), count in sorted(
            active_curfew_counts(totals.curfews, self._today()).items()
        ):
            curfews.add_metric([country, kind], count)
        for country, log in sorted(totals.statements.items()):
            statements.add_metric([country], log.count)
        if view.last_event_ts is not None:
            last_event.add_metric([], view.last_event_ts)
        for status in view.partitions:
            if status.lag is not None:
                lag.add_metric([status.topic, str(status.partition)], status.lag)
        assigned.add_metric([], len(view.partitions))
        store_failing.add_metric([], 0 if view.store_failure is None else 1)
        return families


class AggregatorMetrics:
    """Every metric the aggregator exports."""

    def __init__(
        self, registry: CollectorRegistry, view: Callable[[], View], today: Callable[[], dt.date]
    ) -> None:
        self.registry = registry
        self.events_applied = Counter(
            "tocsin_aggregator_events_applied",
            "Events applied to the totals, by type (replays after a rebalance included).",
            ["type"],
            registry=registry,
        )
        self.duplicates_dropped = Counter(
            "tocsin_aggregator_duplicates_dropped",
            "Events not applied because their id was applied already, by type.",
            ["type"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "tocsin_aggregator_dead_lettered",
            "Records sent to the dead-letter topic, by reason.",
            ["reason"],
            registry=registry,
        )
        self.apply_seconds = Histogram(
            "tocsin_aggregator_apply_duration_seconds",
            "Time to apply one poll batch: decode, dedupe, apply, dead-letter acks and the "
            "SQLite commit of state and offsets.",
            buckets=_APPLY_BUCKETS,
            registry=registry,
        )
        self.requests = Counter(
            "tocsin_aggregator_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "code"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "tocsin_aggregator_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        for event_type in EVENT_TYPES:
            self.events_applied.labels(event_type)
            self.duplicates_dropped.labels(event_type)
        for reason in REASONS:
            self.dead_lettered.labels(reason)
        registry.register(TotalsCollector(view, today))
