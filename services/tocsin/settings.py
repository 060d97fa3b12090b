"""Typed settings, read from environment variables (and overridden by CLI flags).

Each service builds its settings once in its entry point and passes them down;
nothing here is instantiated at import time.

| variable                         | default          | meaning                                  |
|----------------------------------|------------------|------------------------------------------|
| TOCSIN_KAFKA_BOOTSTRAP           | 127.0.0.1:9092   | comma-separated broker addresses         |
| TOCSIN_KAFKA_CLIENT_ID           | tocsin           | client id prefix seen by the broker      |
| TOCSIN_KAFKA_PARTITIONS          | 3                | partitions for topics Tocsin creates     |
| TOCSIN_KAFKA_REPLICATION_FACTOR  | 1                | replication factor for those topics      |
| TOCSIN_KAFKA_COMPRESSION         | gzip             | producer compression (gzip or none)      |
| TOCSIN_KAFKA_REQUEST_TIMEOUT_S   | 5                | per-request broker timeout               |
| TOCSIN_INGEST_HOST / _PORT       | 127.0.0.1 / 8080 | where the ingest service listens         |
| TOCSIN_INGEST_PUBLISH_TIMEOUT_S  | 10               | longest wait for broker acks, then 503   |
| TOCSIN_INGEST_MAX_ARTICLE_BYTES  | 1048576          | largest accepted article (413 above)     |
| TOCSIN_INGEST_MAX_BATCH_ARTICLES | 100              | most articles in one batch (413 above)   |
| TOCSIN_INGEST_STATE_DIR          | .tocsin/ingest   | where the recent-articles index lives    |
| TOCSIN_INGEST_INDEX_CAPACITY     | 100000           | articles remembered for duplicate checks |
| TOCSIN_INGEST_API_KEYS           | (none)           | API keys, comma-separated (plaintext)    |
| TOCSIN_INGEST_API_KEYS_FILE      | (none)           | file of key hashes, re-read on change    |
| TOCSIN_INGEST_OPS_HOST / _PORT   | (none)           | own listener for health and metrics      |

| TOCSIN_AGGREGATOR_…    | default            | meaning                              |
|------------------------|--------------------|--------------------------------------|
| HOST / PORT            | 127.0.0.1 / 8081   | where the aggregator listens         |
| GROUP_ID               | tocsin-aggregator  | consumer group of the aggregators    |
| STATE_DIR              | .tocsin/aggregator | where state.sqlite lives             |
| POLL_TIMEOUT_S         | 0.5                | longest wait in one poll             |
| MAX_POLL_RECORDS       | 2000               | records per batch (one commit)       |
| STATEMENTS_KEPT        | 20                 | recent statements per country        |
| SEEN_IDS_PER_PARTITION | 50000              | event ids remembered, per partition  |
| SESSION_TIMEOUT_S      | 10                 | consumer group session timeout       |
| DEADLETTER_TIMEOUT_S   | 10                 | longest wait for a dead letter's ack |
| INSTANCE_ID            | (none)             | static member id (fast restarts)     |
| TODAY                  | (the UTC date)     | "today" for curfews (tests)          |
| TOPIC_PREFIX           | (none)             | prefix of every topic used           |
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How to reach Kafka and how to shape the topics Tocsin creates."""

    model_config = SettingsConfigDict(env_prefix="TOCSIN_KAFKA_", extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", min_length=1)
    client_id: str = "tocsin"
    partitions: int = Field(default=3, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    compression: Literal["gzip", "none"] = "gzip"
    request_timeout_s: float = Field(default=5.0, gt=0, le=300)

    @property
    def servers(self) -> list[str]:
        """Bootstrap addresses as a list."""
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]


class IngestSettings(BaseSettings):
    """The HTTP ingest service."""

    model_config = SettingsConfigDict(env_prefix="TOCSIN_INGEST_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    publish_timeout_s: float = Field(default=10.0, gt=0, le=300)
    max_article_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_batch_articles: int = Field(default=100, ge=1, le=10_000)
    state_dir: Path = Path(".tocsin/ingest")
    index_capacity: int = Field(default=100_000, ge=100)
    retry_after_s: int = Field(default=5, ge=1, le=3600)
    api_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated API keys the write routes accept. Held as a secret "
        "(never printed), hashed at start; prefer api_keys_file, which holds only hashes.",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="A file of 'sha256:<hex> [label]' lines, re-read when it changes. "
        "With neither this nor api_keys, the write routes are open.",
    )
    ops_host: str | None = Field(
        default=None,
        min_length=1,
        description="Address of a separate listener for /healthz, /readyz and /metrics "
        "(default: host). Needs ops_port.",
    )
    ops_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        validate_default=True,  # so that the check below also sees an ops_host without it
        description="Port of that listener; when set, the main port no longer serves them.",
    )

    # A field validator, not a model one: a model validator's error would quote every
    # input, api_keys included.
    @field_validator("ops_port", mode="after")
    @classmethod
    def _ops_listener_apart(cls, ops_port: int | None, info: ValidationInfo) -> int | None:
        if ops_port is None and info.data.get("ops_host") is not None:
            raise ValueError("TOCSIN_INGEST_OPS_HOST needs TOCSIN_INGEST_OPS_PORT")
        # Requests are routed by the port they arrived on, so the two ports must differ
        # even on different addresses.
        if ops_port is not None and ops_port == info.data.get("port"):
            raise ValueError(f"the ops port must differ from the main port ({ops_port})")
        return ops_port

    @property
    def ops_address(self) -> tuple[str, int] | None:
        """Where health and metrics listen apart from the articles, or None (same port)."""
        if self.ops_port is None:
            return None
        return (self.ops_host or self.host, self.ops_port)


class AggregatorSettings(BaseSettings):
    """The aggregator service: its consumer group, local state and HTTP endpoint."""

    model_config = SettingsConfigDict(env_prefix="TOCSIN_AGGREGATOR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=0, le=65535)
    group_id: str = Field(default="tocsin-aggregator", min_length=1)
    state_dir: Path = Path(".tocsin/aggregator")
    poll_timeout_s: float = Field(default=0.5, gt=0, le=60)
    max_poll_records: int = Field(default=2000, ge=1, le=100_000)
    statements_kept: int = Field(default=20, ge=1, le=1000)
    seen_ids_per_partition: int = Field(default=50_000, ge=100, le=10_000_000)
    session_timeout_s: float = Field(default=10.0, ge=1, le=300)
    deadletter_timeout_s: float = Field(default=10.0, gt=0, le=300)
    instance_id: str | None = Field(
        default=None,
        min_length=1,
        description="Static membership (KIP-345): a restarted instance with the same id "
        "gets its partitions back without a rebalance, and a stopped one keeps them until "
        "its session times out; it must be unique in the group.",
    )
    today: dt.date | None = Field(
        default=None, description='"Today" for curfews; the current UTC date when unset.'
    )
    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prepended to every topic read and written, to share a cluster.",
    )

    @property
    def state_file(self) -> Path:
        """The SQLite database of totals and offsets."""
        return self.state_dir / "state.sqlite"

    def current_date(self) -> dt.date:
        """``today`` when set, else the current date in UTC."""
        return self.today or dt.datetime.now(dt.UTC).date()
