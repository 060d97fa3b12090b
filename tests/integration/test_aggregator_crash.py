"""Exactly once across crashes: SIGKILL the aggregator at random moments while events stream.

Several thousand events (repeats included) are published while the aggregator
is killed with SIGKILL and restarted six times on the same state directory.
Its final answers must equal a recomputation, by the pure rules, over every
distinct event on the topics: nothing lost, nothing applied twice.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.aggregator.factory import T0, casualty, curfew, deployment, statement
from tests.integration.aggregator_support import (
    Publisher,
    end_offsets,
    expected_answers,
    recompute,
    settled_answers,
    stored_offsets,
    wait_applied,
)
from tests.integration.processes import aggregator_service
from tocsin.contract.events import GROUPS, OUTCOMES, Event

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

COUNTRIES = [f"Q{c}" for c in "MNOPQRSTUVWX"]  # user-assigned ISO codes: no real news uses them
TODAY = dt.date(2024, 5, 10)
EVENTS = 6000
KILLS = 6
CHUNK = 100


def _event(rng: random.Random, article: str) -> Event:
    country = rng.choice(COUNTRIES)
    published = T0 + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
    roll = rng.random()
    if roll < 0.4:
        low = rng.choice([None, rng.randrange(0, 5000)])
        return casualty(
            country,
            rng.choice(OUTCOMES),
            rng.choice(GROUPS),
            low,
            article=article,
            published=published,
        )
    if roll < 0.55:
        size = rng.choice([None, rng.randrange(50, 10_000)])
        force = rng.choice(["CSTO", "police", "national guard"])
        return deployment(country, force, size, article=article, published=published)
    if roll < 0.75:
        ends = rng.choice([None, TODAY + dt.timedelta(days=rng.randrange(-10, 10))])
        return curfew(
            country,
            rng.choice(["curfew", "state_of_emergency", "movement_restriction"]),
            location=rng.choice([None, "Capital", "Port"]),
            ends_on=ends,
            article=article,
            published=published,
        )
    return statement(
        country,
        rng.choice(["Minister", "Mayor"]),
        f"quote {rng.random()}",
        article=article,
        published=published,
    )


def _stream(rng: random.Random) -> list[Event]:
    token = uuid.uuid4().hex[:8]
    events: list[Event] = []
    while len(events) < EVENTS:
        if events and rng.random() < 0.1:
            events.append(rng.choice(events))  # a repeat, as from a retried publish
        else:
            events.append(_event(rng, f"crash-{token}-{len(events) // 5}"))
    return events


def test_totals_survive_sigkill_at_random_moments(kafka_bootstrap: str, tmp_path: Path) -> None:
    """Killed six times mid-stream, the aggregator still ends with the recomputed totals."""
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    events = _stream(rng)
    state_dir = tmp_path / "agg"
    group = f"it-agg-crash-{uuid.uuid4().hex[:8]}"

    def publish() -> None:
        publisher = Publisher(kafka_bootstrap)
        try:
            for start in range(0, len(events), CHUNK):
                publisher.send(events[start : start + CHUNK])
                time.sleep(0.15)
        finally:
            publisher.close()

    publisher = threading.Thread(target=publish, name="publisher")
    publisher.start()
    kills = 0
    progress: list[int] = []
    try:
        for _ in range(KILLS):
            # A static member id gives the restarted process its partitions back at once,
            # instead of after the killed member's session times out.
            with aggregator_service(
                kafka_bootstrap,
                state_dir,
                group=group,
                today=TODAY.isoformat(),
                instance_id="crash",
            ) as agg:
                _wait_assigned(agg.url)
                time.sleep(rng.uniform(0.1, 1.5))
                agg.proc.kill()
                agg.proc.wait(timeout=10)
                kills += 1
                progress.append(sum(stored_offsets(state_dir).values()))
    finally:
        publisher.join()
    assert kills >= 5, f"seed {seed}"
    # Kills landed while work was under way: runs resumed from what an earlier run stored
    # and stored more of their own. (How many runs get to store something depends on the
    # machine's speed, so this asks for two distinct stored positions, not one per run.)
    assert len({p for p in progress if p > 0}) >= 2, progress

    with aggregator_service(
        kafka_bootstrap, state_dir, group=group, today=TODAY.isoformat(), instance_id="crash"
    ) as agg:
        wait_applied([agg.url], end_offsets(kafka_bootstrap), timeout=60)
        expected = expected_answers(recompute(kafka_bootstrap, set(COUNTRIES)), TODAY)
        got = settled_answers([agg.url], set(COUNTRIES), expected)
    assert got == expected, f"seed {seed}"
    assert sum(count for count, _ in got["statements"].values()) > 0


def _wait_assigned(url: str, timeout: float = 30) -> None:
    """Wait until the instance has joined the group and holds partitions."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(url + "/readyz", timeout=5).json()["partitions"]:
            return
        time.sleep(0.05)
    raise AssertionError(f"no partitions assigned within {timeout}s")
