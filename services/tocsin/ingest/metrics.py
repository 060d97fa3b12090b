"""Prometheus metrics of the ingest service, on an injected registry.

With several worker processes (``TOCSIN_INGEST_WORKERS``), prometheus_client's
multiprocess mode keeps each worker's values in files of a shared directory, and
/metrics is answered from ``multiprocess_registry()``, which sums every worker's
files: any worker answers a scrape with the totals of all. The ingest metrics are
counters and histograms only, which that mode sums without further configuration.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def multiprocess_registry() -> CollectorRegistry:
    """A registry that collects the metrics of every worker from PROMETHEUS_MULTIPROC_DIR."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


class IngestMetrics:
    """Every metric the ingest service exports.

    The metrics are created on ``registry``; /metrics serves ``exposed`` when given
    (the multiprocess registry of a worker), else ``registry``.
    """

    def __init__(
        self, registry: CollectorRegistry, *, exposed: CollectorRegistry | None = None
    ) -> None:
        self.registry = registry if exposed is None else exposed
        self.requests = Counter(
            "tocsin_ingest_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "code"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "tocsin_ingest_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.articles = Counter(
            "tocsin_ingest_articles",
            "Articles by outcome: accepted, duplicate, rejected, conflict, unavailable.",
            ["outcome"],
            registry=registry,
        )
        self.events = Counter(
            "tocsin_ingest_events",
            "Events extracted from accepted articles and published, by type.",
            ["type"],
            registry=registry,
        )
        self.extraction_seconds = Histogram(
            "tocsin_ingest_extraction_duration_seconds",
            "Time to extract the events of one article.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.publish_seconds = Histogram(
            "tocsin_ingest_publish_duration_seconds",
            "Time from sending an article's records to the broker's last acknowledgement.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.publish_errors = Counter(
            "tocsin_ingest_publish_errors",
            "Articles whose records were not acknowledged: unavailable (retryable) or refused.",
            ["reason"],
            registry=registry,
        )
        self.auth_failures = Counter(
            "tocsin_ingest_auth_failures",
            "Write requests refused for want of a valid API key: missing or invalid. "
            "Never labelled with anything about the key.",
            ["reason"],
            registry=registry,
        )
        # Zero-valued series for the answers alerts watch, so that the first 5xx after a
        # start is a rise rate() can see rather than a series born with its final value.
        for route in ("/v1/articles", "/v1/articles/batch"):
            self.request_seconds.labels(route)
            for code in ("202", "400", "401", "409", "413", "415", "422", "500", "503"):
                self.requests.labels(route, "POST", code)
        for outcome in ("accepted", "duplicate", "rejected", "conflict", "unavailable"):
            self.articles.labels(outcome)
        for event_type in ("casualty", "deployment", "statement", "curfew"):
            self.events.labels(event_type)
        for reason in ("unavailable", "refused"):
            self.publish_errors.labels(reason)
        for reason in ("missing", "invalid"):
            self.auth_failures.labels(reason)
