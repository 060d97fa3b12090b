"""Kafka client security settings: the options each protocol gives, the combinations
refused (naming the variables), and passwords kept out of every repr, error and log."""

from __future__ import annotations

import gc
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient
from kafka.errors import (
    KafkaConfigurationError,
    KafkaConnectionError,
    KafkaTimeoutError,
    SaslAuthenticationFailedError,
)
from pydantic import ValidationError

from tocsin.errors import BrokerAuthenticationError, BrokerUnavailableError
from tocsin.kafka import diagnosis
from tocsin.kafka.client import SecretText, client_options, describe_security
from tocsin.kafka.diagnosis import connect_error
from tocsin.settings import KafkaSettings

SECRET = "hunter2-do-not-print"  # noqa: S105 - a test value, looked for in printed text
KEY_SECRET = "key-pass-do-not-print"  # noqa: S105 - likewise
SASL_KEYS = {"sasl_mechanism", "sasl_plain_username", "sasl_plain_password"}
SSL_KEYS = {"ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_password", "ssl_check_hostname"}


@pytest.fixture(autouse=True)
def _no_kafka_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from each test, never from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("TOCSIN_KAFKA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def pem(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return path


def _sasl(**extra: Any) -> KafkaSettings:
    fields: dict[str, Any] = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_username": "tocsin",
        "sasl_password": SECRET,
    }
    return KafkaSettings(**(fields | extra))


