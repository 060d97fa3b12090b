"""SASL logins and TLS for the local broker's client listener.

With ``BrokerSecurity(sasl=True)`` the client listener becomes SASL_PLAINTEXT (or
SASL_SSL with ``tls``) and accepts PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 logins.
Two logins exist: the client's (``tocsin`` unless named) and the broker's own,
which it uses on its inter-broker listener, here the same listener. Passwords are
generated once and kept in ``<data dir>/sasl/`` (mode 0600), so restarts keep them.
No authorizer is configured: any authenticated login may do anything, which suits
a development broker on loopback.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tocsin.localbroker.config import HOST, BrokerLayout, write_text_atomic
from tocsin.localbroker.errors import BrokerStartError

DEFAULT_USERNAME = "tocsin"
BROKER_USERNAME = "broker"
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
# What the client settings file suggests: SCRAM never sends the password itself.
SUGGESTED_MECHANISM = "SCRAM-SHA-512"

# Names go unquoted into SCRAM messages, where "," and "=" would need escaping;
# passwords go between double quotes into a JAAS line, where '"' and '\' would end
# or escape the quoted text.
_USERNAME_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_PASSWORD_RE = re.compile(r'[^"\\\r\n]{8,256}')


@dataclass(frozen=True)
class Login:
    """A SASL user name and password; the password never appears in a repr."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class BrokerTls:
    """TLS for the client listener: a PKCS12 keystore and the CA certificate that signed it.

    The broker also trusts ``cafile``, because it connects to its own listener.
    """

    keystore: Path
    keystore_password: str = field(repr=False)
    cafile: Path


@dataclass(frozen=True)
class BrokerSecurity:
    """What the client listener asks of clients.

    ``username`` and ``password`` fix the client's login; when None, the stored one
    is kept (or ``tocsin`` and a generated password on the first start).
    """

    sasl: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: BrokerTls | None = None

    @property
    def protocol(self) -> str:
        """The listener's security protocol, also its name in ``server.properties``."""
        return {
            (False, False): "PLAINTEXT",
            (False, True): "SSL",
            (True, False): "SASL_PLAINTEXT",
            (True, True): "SASL_SSL",
        }[(self.sasl, self.tls is not None)]


@dataclass(frozen=True)
class SaslLogins:
    """The client's login and the broker's own."""

    client: Login
    broker: Login


def prepare_logins(layout: BrokerLayout, security: BrokerSecurity) -> SaslLogins:
    """Return the logins for this start: stored ones, updated by ``security``, or new ones.

    They are written (mode 0600) before the broker starts, so a client can read
    the password file as soon as the broker answers.
    """
    if security.username is not None and not _USERNAME_RE.fullmatch(security.username):
        raise BrokerStartError(
            f"SASL user name {security.username!r} is not allowed: use 1-64 letters, "
            "digits, '.', '_' or '-'"
        )
    if security.password is not None and not _PASSWORD_RE.fullmatch(security.password):
        raise BrokerStartError(
            "the SASL password for the local broker must be 8 to 256 characters without "
            "double quotes, backslashes or line breaks (it is not shown here)"
        )
    stored = read_logins(layout)
    client = stored.client if stored else Login(DEFAULT_USERNAME, _new_password())
    client = Login(security.username or client.username, security.password or client.password)
    if client.username == BROKER_USERNAME:
        raise BrokerStartError(f"the SASL user name {BROKER_USERNAME!r} is the broker's own")
    broker = stored.broker if stored else Login(BROKER_USERNAME, _new_password())
    logins = SaslLogins(client, broker)
    _write_logins(layout, logins)
    return logins


