"""The local broker's SASL logins, listener settings and client settings file, without a broker."""

from __future__ import annotations

import argparse
import json
import stat
from pathlib import Path

import pytest

from tocsin.cli import kafka_cmd
from tocsin.localbroker import BrokerSecurity, BrokerStartError, BrokerTls
from tocsin.localbroker.config import BrokerLayout, server_properties, write_config
from tocsin.localbroker.security import (
    listener_properties,
    prepare_logins,
    probe_options,
    write_client_settings,
)
from tocsin.localbroker.state import BrokerState

PASSWORD = "a-chosen-password"  # noqa: S105 - a test value


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_logins_are_generated_and_kept_private(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    logins = prepare_logins(layout, BrokerSecurity(sasl=True))
    assert logins.client.username == "tocsin"
    assert logins.broker.username == "broker"
    assert len(logins.client.password) >= 24
    assert logins.client.password != logins.broker.password
    assert _mode(layout.sasl_dir) == 0o700
    for path in (layout.logins_file, layout.client_password_file):
        assert _mode(path) == 0o600
    assert layout.client_password_file.read_text() == logins.client.password + "\n"
    assert logins.client.password not in repr(logins)


def test_a_restart_keeps_the_stored_logins_unless_told_otherwise(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    first = prepare_logins(layout, BrokerSecurity(sasl=True))
    assert prepare_logins(layout, BrokerSecurity(sasl=True)) == first
    chosen = prepare_logins(layout, BrokerSecurity(sasl=True, username="svc", password=PASSWORD))
    assert (chosen.client.username, chosen.client.password) == ("svc", PASSWORD)
    assert chosen.broker == first.broker
    stored = json.loads(layout.logins_file.read_text())
    assert stored["client"] == {"username": "svc", "password": PASSWORD}


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("with space", None, "user name 'with space' is not allowed"),
        ("broker", None, "'broker' is the broker's own"),
        (None, 'has"quote-inside', "must be 8 to 256 characters"),
        (None, "short", "must be 8 to 256 characters"),
    ],
)
def test_logins_that_would_break_the_broker_config_are_refused(
    tmp_path: Path, username: str | None, password: str | None, message: str
) -> None:
    security = BrokerSecurity(sasl=True, username=username, password=password)
    with pytest.raises(BrokerStartError, match=message) as caught:
        prepare_logins(BrokerLayout(tmp_path), security)
    if password is not None:
        assert password not in str(caught.value)


def test_a_sasl_listener_accepts_plain_and_scram_and_logs_the_broker_in(tmp_path: Path) -> None:
    security = BrokerSecurity(sasl=True, username="svc", password=PASSWORD)
    logins = prepare_logins(BrokerLayout(tmp_path), security)
    properties = listener_properties(security, logins, 19092)
    assert properties["listeners"] == "SASL_PLAINTEXT://127.0.0.1:19092"
    assert properties["inter.broker.listener.name"] == "SASL_PLAINTEXT"
    assert properties["sasl.enabled.mechanisms"] == "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
    assert properties["sasl.mechanism.inter.broker.protocol"] == "PLAIN"
    plain = properties["listener.name.sasl_plaintext.plain.sasl.jaas.config"]
    assert plain.startswith("org.apache.kafka.common.security.plain.PlainLoginModule required ")
    assert f'user_svc="{PASSWORD}"' in plain
    assert f'username="broker" password="{logins.broker.password}"' in plain
    assert plain.endswith(";")
    for mechanism in ("scram-sha-256", "scram-sha-512"):
        key = f"listener.name.sasl_plaintext.{mechanism}.sasl.jaas.config"
        assert "ScramLoginModule required;" in properties[key]
    assert not any("ssl." in key for key in properties)


