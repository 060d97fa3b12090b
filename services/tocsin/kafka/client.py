"""Options shared by every kafka-python client Tocsin builds: where, who, and how securely."""

from __future__ import annotations

from typing import Any

from tocsin.errors import BrokerAuthenticationError
from tocsin.kafka import idempotence_fix
from tocsin.settings import KafkaSettings

MASK = "**********"


class SecretText(str):
    """A password handed to kafka-python: the real text to use, a mask to print.

    kafka-python logs its whole configuration at DEBUG; a plain ``str`` would put the
    password in that line. String operations (``join``, ``encode``) still see the text.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)


def client_options(settings: KafkaSettings, role: str) -> dict[str, Any]:
    """Connection options for one client; ``role`` tags the client id (ingest, admin, ...)."""
    # Every client is built with these options, so every producer (ingest's, the
    # aggregator's dead letters, tools') gets the fix before it exists. Idempotent.
    idempotence_fix.install()
    timeout_ms = int(settings.request_timeout_s * 1000)
    return {
        "bootstrap_servers": settings.servers,
        "client_id": f"{settings.client_id}-{role}",
        "request_timeout_ms": timeout_ms,
        # Without this kafka-python waits 30 s on an unreachable bootstrap server.
        "bootstrap_timeout_ms": timeout_ms,
        "reconnect_backoff_max_ms": 2000,
        **security_options(settings),
    }


def security_options(settings: KafkaSettings) -> dict[str, Any]:
    """The kafka-python options for TLS and SASL; only those the protocol uses.

    Raises ``BrokerAuthenticationError`` when the password file cannot be read.
    """
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if settings.uses_tls:
        options |= {
            "ssl_check_hostname": settings.ssl_check_hostname,
            # None lets kafka-python trust the system's certificate authorities.
            "ssl_cafile": _path(settings.ssl_cafile),
            "ssl_certfile": _path(settings.ssl_certfile),
            "ssl_keyfile": _path(settings.ssl_keyfile),
            "ssl_password": (
                None
                if settings.ssl_password is None
                else SecretText(settings.ssl_password.get_secret_value())
            ),
        }
    if settings.uses_sasl:
        try:
            secret = settings.sasl_secret()
        except OSError as exc:
            raise BrokerAuthenticationError(
                f"authentication failed: cannot read the SASL password file "
                f"{settings.sasl_password_file} "
                f"(TOCSIN_KAFKA_SASL_PASSWORD_FILE): {exc.strerror}"
            ) from None
        options |= {
            "sasl_mechanism": settings.sasl_mechanism,
            # kafka-python takes these two for SCRAM as well as for PLAIN.
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": None if secret is None else SecretText(secret),
        }
    return options


def describe_security(settings: KafkaSettings) -> str:
    """How clients connect, in words safe to log: protocol, mechanism and user, no secret."""
    if settings.uses_sasl:
        return (
            f"{settings.security_protocol}, {settings.sasl_mechanism} as {settings.sasl_username!r}"
        )
    return settings.security_protocol


def _path(value: object) -> str | None:
    return None if value is None else str(value)