def _assert_hidden(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert KEY_SECRET not in text


# --- options per protocol ---


def test_plaintext_gives_no_security_options() -> None:
    options = client_options(KafkaSettings(), "ingest")
    assert options["security_protocol"] == "PLAINTEXT"
    assert not (SASL_KEYS | SSL_KEYS) & options.keys()
    assert options["client_id"] == "tocsin-ingest"


def test_ssl_gives_tls_options_and_no_sasl(pem: Path) -> None:
    settings = KafkaSettings(
        security_protocol="SSL",
        ssl_cafile=pem,
        ssl_certfile=pem,
        ssl_keyfile=pem,
        ssl_password=KEY_SECRET,
        ssl_check_hostname=False,
    )
    options = client_options(settings, "admin")
    assert options["security_protocol"] == "SSL"
    assert options["ssl_cafile"] == options["ssl_certfile"] == options["ssl_keyfile"] == str(pem)
    assert options["ssl_check_hostname"] is False
    assert options["ssl_password"] == KEY_SECRET
    assert not SASL_KEYS & options.keys()


def test_ssl_without_a_ca_file_trusts_the_system() -> None:
    options = client_options(KafkaSettings(security_protocol="SSL"), "admin")
    assert options["ssl_cafile"] is None
    assert options["ssl_check_hostname"] is True


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_passes_the_login_for_every_mechanism(mechanism: str) -> None:
    options = client_options(_sasl(sasl_mechanism=mechanism), "aggregator")
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == mechanism
    assert options["sasl_plain_username"] == "tocsin"
    assert options["sasl_plain_password"] == SECRET
    assert not SSL_KEYS & options.keys()


def test_sasl_ssl_gives_both(pem: Path) -> None:
    settings = _sasl(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", ssl_cafile=pem)
    options = client_options(settings, "tail")
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["ssl_cafile"] == str(pem)


def test_settings_come_from_the_environment_in_any_case(
    monkeypatch: pytest.MonkeyPatch, pem: Path
) -> None:
    monkeypatch.setenv("TOCSIN_KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
    monkeypatch.setenv("TOCSIN_KAFKA_SASL_MECHANISM", "scram-sha-512")
    monkeypatch.setenv("TOCSIN_KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("TOCSIN_KAFKA_SASL_PASSWORD", SECRET)
    monkeypatch.setenv("TOCSIN_KAFKA_SSL_CAFILE", str(pem))
    monkeypatch.setenv("TOCSIN_KAFKA_SSL_CHECK_HOSTNAME", "false")
    settings = KafkaSettings()
    assert (settings.security_protocol, settings.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert settings.sasl_secret() == SECRET
    assert settings.ssl_check_hostname is False


def test_the_password_file_is_read_at_each_connection(tmp_path: Path) -> None:
    """A mounted secret can be rotated without a restart; its final line break is not part of it."""
    secret_file = tmp_path / "password"
    secret_file.write_text(f"{SECRET}-1\n")
    settings = _sasl(sasl_password=None, sasl_password_file=secret_file)
    assert client_options(settings, "ingest")["sasl_plain_password"] == f"{SECRET}-1"
    secret_file.write_text(f"{SECRET}-2")
    assert client_options(settings, "ingest")["sasl_plain_password"] == f"{SECRET}-2"


def test_a_password_file_gone_later_is_an_authentication_error(tmp_path: Path) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text(SECRET)
    settings = _sasl(sasl_password=None, sasl_password_file=secret_file)
    secret_file.unlink()
    with pytest.raises(BrokerAuthenticationError, match="TOCSIN_KAFKA_SASL_PASSWORD_FILE"):
        client_options(settings, "ingest")


# --- combinations refused ---


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"security_protocol": "SASL_SSL"},
            [
                "TOCSIN_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs",
                "TOCSIN_KAFKA_SASL_MECHANISM",
                "TOCSIN_KAFKA_SASL_USERNAME",
                "TOCSIN_KAFKA_SASL_PASSWORD (or TOCSIN_KAFKA_SASL_PASSWORD_FILE)",
            ],
        ),
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
             "sasl_password": SECRET},
            ["needs TOCSIN_KAFKA_SASL_USERNAME"],
        ),
        (
            {"sasl_mechanism": "PLAIN", "sasl_password": SECRET},
            ["TOCSIN_KAFKA_SASL_MECHANISM and TOCSIN_KAFKA_SASL_PASSWORD set",
             "TOCSIN_KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL"],
        ),
        (
            {"security_protocol": "SSL", "sasl_username": "tocsin"},
            ["TOCSIN_KAFKA_SASL_USERNAME set", "=SSL does not use SASL"],
        ),
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
             "sasl_username": "tocsin", "sasl_password": SECRET, "ssl_password": KEY_SECRET},
            ["TOCSIN_KAFKA_SSL_PASSWORD set", "=SASL_PLAINTEXT does not use TLS"],
        ),
        (
            {"security_protocol": "SSL", "ssl_password": KEY_SECRET},
            ["TOCSIN_KAFKA_SSL_PASSWORD only make sense with TOCSIN_KAFKA_SSL_CERTFILE"],
        ),
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "GSSAPI",
             "sasl_username": "tocsin", "sasl_password": SECRET},
            ["sasl_mechanism", "SCRAM-SHA-512"],
        ),
        ({"security_protocol": "TLS"}, ["security_protocol", "SASL_SSL"]),
    ],
)  # fmt: skip
def test_combinations_that_cannot_work_are_refused(
    fields: dict[str, Any], expected: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        KafkaSettings(**fields)
    text = str(caught.value)
    for part in expected:
        assert part in text
    _assert_hidden(text, repr(caught.value), caught.value.json())


def test_password_and_password_file_together_are_refused(tmp_path: Path) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text(SECRET)
    with pytest.raises(ValidationError, match="not both") as caught:
        _sasl(sasl_password_file=secret_file)
    _assert_hidden(str(caught.value), caught.value.json())


@pytest.mark.parametrize("content", ["", "\n"])
def test_an_empty_password_file_is_refused(tmp_path: Path, content: str) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text(content)
    with pytest.raises(ValidationError, match=r"TOCSIN_KAFKA_SASL_PASSWORD_FILE .* is empty"):
        _sasl(sasl_password=None, sasl_password_file=secret_file)


def test_a_missing_ca_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ssl_cafile"):
        KafkaSettings(security_protocol="SSL", ssl_cafile=tmp_path / "nowhere.pem")


# --- secrets never printed ---


def test_settings_never_show_the_passwords(pem: Path) -> None:
    settings = _sasl(
        security_protocol="SASL_SSL", ssl_certfile=pem, ssl_keyfile=pem, ssl_password=KEY_SECRET
    )
    _assert_hidden(repr(settings), str(settings), settings.model_dump_json())
    _assert_hidden(describe_security(settings))
    assert describe_security(settings) == "SASL_SSL, PLAIN as 'tocsin'"


def test_the_options_given_to_kafka_python_print_as_a_mask(pem: Path) -> None:
    settings = _sasl(
        security_protocol="SASL_SSL", ssl_certfile=pem, ssl_keyfile=pem, ssl_password=KEY_SECRET
    )
    options = client_options(settings, "ingest")
    _assert_hidden(repr(options), str(options), "%s" % (options,), f"{options}")  # noqa: UP031


def test_secret_text_is_the_text_to_use_and_a_mask_to_print() -> None:
    secret = SecretText(SECRET)
    assert secret == SECRET
    assert "\0".join(["u", secret]).encode() == f"u\0{SECRET}".encode()
    assert secret.encode() == SECRET.encode()
    _assert_hidden(repr(secret), str(secret), f"{secret}", f"{secret:>40}", "%s" % secret)  # noqa: UP031


def test_kafka_python_debug_log_of_its_configuration_hides_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """kafka-python logs every option at DEBUG when an admin client starts."""
    options = client_options(_sasl(), "probe")
    # An unknown option stops the constructor right after that line, before any I/O.
    with (
        caplog.at_level(logging.DEBUG, logger="kafka"),
        pytest.raises(KafkaConfigurationError),
    ):
        KafkaAdminClient(**options, not_an_option=True)
    assert "Starting KafkaAdminClient with configuration" in caplog.text
    assert "sasl_plain_password" in caplog.text
    _assert_hidden(caplog.text)


# --- a failed connection, explained ---


def test_plaintext_failures_are_not_probed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagnosis, "_probe", _never)
    error = connect_error(KafkaSettings(), KafkaTimeoutError("Unable to bootstrap"))
    assert type(error) is BrokerUnavailableError
    assert (
        str(error) == "cannot reach Kafka at 127.0.0.1:9092: KafkaTimeoutError: Unable to bootstrap"
    )


