"""Two aggregators in one group: each country exported by exactly one, and a clean handover."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.aggregator.factory import T0, casualty, curfew, deployment, statement
from tests.integration.aggregator_support import (
    end_offsets,
    expected_answers,
    owners,
    produce,
    recompute,
    settled_answers,
    wait_applied,
)
from tests.integration.processes import aggregator_service
from tocsin.contract.events import Event

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

COUNTRIES = [f"X{c}" for c in "ABCDEFGHIJKLMNOP"]  # user-assigned ISO codes, this test's own
TODAY = dt.date(2024, 5, 10)


def _events(rng: random.Random, n: int, token: str) -> list[Event]:
    events: list[Event] = []
    for i in range(n):
        country = rng.choice(COUNTRIES)
        published = T0 + dt.timedelta(hours=rng.randrange(0, 500))
        article = f"group-{token}-{i // 4}"
        roll = rng.random()
        if roll < 0.4:
            events.append(
                casualty(
                    country,
                    "killed",
                    "civilians",
                    rng.randrange(1000),
                    article=article,
                    published=published,
                )
            )
        elif roll < 0.55:
            events.append(
                deployment(
                    country,
                    "CSTO",
                    rng.choice([None, rng.randrange(9000)]),
                    article=article,
                    published=published,
                )
            )
        elif roll < 0.7:
            ends = TODAY + dt.timedelta(days=rng.randrange(-5, 5))
            events.append(curfew(country, ends_on=ends, article=article, published=published))
        else:
            events.append(
                statement(
                    country, "Minister", f"q{i}-{token}", article=article, published=published
                )
            )
    return events


def _assignment(url: str) -> set[tuple[str, int]]:
    return {
        (p["topic"], p["partition"])
        for p in httpx.get(url + "/readyz", timeout=5).json()["partitions"]
    }


def _wait_split(urls: list[str], timeout: float = 60) -> None:
    """Wait until the group's rebalance gave every instance some partitions."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(_assignment(url) for url in urls):
            return
        time.sleep(0.1)
    raise AssertionError(f"partitions not split between {urls} within {timeout}s")


def test_two_instances_split_the_countries_and_hand_over_cleanly(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Each country is exported once; stopping one instance moves its share without loss."""
    rng = random.Random()
    token = uuid.uuid4().hex[:8]
    group = f"it-agg-group-{token}"
    first = _events(rng, 1500, token)
    produce(kafka_bootstrap, first)
    countries = set(COUNTRIES)

    with contextlib.ExitStack() as a_stack:
        a = a_stack.enter_context(
            aggregator_service(
                kafka_bootstrap, tmp_path / "a", group=group, today=TODAY.isoformat()
            )
        )
        with aggregator_service(
            kafka_bootstrap, tmp_path / "b", group=group, today=TODAY.isoformat()
        ) as b:
            _wait_split([a.url, b.url])
            wait_applied([a.url, b.url], end_offsets(kafka_bootstrap))
            a_parts, b_parts = _assignment(a.url), _assignment(b.url)
            assert a_parts
            assert b_parts
            assert not a_parts & b_parts
            # Range assignment: partition n of every event topic sits on one instance.
            assert len({p for _, p in a_parts}) * 4 == len(a_parts)
            assert not {p for _, p in a_parts} & {p for _, p in b_parts}
            expected = expected_answers(recompute(kafka_bootstrap, countries), TODAY)
            assert settled_answers([a.url, b.url], countries, expected) == expected  # no overlap
            assert set(owners([a.url, b.url], countries).values()) == {a.url, b.url}

            a_stack.close()  # SIGTERM: store, commit, leave the group
            assert a.returncode == 0
            # More events, and repeats of old ones, while B takes A's partitions over.
            produce(kafka_bootstrap, _events(rng, 500, token + "x") + rng.sample(first, 100))
            wait_applied([b.url], end_offsets(kafka_bootstrap))
            assert len(_assignment(b.url)) == len(a_parts) + len(b_parts)
            expected = expected_answers(recompute(kafka_bootstrap, countries), TODAY)
            assert settled_answers([b.url], countries, expected) == expected
