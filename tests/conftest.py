"""Shared fixtures for the whole suite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_ARTICLE = SHARED / "corpus" / "seed-article.json"

settings.register_profile(
    "tocsin",
    max_examples=200,
    deadline=None,  # the first call builds the gazetteer; speed is measured in bench/
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("tocsin")


@pytest.fixture
def fixed_now() -> dt.datetime:
    """A fixed 'extracted at' instant, so outputs are comparable across runs."""
    return dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