def _never(_settings: KafkaSettings) -> None:
    raise AssertionError("a PLAINTEXT failure must not be probed")


@pytest.mark.parametrize(
    ("finding", "kind", "start"),
    [
        (
            SaslAuthenticationFailedError(
                "SaslAuthenticationFailedError: Authentication failed: Invalid username or password"
            ),
            BrokerAuthenticationError,
            "authentication failed: Kafka at 127.0.0.1:9092 rejected the login "
            "(SASL_PLAINTEXT, PLAIN as 'tocsin'): Authentication failed: Invalid username",
        ),
        (
            "closed during login",
            BrokerAuthenticationError,
            "authentication failed: Kafka at 127.0.0.1:9092 closed the connection during the "
            "SASL login (SASL_PLAINTEXT, PLAIN as 'tocsin')",
        ),
        (
            KafkaConnectionError("Handshake failed: [SSL: CERTIFICATE_VERIFY_FAILED]"),
            BrokerUnavailableError,
            "TLS with Kafka at 127.0.0.1:9092 failed: ",
        ),
        (
            KafkaConnectionError("111 ECONNREFUSED"),
            BrokerUnavailableError,
            "cannot reach Kafka at 127.0.0.1:9092: KafkaTimeoutError",
        ),
        (None, BrokerUnavailableError, "cannot reach Kafka at 127.0.0.1:9092"),
    ],
)
def test_what_the_probe_found_becomes_the_error(
    monkeypatch: pytest.MonkeyPatch, finding: object, kind: type[Exception], start: str
) -> None:
    monkeypatch.setattr(diagnosis, "_probe", lambda _settings: finding)
    error = connect_error(_sasl(), KafkaTimeoutError("Unable to bootstrap"))
    assert type(error) is kind
    assert str(error).startswith(start), str(error)
    _assert_hidden(str(error))


def test_the_probe_reports_an_unreachable_broker_as_such(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A real probe against a closed port: refused at once, so no authentication is blamed."""
    settings = _sasl(bootstrap="127.0.0.1:9", request_timeout_s=1)
    # kafka-python 3.0.12 drops the socket of a refused connection without closing it,
    # and logs the error that still refers to it. With no log record keeping it alive,
    # it is collected here, and its ResourceWarning cannot surface in a later test.
    caplog.set_level(logging.CRITICAL, logger="kafka")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        error = connect_error(settings, KafkaTimeoutError("Unable to bootstrap"))
        gc.collect()
    assert type(error) is BrokerUnavailableError
    assert str(error).startswith("cannot reach Kafka at 127.0.0.1:9")
