"""``tocsin topics``: create Tocsin's Kafka topics when missing, and list what the cluster has."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from tocsin.cli.kafka_args import (
    add_bootstrap_argument,
    kafka_settings,
    positive_int,
    report_broker_error,
)
from tocsin.contract import topics
from tocsin.errors import BrokerError
from tocsin.kafka.admin import ensure_topics
from tocsin.kafka.topic_info import TopicInfo, describe_topics


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``topics`` command and its ``create`` and ``list`` sub-commands."""
    parser = subparsers.add_parser(
        "topics",
        help="create and list Tocsin's Kafka topics",
        description=(
            "Create the topics Tocsin publishes to (articles, one per event type, dead letters) "
            "and list them. Settings come from TOCSIN_KAFKA_* variables; flags override them."
        ),
    )
    parser.set_defaults(handler=lambda _args: _help(parser))
    commands = parser.add_subparsers(dest="topics_command", metavar="SUBCOMMAND")

    create = commands.add_parser(
        "create",
        help="create every Tocsin topic that is missing (existing ones are left alone)",
        description=(
            "Create every Tocsin topic that does not exist yet. Existing topics are not "
            "changed, whatever their partition count. Safe to run any number of times."
        ),
    )
    add_bootstrap_argument(create)
    create.add_argument(
        "--partitions",
        type=positive_int,
        metavar="N",
        help="partitions per new topic (default: TOCSIN_KAFKA_PARTITIONS, else 3)",
    )
    create.add_argument(
        "--replication-factor",
        type=positive_int,
        metavar="N",
        help="replicas per partition of new topics (default: TOCSIN_KAFKA_REPLICATION_FACTOR, "
        "else 1)",
    )
    create.set_defaults(handler=_create)

    listing = commands.add_parser(
        "list",
        help="list Tocsin's topics with their partition counts and whether they exist",
        description="List Tocsin's topics, their partition counts and whether they exist.",
    )
    add_bootstrap_argument(listing)
    listing.add_argument(
        "--all", action="store_true", help="list every topic on the cluster, not only Tocsin's"
    )
    listing.set_defaults(handler=_list)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _create(args: argparse.Namespace) -> int:
    settings = kafka_settings(
        "topics",
        bootstrap=args.bootstrap,
        partitions=args.partitions,
        replication_factor=args.replication_factor,
    )
    if settings is None:
        return 2
    try:
        created = set(ensure_topics(settings))
        # Only to show the partition counts of the topics that were already there.
        info = describe_topics(settings, topics.ALL_TOPICS)
    except BrokerError as exc:
        return report_broker_error("topics", exc)
    for name in topics.ALL_TOPICS:
        if name in created:
            shape = (
                f"{settings.partitions} partitions, replication factor "
                f"{settings.replication_factor}"
            )
            print(f"created  {name} ({shape})")
        else:
            partitions = info[name].partitions if name in info else "?"
            print(f"exists   {name} ({partitions} partitions)")
    existing = len(topics.ALL_TOPICS) - len(created)
    print(f"{len(created)} created, {existing} already there.")
    return 0


def _list(args: argparse.Namespace) -> int:
    settings = kafka_settings("topics", bootstrap=args.bootstrap)
    if settings is None:
        return 2
    try:
        info = describe_topics(settings, None if args.all else topics.ALL_TOPICS)
    except BrokerError as exc:
        return report_broker_error("topics", exc)
    names: Sequence[str] = topics.ALL_TOPICS
    if args.all:
        # Tocsin's first, in their usual order, then the rest of the cluster by name.
        names = [*topics.ALL_TOPICS, *(n for n in info if n not in topics.ALL_TOPICS)]
    rows = [_row(name, info.get(name), tocsin=name in topics.ALL_TOPICS) for name in names]
    _print_table(["TOPIC", "PARTITIONS", "STATUS", *(["OWNER"] if args.all else [])], rows)
    missing = sum(1 for name in topics.ALL_TOPICS if name not in info)
    if missing:
        print(f"{missing} of Tocsin's topics missing: create them with `tocsin topics create`.")
    return 0


def _row(name: str, info: TopicInfo | None, *, tocsin: bool) -> list[str]:
    if info is None:
        partitions, status = "-", "missing"
    else:
        partitions, status = str(info.partitions), "present" if info.ready else "no leader"
    owner = "tocsin" if tocsin else "internal" if info is not None and info.internal else "other"
    return [name, partitions, status, owner]


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    rows = [row[: len(header)] for row in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
