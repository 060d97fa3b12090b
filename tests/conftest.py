"""Shared fixtures for the whole suite."""

from __future__ import annotations

import datetime as dt
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
    """Stop at once if the compiled modules are older than one of their sources.

    Python imports a C extension before the .py beside it, so after an edit the tests
    would run the old code and pass or fail for the wrong reason. The code of every
    compiled module lives in one shared library (setup.py's group); the per-module
    extensions only forward to it, and a rebuild may leave them with old dates.
    """
    libraries = list((REPO / "services").glob("tocsin_extraction__mypyc.*"))
    if not libraries:
        return  # interpreted: nothing can be stale
    built = min(library.stat().st_mtime for library in libraries)
    stale = [s.name for s in COMPILED_SOURCES if s.stat().st_mtime > built]
    if stale:
        pytest.exit(
            f"compiled modules are older than their sources ({', '.join(stale)}):"
            " run ./scripts/bootstrap.sh to rebuild them (or TOCSIN_COMPILE=0 to drop them)",
            returncode=4,
        )
