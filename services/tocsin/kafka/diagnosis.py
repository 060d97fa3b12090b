"""Why a kafka-python client could not connect: a rejected login, or an unreachable broker.

kafka-python 3.0 reports every failed bootstrap as "Unable to bootstrap" after its
timeout, even when the broker answered at once that the SASL login was wrong; the
reason only reaches its log. So when a client with SASL or TLS fails to connect,
``connect_error`` makes one plain connection of its own to the first bootstrap
server and turns what that connection reports into the error Tocsin raises.
"""

from __future__ import annotations

import logging
from typing import Any

from kafka.errors import KafkaError, SaslAuthenticationFailedError

from tocsin.errors import BrokerAuthenticationError, BrokerUnavailableError
from tocsin.kafka.client import describe_security, security_options
from tocsin.settings import KafkaSettings

log = logging.getLogger(__name__)

# A broker answers a rejected login, then closes the connection. kafka-python 3.0.12
# drops that answer when the close arrives in the same read, and then reports only
# "socket disconnected"; a few attempts almost always see the answer itself.
_ATTEMPTS = 3
_ATTEMPT_TIMEOUT_S = 5.0


def connect_error(settings: KafkaSettings, exc: KafkaError) -> BrokerUnavailableError:
    """The error to raise when building a client failed with ``exc``.

    ``BrokerAuthenticationError`` when the broker rejects the SASL login, else
    ``BrokerUnavailableError`` carrying what kafka-python said (and what a TLS
    handshake said, when that is what failed).
    """
    where = f"Kafka at {settings.bootstrap}"
    if settings.security_protocol == "PLAINTEXT":
        return BrokerUnavailableError(f"cannot reach {where}: {exc}")
    finding = _probe(settings)
    if isinstance(finding, SaslAuthenticationFailedError):
        return BrokerAuthenticationError(
            f"authentication failed: {where} rejected the login "
            f"({describe_security(settings)}): {_broker_message(finding)}; check "
            "TOCSIN_KAFKA_SASL_USERNAME, TOCSIN_KAFKA_SASL_PASSWORD (or _FILE) and "
            "TOCSIN_KAFKA_SASL_MECHANISM"
        )
    if finding == "closed during login":
        return BrokerAuthenticationError(
            f"authentication failed: {where} closed the connection during the SASL login "
            f"({describe_security(settings)}), as it does on a wrong user name or password; "
            "check TOCSIN_KAFKA_SASL_USERNAME, TOCSIN_KAFKA_SASL_PASSWORD (or _FILE), "
            "TOCSIN_KAFKA_SASL_MECHANISM and TOCSIN_KAFKA_SECURITY_PROTOCOL"
        )
    if isinstance(finding, KafkaError) and "Handshake failed" in str(finding):
        return BrokerUnavailableError(
            f"TLS with {where} failed: {finding}; check TOCSIN_KAFKA_SSL_CAFILE and "
            "TOCSIN_KAFKA_SSL_CHECK_HOSTNAME"
        )
    return BrokerUnavailableError(f"cannot reach {where}: {exc}")


def _broker_message(error: SaslAuthenticationFailedError) -> str:
    # kafka-python prefixes the broker's words with the class name, sometimes twice.
    text = str(error)
    return text.rsplit("SaslAuthenticationFailedError: ", 1)[-1]


def _probe(settings: KafkaSettings) -> Exception | str | None:
    """Connect once (or a few times) to the first bootstrap server and report how it went.

    Returns the exception the connection raised, ``"closed during login"`` when the
    broker only ever closed the connection while SASL was in progress, or None when
    the connection worked or the probe itself could not run.
    """
    try:
        # Internal to kafka-python, and so imported here: if a later 3.x moves them, the
        # probe gives up and the caller reports kafka-python's own error.
        from kafka.net.manager import KafkaConnectionManager  # noqa: PLC0415
        from kafka.net.selector import NetworkSelector  # noqa: PLC0415
    except ImportError:
        return None
    try:
        options = {
            "bootstrap_servers": settings.servers[:1],
            "client_id": f"{settings.client_id}-diagnosis",
            "request_timeout_ms": int(settings.request_timeout_s * 1000),
            **security_options(settings),
        }
    except BrokerAuthenticationError as exc:
        return exc
    last: Exception | None = None
    disconnects = 0
    for _ in range(_ATTEMPTS):
        last = _attempt(NetworkSelector, KafkaConnectionManager, options)
        if last is None or not _is_disconnect(last):
            return last
        disconnects += 1
    if settings.uses_sasl and disconnects == _ATTEMPTS:
        return "closed during login"
    return last


def _attempt(selector_class: Any, manager_class: Any, options: dict[str, Any]) -> Exception | None:
    timeout_ms = int(min(_ATTEMPT_TIMEOUT_S, options["request_timeout_ms"] / 1000) * 1000)
    net = selector_class(**options)
    manager = manager_class(net, **options)
    try:
        node = manager.cluster.bootstrap_brokers()[0]

        async def connect() -> None:
            conn = manager.get_connection(
                node.node_id, timeout_ms=timeout_ms, pop_on_close=False,
                refresh_metadata_on_err=False,
            )  # fmt: skip
            try:
                await conn
            finally:
                conn.close()

        net.run(connect)
    except Exception as exc:  # whatever the connection raised is the finding
        return exc
    finally:
        try:
            manager.close()
            net.close()
        except Exception as exc:  # closing a failed probe must not mask it
            log.debug("closing the connection probe failed: %s", exc)
    return None


def _is_disconnect(error: Exception) -> bool:
    return "socket disconnected" in str(error)
