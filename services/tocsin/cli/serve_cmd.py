"""``tocsin serve``: run one of Tocsin's services in the foreground."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import ValidationError

from tocsin.settings import IngestSettings, KafkaSettings


def register(subparsers: Any) -> None:
    """Add the ``serve`` command and its services."""
    parser = subparsers.add_parser(
        "serve",
        help="run a Tocsin service (ingest)",
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
    ingest.set_defaults(handler=run_ingest)


def _overrides(args: argparse.Namespace, names: dict[str, str]) -> dict[str, Any]:
    return {
        field: getattr(args, flag)
        for flag, field in names.items()
        if getattr(args, flag) is not None
    }


def run_ingest(args: argparse.Namespace) -> int:
    """Build settings from env and flags, then serve."""
    # Imported here so that other commands do not pay for FastAPI and uvicorn.
    from tocsin.ingest.main import serve  # noqa: PLC0415

    try:
        kafka = KafkaSettings(**_overrides(args, {"bootstrap": "bootstrap"}))
        settings = IngestSettings(
            **_overrides(
                args,
                {
                    "host": "host",
                    "port": "port",
                    "state_dir": "state_dir",
                    "publish_timeout": "publish_timeout_s",
                },
            )
        )
    except ValidationError as exc:
        print(f"tocsin serve ingest: invalid settings: {exc}", file=sys.stderr)
        return 2
    serve(settings, kafka)
    return 0
