"""Shared fixtures for the whole suite."""

from __future__ import annotations

import datetime as dt
import importlib.machinery
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tocsin.extraction import is_compiled

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_ARTICLE = SHARED / "corpus" / "seed-article.json"
EXTRACTION_SOURCES = REPO / "services" / "tocsin" / "extraction"
# What setup.py compiles: the extraction package but its __init__, and the event ids.
COMPILED_SOURCES = sorted(
    [
        *(p for p in EXTRACTION_SOURCES.glob("*.py") if p.name != "__init__.py"),
        REPO / "services" / "tocsin" / "contract" / "ids.py",
    ]
)

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


def pytest_report_header() -> str:
    """Say in the header which extraction core the run tests."""
    how = "compiled with mypyc" if is_compiled() else "interpreted (TOCSIN_COMPILE=0)"
    return f"tocsin extraction: {how}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once if a compiled module is older than its source.

    Python imports the C extension before the .py beside it, so after an edit the
    tests would run the old code and pass or fail for the wrong reason.
    """
    stale = [
        source.name
        for source in COMPILED_SOURCES
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if (built := source.with_name(source.stem + suffix)).exists()
        and built.stat().st_mtime < source.stat().st_mtime
    ]
    if stale:
        pytest.exit(
            f"compiled modules are older than their sources ({', '.join(stale)}):"
            " run ./scripts/bootstrap.sh to rebuild them (or TOCSIN_COMPILE=0 to drop them)",
            returncode=4,
        )
