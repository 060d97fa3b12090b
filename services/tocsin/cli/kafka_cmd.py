"""``tocsin kafka``: fetch, start, stop and inspect the local single-node Kafka broker."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from tocsin.localbroker import (
    BrokerAlreadyRunningError,
    BrokerSecurity,
    BrokerStartError,
    LocalBroker,
    LocalBrokerError,
    ensure_jars,
    read_status,
    require_java,
)
from tocsin.localbroker.broker import DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT

DEFAULT_DATA_DIR = Path(".tocsin/kafka")
DEFAULT_PORT = 9092
USERNAME_ENV = "TOCSIN_KAFKA_SASL_USERNAME"
PASSWORD_ENV = "TOCSIN_KAFKA_SASL_PASSWORD"  # noqa: S105 - a variable name, not a password
PASSWORD_FILE_ENV = "TOCSIN_KAFKA_SASL_PASSWORD_FILE"  # noqa: S105 - a name too


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``kafka`` command and its sub-commands."""
    kafka = subparsers.add_parser(
        "kafka",
        help="run a local single-node Kafka broker (jars fetched from Maven Central)",
        description=(
            "Run a local single-node Apache Kafka (KRaft) on 127.0.0.1 for development and "
            "tests. Needs Java 17+, and Maven the first time, to fetch the pinned jars."
        ),
    )
    kafka.set_defaults(handler=lambda _args: _help(kafka))
    commands = kafka.add_subparsers(dest="kafka_command", metavar="SUBCOMMAND")

    start = commands.add_parser(
        "start", help="start the broker in the background and print its bootstrap address"
    )
    _add_data_dir(start)
    start.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"client port; 0 picks a free one (default {DEFAULT_PORT})",
    )
    start.add_argument(
        "--sasl",
        action="store_true",
        help="make the client port SASL_PLAINTEXT: clients log in with PLAIN, SCRAM-SHA-256 "
        "or SCRAM-SHA-512. The password comes from $TOCSIN_KAFKA_SASL_PASSWORD(_FILE), else "
        "the one stored in DATA_DIR/sasl/, else a new random one; DATA_DIR/sasl/client.env "
        "holds the matching client settings",
    )
    start.add_argument(
        "--sasl-username",
        metavar="NAME",
        help=f"the client's SASL user name (default ${USERNAME_ENV}, else the stored one, "
        "else tocsin)",
    )
    start.add_argument(
        "--controller-port", type=int, default=0, help="KRaft controller port (default: a free one)"
    )
    start.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_START_TIMEOUT,
        help="seconds to wait for the broker to answer (default %(default)s; "
        "a first-time download is not counted)",
    )
    start.set_defaults(handler=_start)

    stop = commands.add_parser("stop", help="stop the broker (SIGTERM, then SIGKILL)")
    _add_data_dir(stop)
    stop.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_STOP_TIMEOUT,
        help="seconds to wait after SIGTERM before SIGKILL (default %(default)s)",
    )
    stop.set_defaults(handler=_stop)

    status = commands.add_parser("status", help="exit 0 if the broker is running, 1 if not")
    _add_data_dir(status)
    status.set_defaults(handler=_status)

    fetch = commands.add_parser("fetch", help="only download and cache the Kafka jars")
    fetch.set_defaults(handler=_fetch)


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="where the broker keeps config, data, logs and its pid (default %(default)s)",
    )


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _fail(error: LocalBrokerError) -> int:
    print(f"error: {error}", file=sys.stderr)
    return 1


def _start(args: argparse.Namespace) -> int:
    # kafka-python logs each connection step of the readiness probe at INFO; at the
    # command line only its warnings help, unless the user asked for DEBUG.
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("kafka").setLevel(logging.WARNING)
        # With --sasl the probe logs in with PLAIN on loopback, which kafka-python warns about.
        logging.getLogger("kafka.net.sasl.plain").setLevel(logging.ERROR)
    stop_hint = f"tocsin kafka stop --data-dir {shlex.quote(str(args.data_dir))}"
    try:
        security = _security(args)
        broker = LocalBroker(
            args.data_dir, port=args.port, controller_port=args.controller_port, security=security
        )
        bootstrap = broker.start(timeout=args.timeout)
    except BrokerAlreadyRunningError as exc:
        state = read_status(args.data_dir).state
        how = f" ({state.security})" if state is not None else ""
        print(f"Kafka is already running at {exc.bootstrap}{how}, data in {args.data_dir}.")
        print(f"Stop it with: {stop_hint}")
        return 0
    except LocalBrokerError as exc:
        return _fail(exc)
    login = broker.client_login if security.sasl else None
    how = "" if login is None else f" over {security.protocol} as {login.username!r}"
    print(f"Kafka is running at {bootstrap}{how} (data and logs in {broker.data_dir}).")
    if login is not None:
        layout = broker.layout
        print(
            "It accepts PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 logins; the password is in "
            f"{layout.client_password_file}."
        )
        print(f"Client settings: set -a; . {shlex.quote(str(layout.client_env_file))}; set +a")
    print(f"Stop it with: {stop_hint}")
    return 0


def _security(args: argparse.Namespace) -> BrokerSecurity:
    """SASL settings for the broker from the flags and the client's own TOCSIN_KAFKA_* vars.

    Taking the client's variables means a shell set up for a SASL broker can start
    a local one that accepts the same login.
    """
    if not args.sasl:
        if args.sasl_username is not None:
            raise BrokerStartError("--sasl-username needs --sasl")
        return BrokerSecurity()
    password = os.environ.get(PASSWORD_ENV) or None
    password_file = os.environ.get(PASSWORD_FILE_ENV) or None
    if password is None and password_file is not None:
        try:
            password = Path(password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise BrokerStartError(f"cannot read {PASSWORD_FILE_ENV}: {exc.strerror}") from None
    return BrokerSecurity(
        sasl=True,
        username=args.sasl_username or os.environ.get(USERNAME_ENV) or None,
        password=password,
    )


def _stop(args: argparse.Namespace) -> int:
    try:
        stopped = LocalBroker(args.data_dir).stop(timeout=args.timeout)
    except LocalBrokerError as exc:
        return _fail(exc)
    print("Kafka stopped." if stopped else f"No Kafka broker was running in {args.data_dir}.")
    return 0


def _status(args: argparse.Namespace) -> int:
    status = read_status(args.data_dir)
    print(status.describe())
    return 0 if status.running else 1


def _fetch(_args: argparse.Namespace) -> int:
    try:
        jars = ensure_jars(java=require_java())
    except LocalBrokerError as exc:
        return _fail(exc)
    print(f"Kafka {jars.version} jars are in {jars.lib_dir}")
    return 0
