"""The compiled extraction core against its own Python source.

The install compiles services/tocsin/extraction with mypyc (setup.py), and the
rest of the suite tests whatever the install built. These tests check that the
build is what it says it is, and that the C extensions find exactly what the .py
files find, event for event and byte for byte: the interpreted side runs in a
subprocess on a copy of the package without the extensions. The corpus is every
one the project has, through bench/parity_dump.py at a smaller size: the golden
cases, both benchmark corpora, every family of hostile text, the seed article
when ../shared is there, and seeded random text made of the finders' words.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.bench_modules import load_bench_module
from tests.conftest import COMPILED_SOURCES, REPO
from tocsin.contract.article import ArticleIn
from tocsin.extraction import is_compiled
from tocsin.extraction.pipeline import extract

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
COMPILE_OFF = os.environ.get("TOCSIN_COMPILE", "1").strip().lower() in {"0", "false", "no", "off"}
EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)

needs_compiled = pytest.mark.skipif(
    not is_compiled(), reason="installed with TOCSIN_COMPILE=0: there is no compiled core"
)

# Runs in the subprocess, on the copy without extensions; prints every article's events.
_INTERPRETED_RUN = """
import datetime as dt, sys
import orjson
from tocsin.contract.article import ArticleIn
from tocsin.extraction import is_compiled
from tocsin.extraction.pipeline import extract

assert not is_compiled(), "the copy of the package must run interpreted"
now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
out = []
for raw in orjson.loads(open(sys.argv[1], "rb").read()):
    article = ArticleIn.model_validate(raw).resolve(received_at=now)
    out.append([e.model_dump(mode="json") for e in extract(article, extracted_at=now)])
sys.stdout.buffer.write(orjson.dumps(out))
"""


def test_the_core_is_compiled_unless_the_install_was_asked_not_to() -> None:
    """The README's install compiles; only TOCSIN_COMPILE=0 may leave it interpreted."""
    assert is_compiled() is not COMPILE_OFF


@needs_compiled
def test_every_extraction_module_imports_as_a_c_extension() -> None:
    """No compiled module fell back to its .py file (the package ``__init__`` is meant to)."""
    interpreted = []
    for source in COMPILED_SOURCES:
        name = f"tocsin.{source.parent.name}.{source.stem}"
        if not str(importlib.import_module(name).__file__).endswith(EXTENSION_SUFFIXES):
            interpreted.append(name)
    assert interpreted == []
    assert len(COMPILED_SOURCES) > 20


_WITHOUT_BUILD_TOOLS = """
import sys
# Importing a name mapped to None raises ImportError: as if the package were not installed.
for name in ("mypy_extensions", "mypy", "mypyc"):
    sys.modules[name] = None
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
from tocsin.extraction import is_compiled
print(is_compiled())
"""


def test_the_core_runs_without_the_build_tools() -> None:
    """mypy and mypy_extensions are build requirements only: the runtime image lacks them.

    The scanners' ``i64`` annotations import ``mypy_extensions`` for the type checker only;
    a module that imported it at run time would fail to load in the Docker runtime stage.
    """
    modules = [f"tocsin.{s.parent.name}.{s.stem}" for s in COMPILED_SOURCES]
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_BUILD_TOOLS, *modules],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(is_compiled())


def _interpreted_events(articles: list[dict[str, Any]], tmp_path: Path) -> list[Any]:
    """The events of each article from the .py sources alone, in a fresh interpreter."""
    package = tmp_path / "src" / "tocsin"
    shutil.copytree(
        REPO / "services" / "tocsin",
        package,
        ignore=shutil.ignore_patterns("*.so", "__pycache__"),
    )
    corpus = tmp_path / "corpus.json"
    corpus.write_bytes(orjson.dumps(articles))
    env = os.environ | {"PYTHONPATH": str(package.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _INTERPRETED_RUN, str(corpus)],
        capture_output=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    result: list[Any] = orjson.loads(done.stdout)
    return result


@needs_compiled
@pytest.mark.slow
def test_compiled_and_interpreted_cores_find_the_same_events(tmp_path: Path) -> None:
    """Every event of every article is identical, field for field, in both builds."""
    # The parity set of bench/parity_dump.py, scaled down to test size.
    parity = load_bench_module("parity_dump")
    articles = parity.articles(bench=150, random_count=200, hostile_sizes=(500, 8 * 1024))
    compiled = [
        [
            event.model_dump(mode="json")
            for event in extract(
                ArticleIn.model_validate(raw).resolve(received_at=NOW), extracted_at=NOW
            )
        ]
        for raw in articles
    ]
    interpreted = _interpreted_events(articles, tmp_path)

    assert len(interpreted) == len(articles)
    # The comparison is only as good as what is compared: thousands of events of
    # every type, not a corpus where both sides find nothing.
    types = {event["type"] for events in compiled for event in events}
    assert types == {"casualty", "deployment", "statement", "curfew"}
    assert sum(map(len, compiled)) > 3000
    for raw, ours, theirs in zip(articles, compiled, interpreted, strict=True):
        assert ours == theirs, f"article {raw['id']!r} differs between the builds"
