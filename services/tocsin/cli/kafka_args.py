"""Command-line options shared by the commands that talk to Kafka (``topics``, ``tail``)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from pydantic import ValidationError

from tocsin.errors import BrokerAuthenticationError, BrokerError, BrokerUnavailableError
from tocsin.settings import KafkaSettings


def add_bootstrap_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--bootstrap``, which overrides TOCSIN_KAFKA_BOOTSTRAP."""
    parser.add_argument(
        "--bootstrap",
        metavar="HOST:PORT[,...]",
        help="Kafka bootstrap servers (default: TOCSIN_KAFKA_BOOTSTRAP, else 127.0.0.1:9092)",
    )


def kafka_settings(command: str, **overrides: Any) -> KafkaSettings | None:
    """Settings from the environment with the given flags on top; None (reported) if invalid.

    Flags left unset (None) fall back to the environment, then to the defaults.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return KafkaSettings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        print(f"tocsin {command}: invalid Kafka settings: {problems}", file=sys.stderr)
        return None


def report_broker_error(command: str, error: BrokerError) -> int:
    """Print one clear line about a Kafka failure (with a hint when unreachable); return 1."""
    print(f"tocsin {command}: {error}", file=sys.stderr)
    # A rejected login reached the broker: "is Kafka running?" would send the user astray.
    if isinstance(error, BrokerUnavailableError) and not isinstance(
        error, BrokerAuthenticationError
    ):
        print(
            f"tocsin {command}: is Kafka running there? Start one with `tocsin kafka start`, "
            "or point --bootstrap / TOCSIN_KAFKA_BOOTSTRAP at yours.",
            file=sys.stderr,
        )
    return 1


def quiet_kafka_logs() -> None:
    """Keep kafka-python's connection chatter off the terminal unless DEBUG was asked for.

    Failures still reach the user: the commands translate them into one clear line.
    """
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("kafka").setLevel(logging.CRITICAL)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {text}")
    return value
