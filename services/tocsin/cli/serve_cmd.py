"""``tocsin serve``: run one of Tocsin's services in the foreground."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from tocsin.settings import AggregatorSettings, IngestSettings, KafkaSettings

S = TypeVar("S", bound=BaseSettings)


def register(subparsers: Any) -> None:
    """Add the ``serve`` command and its services."""
    parser = subparsers.add_parser(
        "serve",
        help="run a Tocsin service (ingest, aggregator)",
        description="Run a Tocsin service in the foreground until Ctrl-C or SIGTERM. "
        "Settings come from TOCSIN_* environment variables; flags override them.",
    )
    services = parser.add_subparsers(dest="service", metavar="SERVICE", required=True)
    ingest = services.add_parser(
        "ingest",
        help="the HTTP ingest service (POST /v1/articles)",
        description="Accept articles over HTTP, extract events and publish them to Kafka. "
        "API docs at http://HOST:PORT/docs once running.",
    )
    ingest.add_argument("--host", help="listen address (TOCSIN_INGEST_HOST, default 127.0.0.1)")
    ingest.add_argument("--port", type=int, help="listen port (TOCSIN_INGEST_PORT, default 8080)")
    ingest.add_argument("--bootstrap", help="Kafka bootstrap servers (TOCSIN_KAFKA_BOOTSTRAP)")
    ingest.add_argument("--state-dir", help="index directory (TOCSIN_INGEST_STATE_DIR)")
    ingest.add_argument(
        "--publish-timeout", type=float, help="seconds to wait for broker acks before a 503"
    )
    # No flag takes a plaintext key: command lines are visible to every user (ps).
    ingest.add_argument(
        "--api-keys-file",
        metavar="PATH",
        help="file of API key hashes ('sha256:<hex> [label]' lines, from `tocsin keys`); the "
        "POST routes then need a key (TOCSIN_INGEST_API_KEYS_FILE; default: open)",
    )
    ingest.add_argument(
        "--ops-host",
        help="address of a separate listener for /healthz, /readyz and /metrics "
        "(TOCSIN_INGEST_OPS_HOST; default: --host)",
    )
    ingest.add_argument(
        "--ops-port",
        type=int,
        help="port of that listener; the main port then no longer serves them "
        "(TOCSIN_INGEST_OPS_PORT; default: served on the main port)",
    )
    ingest.add_argument(
        "--workers",
        type=int,
        help="worker processes sharing the listening port(s), 1 to 64 "
        "(TOCSIN_INGEST_WORKERS, default 1: the service runs in this process)",
    )
    ingest.set_defaults(handler=run_ingest)
    _register_aggregator(services)


def _overrides(args: argparse.Namespace, names: dict[str, str]) -> dict[str, Any]:
    return {
        field: getattr(args, flag)
        for flag, field in names.items()
        if getattr(args, flag) is not None
    }


def _settings(
    args: argparse.Namespace, service: str, model: type[S], flags: dict[str, str]
) -> tuple[KafkaSettings, S] | None:
    """Kafka and service settings from env and flags; None (after saying why) if invalid."""
    try:
        kafka = KafkaSettings(**_overrides(args, {"bootstrap": "bootstrap"}))
        return kafka, model(**_overrides(args, flags))
    except ValidationError as exc:
        print(f"tocsin serve {service}: invalid settings: {exc}", file=sys.stderr)
        return None


def run_ingest(args: argparse.Namespace) -> int:
    """Build settings from env and flags, then serve."""
    # Imported here so that other commands do not pay for FastAPI and uvicorn.
    from tocsin.ingest.keys import KeyConfigError  # noqa: PLC0415
    from tocsin.ingest.listeners import ListenError  # noqa: PLC0415
    from tocsin.ingest.main import serve  # noqa: PLC0415

    built = _settings(
        args,
        "ingest",
        IngestSettings,
        {"host": "host", "port": "port", "state_dir": "state_dir",
         "publish_timeout": "publish_timeout_s", "api_keys_file": "api_keys_file",
         "ops_host": "ops_host", "ops_port": "ops_port", "workers": "workers"},
    )  # fmt: skip
    if built is None:
        return 2
    kafka, settings = built
    try:
        serve(settings, kafka)
    except KeyConfigError as exc:
        print(f"tocsin serve ingest: {exc}", file=sys.stderr)
        return 2
    except ListenError as exc:
        print(f"tocsin serve ingest: {exc}", file=sys.stderr)
        return 1
    return 0


def _register_aggregator(services: Any) -> None:
    aggregator = services.add_parser(
        "aggregator",
        help="the aggregator: running totals from the event topics (GET /v1/totals, /metrics)",
        description="Consume the event topics as a member of a consumer group, keep running "
        "totals in a local SQLite database and serve them as JSON and Prometheus metrics.",
    )
    aggregator.add_argument(
        "--host", help="listen address (TOCSIN_AGGREGATOR_HOST, default 127.0.0.1)"
    )
    aggregator.add_argument(
        "--port", type=int, help="listen port (TOCSIN_AGGREGATOR_PORT, default 8081)"
    )
    aggregator.add_argument("--bootstrap", help="Kafka bootstrap servers (TOCSIN_KAFKA_BOOTSTRAP)")
    aggregator.add_argument(
        "--state-dir", help="where state.sqlite lives (TOCSIN_AGGREGATOR_STATE_DIR)"
    )
    aggregator.add_argument(
        "--group", help="consumer group id (TOCSIN_AGGREGATOR_GROUP_ID, default tocsin-aggregator)"
    )
    aggregator.add_argument(
        "--instance-id", help="static group membership id (TOCSIN_AGGREGATOR_INSTANCE_ID)"
    )
    aggregator.add_argument(
        "--today",
        help='"today" for curfews, YYYY-MM-DD (TOCSIN_AGGREGATOR_TODAY; default the UTC date)',
    )
    aggregator.add_argument(
        "--topic-prefix",
        help="prefix of every topic read and written (TOCSIN_AGGREGATOR_TOPIC_PREFIX)",
    )
    aggregator.set_defaults(handler=run_aggregator)


def run_aggregator(args: argparse.Namespace) -> int:
    """Build settings from env and flags, then serve."""
    from tocsin.aggregator.main import serve  # noqa: PLC0415

    built = _settings(
        args,
        "aggregator",
        AggregatorSettings,
        {"host": "host", "port": "port", "state_dir": "state_dir", "group": "group_id",
         "instance_id": "instance_id", "today": "today", "topic_prefix": "topic_prefix"},
    )  # fmt: skip
    if built is None:
        return 2
    kafka, settings = built
    serve(settings, kafka)
    return 0