def test_tls_makes_the_listener_sasl_ssl_with_its_keystore(tmp_path: Path) -> None:
    tls = BrokerTls(tmp_path / "broker.p12", "keystore-secret", tmp_path / "ca.pem")
    security = BrokerSecurity(sasl=True, tls=tls)
    logins = prepare_logins(BrokerLayout(tmp_path), security)
    properties = listener_properties(security, logins, 19093)
    assert properties["listeners"] == "SASL_SSL://127.0.0.1:19093"
    assert properties["listener.name.sasl_ssl.ssl.keystore.location"] == str(tls.keystore)
    assert properties["listener.name.sasl_ssl.ssl.truststore.location"] == str(tls.cafile)
    assert "keystore-secret" not in repr(security)
    assert probe_options(security, logins)["ssl_cafile"] == str(tls.cafile)


def test_the_controller_listener_stays_plaintext_beside_the_client_one(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    security = BrokerSecurity(sasl=True, password=PASSWORD)
    listener = listener_properties(security, prepare_logins(layout, security), 19092)
    properties = server_properties(layout, 19092, 19093, listener)
    assert properties["listeners"] == (
        "SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    )
    assert properties["listener.security.protocol.map"] == (
        "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"
    )
    assert properties["controller.listener.names"] == "CONTROLLER"
    # Without a listener, the broker is what it always was.
    plain = server_properties(layout, 19092, 19093)
    assert plain["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"


def test_server_properties_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    security = BrokerSecurity(sasl=True, password=PASSWORD)
    write_config(layout, 19092, 19093, listener_properties(security, None, 19092))
    assert _mode(layout.properties_file) == 0o600


def test_client_settings_name_the_password_file_not_the_password(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    security = BrokerSecurity(sasl=True, username="svc", password=PASSWORD)
    logins = prepare_logins(layout, security)
    write_client_settings(layout, "127.0.0.1:19092", security, logins)
    text = layout.client_env_file.read_text()
    settings = dict(line.split("=", 1) for line in text.splitlines() if not line.startswith("#"))
    assert settings == {
        "TOCSIN_KAFKA_BOOTSTRAP": "127.0.0.1:19092",
        "TOCSIN_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "TOCSIN_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "TOCSIN_KAFKA_SASL_USERNAME": "svc",
        "TOCSIN_KAFKA_SASL_PASSWORD_FILE": str(layout.client_password_file),
    }
    assert PASSWORD not in text


def test_a_state_file_from_before_sasl_reads_as_plaintext() -> None:
    old = {
        "pid": 1,
        "bootstrap": "127.0.0.1:9092",
        "port": 9092,
        "controller_port": 9093,
        "data_dir": "/d",
        "kafka_version": "4.1.2",
        "started_at": "2026-01-01T00:00:00Z",
    }
    state = BrokerState.from_json(json.dumps(old))
    assert (state.security_protocol, state.sasl_username) == ("PLAINTEXT", None)
    assert state.security == "PLAINTEXT"
    sasl = BrokerState.from_json(
        json.dumps(old | {"security_protocol": "SASL_PLAINTEXT", "sasl_username": "svc"})
    )
    assert sasl.security == "SASL_PLAINTEXT, user 'svc'"
    assert BrokerState.from_json(sasl.to_json()) == sasl


def _start_args(**flags: object) -> argparse.Namespace:
    return argparse.Namespace(**({"sasl": False, "sasl_username": None} | flags))


def test_kafka_start_takes_the_login_from_the_client_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOCSIN_KAFKA_SASL_USERNAME", "from-env")
    monkeypatch.delenv("TOCSIN_KAFKA_SASL_PASSWORD", raising=False)
    secret_file = tmp_path / "password"
    secret_file.write_text(PASSWORD + "\n")
    monkeypatch.setenv("TOCSIN_KAFKA_SASL_PASSWORD_FILE", str(secret_file))
    security = kafka_cmd._security(_start_args(sasl=True))
    assert (security.username, security.password) == ("from-env", PASSWORD)
    flagged = kafka_cmd._security(_start_args(sasl=True, sasl_username="from-flag"))
    assert flagged.username == "from-flag"
    assert kafka_cmd._security(_start_args()) == BrokerSecurity()
    with pytest.raises(BrokerStartError, match="--sasl-username needs --sasl"):
        kafka_cmd._security(_start_args(sasl_username="x"))