def listener_properties(
    security: BrokerSecurity, logins: SaslLogins | None, port: int
) -> dict[str, str]:
    """The ``server.properties`` entries of the client listener (also the inter-broker one)."""
    name = security.protocol
    lower = name.lower()
    properties = {
        "listeners": f"{name}://{HOST}:{port}",
        "advertised.listeners": f"{name}://{HOST}:{port}",
        "listener.security.protocol.map": f"{name}:{name}",
        "inter.broker.listener.name": name,
    }
    if logins is not None:
        users = f'user_{logins.broker.username}="{logins.broker.password}" ' + (
            f'user_{logins.client.username}="{logins.client.password}"'
        )
        properties |= {
            "sasl.enabled.mechanisms": ",".join(MECHANISMS),
            "sasl.mechanism.inter.broker.protocol": "PLAIN",
            # PLAIN checks passwords against the user_<name> entries here; the
            # username/password pair is the broker's own login to itself.
            f"listener.name.{lower}.plain.sasl.jaas.config": (
                "org.apache.kafka.common.security.plain.PlainLoginModule required "
                f'username="{logins.broker.username}" password="{logins.broker.password}" '
                f"{users};"
            ),
        }
        # SCRAM checks against credentials in the cluster metadata (added after start).
        for mechanism in SCRAM_MECHANISMS:
            properties[f"listener.name.{lower}.{mechanism.lower()}.sasl.jaas.config"] = (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            )
    if security.tls is not None:
        tls = security.tls
        properties |= {
            f"listener.name.{lower}.ssl.keystore.type": "PKCS12",
            f"listener.name.{lower}.ssl.keystore.location": str(tls.keystore),
            f"listener.name.{lower}.ssl.keystore.password": tls.keystore_password,
            f"listener.name.{lower}.ssl.truststore.type": "PEM",
            f"listener.name.{lower}.ssl.truststore.location": str(tls.cafile),
        }
    return properties


def probe_options(security: BrokerSecurity, logins: SaslLogins | None) -> dict[str, Any]:
    """kafka-python options for the broker's own probes, logged in as the broker."""
    options: dict[str, Any] = {"security_protocol": security.protocol}
    if logins is not None:
        options |= {
            "sasl_mechanism": "PLAIN",
            "sasl_plain_username": logins.broker.username,
            "sasl_plain_password": logins.broker.password,
        }
    if security.tls is not None:
        options["ssl_cafile"] = str(security.tls.cafile)
    return options


def write_client_settings(
    layout: BrokerLayout, bootstrap: str, security: BrokerSecurity, logins: SaslLogins | None
) -> None:
    """Write ``client.env``: the TOCSIN_KAFKA_* settings that reach this broker.

    The password stays in its own file, which the settings point to, so the
    settings file can be shown or sourced without revealing it.
    """
    lines = [
        f"# Tocsin client settings for the local broker in {layout.data_dir}.",
        "# Load them into a shell with: set -a; . THIS_FILE; set +a",
        f"TOCSIN_KAFKA_BOOTSTRAP={bootstrap}",
        f"TOCSIN_KAFKA_SECURITY_PROTOCOL={security.protocol}",
    ]
    if logins is not None:
        lines += [
            f"TOCSIN_KAFKA_SASL_MECHANISM={SUGGESTED_MECHANISM}",
            f"TOCSIN_KAFKA_SASL_USERNAME={logins.client.username}",
            f"TOCSIN_KAFKA_SASL_PASSWORD_FILE={layout.client_password_file}",
        ]
    if security.tls is not None:
        lines.append(f"TOCSIN_KAFKA_SSL_CAFILE={security.tls.cafile}")
    _write_private(layout, layout.client_env_file, "\n".join(lines) + "\n")


def _write_private(layout: BrokerLayout, path: Path, text: str) -> None:
    layout.sasl_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_text_atomic(path, text, private=True)


def _new_password() -> str:
    return secrets.token_urlsafe(24)


def read_logins(layout: BrokerLayout) -> SaslLogins | None:
    """Return the stored logins, or None when none were made yet."""
    try:
        raw: dict[str, Any] = json.loads(layout.logins_file.read_text(encoding="utf-8"))
        return SaslLogins(
            Login(str(raw["client"]["username"]), str(raw["client"]["password"])),
            Login(str(raw["broker"]["username"]), str(raw["broker"]["password"])),
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        # The message names the file and the problem, never its content.
        raise BrokerStartError(
            f"{layout.logins_file} is damaged ({type(exc).__name__}); delete it to get "
            "new SASL passwords"
        ) from None


def _write_logins(layout: BrokerLayout, logins: SaslLogins) -> None:
    raw = {
        "client": {"username": logins.client.username, "password": logins.client.password},
        "broker": {"username": logins.broker.username, "password": logins.broker.password},
    }
    _write_private(layout, layout.logins_file, json.dumps(raw, indent=2) + "\n")
    _write_private(layout, layout.client_password_file, logins.client.password + "\n")
