"""Typed settings, read from environment variables (and overridden by CLI flags).

Each service builds its settings once in its entry point and passes them down;
nothing here is instantiated at import time.

| variable                         | default          | meaning                                  |
|----------------------------------|------------------|------------------------------------------|
| TOCSIN_KAFKA_BOOTSTRAP           | 127.0.0.1:9092   | comma-separated broker addresses         |
| TOCSIN_KAFKA_CLIENT_ID           | tocsin           | client id prefix seen by the broker      |
| TOCSIN_KAFKA_PARTITIONS          | 3                | partitions for topics Tocsin creates     |
| TOCSIN_KAFKA_REPLICATION_FACTOR  | 1                | replication factor for those topics      |
| TOCSIN_KAFKA_COMPRESSION         | lz4              | producer compression (lz4, gzip or none) |
| TOCSIN_KAFKA_REQUEST_TIMEOUT_S   | 5                | per-request broker timeout               |
| TOCSIN_KAFKA_SECURITY_PROTOCOL   | PLAINTEXT        | PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL |
| TOCSIN_KAFKA_SASL_MECHANISM      | (none)           | PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512    |
| TOCSIN_KAFKA_SASL_USERNAME       | (none)           | SASL user name                           |
| TOCSIN_KAFKA_SASL_PASSWORD       | (none)           | SASL password (secret, never printed)    |
| TOCSIN_KAFKA_SASL_PASSWORD_FILE  | (none)           | or a file holding it, read per connect   |
| TOCSIN_KAFKA_SSL_CAFILE          | (system CAs)     | PEM CA certificates to trust             |
| TOCSIN_KAFKA_SSL_CERTFILE        | (none)           | PEM client certificate (mutual TLS)      |
| TOCSIN_KAFKA_SSL_KEYFILE         | (none)           | PEM private key of that certificate      |
| TOCSIN_KAFKA_SSL_PASSWORD        | (none)           | password of that key (secret)            |
| TOCSIN_KAFKA_SSL_CHECK_HOSTNAME  | true             | check the broker's name in its cert      |
| TOCSIN_INGEST_HOST / _PORT       | 127.0.0.1 / 8080 | where the ingest service listens         |
| TOCSIN_INGEST_PUBLISH_TIMEOUT_S  | 10               | longest wait for broker acks, then 503   |
| TOCSIN_INGEST_MAX_ARTICLE_BYTES  | 1048576          | largest accepted article (413 above)     |
| TOCSIN_INGEST_MAX_BATCH_ARTICLES | 100              | most articles in one batch (413 above)   |
| TOCSIN_INGEST_STATE_DIR          | .tocsin/ingest   | where the recent-articles index lives    |
| TOCSIN_INGEST_INDEX_CAPACITY     | 100000           | articles remembered for duplicate checks |
| TOCSIN_INGEST_MAX_EVENTS_PER_ARTICLE | 1000         | more events from one article → 422       |
| TOCSIN_INGEST_API_KEYS           | (none)           | API keys, comma-separated (plaintext)    |
| TOCSIN_INGEST_API_KEYS_FILE      | (none)           | file of key hashes, re-read on change    |
| TOCSIN_INGEST_OPS_HOST / _PORT   | (none)           | own listener for health and metrics      |
| TOCSIN_INGEST_WORKERS            | 1                | worker processes sharing the port(s)     |

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

from pydantic import Field, FilePath, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
_SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
_TLS_PROTOCOLS = ("SSL", "SASL_SSL")
_KAFKA_ENV = "TOCSIN_KAFKA_"


class KafkaSettings(BaseSettings):
    """How to reach Kafka and how to shape the topics Tocsin creates."""

    model_config = SettingsConfigDict(env_prefix="TOCSIN_KAFKA_", extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", min_length=1)
    client_id: str = "tocsin"
    partitions: int = Field(default=3, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    # lz4 by default: it cost the producer about 0.31 ms of CPU per article against
    # 0.40 ms for gzip (BENCHMARKS.md), and every Kafka client reads it.
    compression: Literal["lz4", "gzip", "none"] = "lz4"
    request_timeout_s: float = Field(default=5.0, gt=0, le=300)
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = Field(default=None, min_length=1)
    sasl_password: SecretStr | None = None
    sasl_password_file: FilePath | None = Field(
        default=None,
        description="A file holding the SASL password (a mounted secret), read at every "
        "connection so that a rotated password is picked up.",
    )
    ssl_cafile: FilePath | None = None
    ssl_certfile: FilePath | None = None
    ssl_keyfile: FilePath | None = None
    ssl_password: SecretStr | None = None
    ssl_check_hostname: bool = True
    # Declared last, because its validator checks the fields above against it; a field
    # validator rather than a model one, whose errors would quote every input, passwords too.
    security_protocol: SecurityProtocol = Field(default="PLAINTEXT", validate_default=True)

    @property
    def servers(self) -> list[str]:
        """Bootstrap addresses as a list."""
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    @property
    def uses_sasl(self) -> bool:
        """Whether clients authenticate with SASL."""
        return self.security_protocol in _SASL_PROTOCOLS

    @property
    def uses_tls(self) -> bool:
        """Whether connections are encrypted with TLS."""
        return self.security_protocol in _TLS_PROTOCOLS

    def sasl_secret(self) -> str | None:
        """The SASL password, read from ``sasl_password_file`` when that is how it is given.

        Raises ``OSError`` when the file cannot be read any more.
        """
        if self.sasl_password is not None:
            return self.sasl_password.get_secret_value()
        if self.sasl_password_file is not None:
            return _read_secret_file(self.sasl_password_file)
        return None

    @field_validator("sasl_mechanism", "security_protocol", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("sasl_password_file", mode="after")
    @classmethod
    def _password_file_readable(cls, path: Path | None) -> Path | None:
        if path is not None:
            try:
                secret = _read_secret_file(path)
            except OSError as exc:
                raise ValueError(f"TOCSIN_KAFKA_SASL_PASSWORD_FILE: {exc.strerror}") from None
            if not secret:
                raise ValueError(f"TOCSIN_KAFKA_SASL_PASSWORD_FILE {path} is empty")
        return path

    @field_validator("security_protocol", mode="after")
    @classmethod
    def _security_fits(cls, protocol: SecurityProtocol, info: ValidationInfo) -> SecurityProtocol:
        problems = _security_problems(protocol, info.data)
        if problems:
            raise ValueError("; ".join(problems))
        return protocol


def _read_secret_file(path: Path) -> str:
    # One trailing line break is how most tools write a secret; it is not part of it.
    return path.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")


def _security_problems(protocol: str, fields: dict[str, object]) -> list[str]:
    """What does not fit ``protocol`` among the validated SASL and TLS fields, in env names."""
    given = {name for name, value in fields.items() if value is not None}
    setting = f"{_env('security_protocol')}={protocol}"
    problems = []
    if protocol in _SASL_PROTOCOLS:
        missing = [
            f"{_env(name)}{hint}"
            for name, hint in (
                ("sasl_mechanism", " (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"),
                ("sasl_username", ""),
            )
            if name not in given
        ]
        if not given & {"sasl_password", "sasl_password_file"}:
            missing.append(f"{_env('sasl_password')} (or {_env('sasl_password_file')})")
        if missing:
            problems.append(f"{setting} needs {_and(missing)}")
        if {"sasl_password", "sasl_password_file"} <= given:
            problems.append(
                f"set {_env('sasl_password')} or {_env('sasl_password_file')}, not both"
            )
    elif stray := _given(given, "sasl_mechanism", "sasl_username", "sasl_password",
                         "sasl_password_file"):  # fmt: skip
        problems.append(
            f"{_and(stray)} set, but {setting} does not use SASL: use SASL_PLAINTEXT or SASL_SSL"
        )
    if protocol not in _TLS_PROTOCOLS:
        if stray := _given(given, "ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_password"):
            problems.append(
                f"{_and(stray)} set, but {setting} does not use TLS: use SSL or SASL_SSL"
            )
    elif "ssl_certfile" not in given and (orphans := _given(given, "ssl_keyfile", "ssl_password")):
        problems.append(f"{_and(orphans)} only make sense with {_env('ssl_certfile')}")
    return problems


def _env(field: str) -> str:
    return _KAFKA_ENV + field.upper()


def _given(given: set[str], *fields: str) -> list[str]:
    return [_env(name) for name in fields if name in given]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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
    max_events_per_article: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="Most events one article may yield; more is a 422, nothing published. "
        "Bounds what one hostile article can put on the topics.",
    )
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
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes, each running the whole service on the same "
        "listening socket(s), bound once by a supervising parent. 1 runs it in-process.",
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
