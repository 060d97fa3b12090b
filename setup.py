"""Build hook: compile the extraction core to C with mypyc.

Everything else about the distribution lives in pyproject.toml. This file exists
only because extension modules cannot be declared there.

The extraction modules (services/tocsin/extraction/*.py, except the package's
``__init__``) and the event-id module (services/tocsin/contract/ids.py) are
plain, strictly typed Python; mypyc turns each into a C extension that imports
under the same name, and extraction runs about 1.9 times as fast (BENCHMARKS.md).
The .py files ship beside the compiled modules and stay the source of truth: set
TOCSIN_COMPILE=0 to build a pure-Python package instead (no C compiler needed),
which behaves identically, only slower.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from setuptools import setup

EXTRACTION = Path("services/tocsin/extraction")
EVENT_IDS = Path("services/tocsin/contract/ids.py")

# One name for the shared runtime library mypyc emits beside the modules, instead of
# a hash of the module list, so that a leftover one is easy to recognise.
GROUP = "tocsin_extraction"


def compile_requested() -> bool:
    """True unless TOCSIN_COMPILE says no ("0", "false", "no", "off")."""
    value = os.environ.get("TOCSIN_COMPILE", "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def compiled_sources() -> list[str]:
    """The modules to compile: the extraction package without its ``__init__``, and ids.

    ``__init__`` stays interpreted so that ``tocsin.extraction.is_compiled()`` can look
    at its siblings without being one of them. ``contract/ids.py`` makes every event's
    id, once per event, inside extraction's hot loop.
    """
    modules = [p for p in EXTRACTION.glob("*.py") if p.name != "__init__.py"]
    return sorted(str(p) for p in [*modules, EVENT_IDS])


def extensions() -> list[Any]:
    """The C extensions to build, or none for a pure-Python package.

    Typed loosely: mypyc declares distutils' Extension, setup() wants setuptools' own.
    """
    if not compile_requested():
        return []
    # Imported only when compiling: a pure build needs no mypy. A build requirement.
    from mypyc.build import mypycify  # noqa: PLC0415

    return mypycify(compiled_sources(), opt_level="3", group_name=GROUP)


setup(ext_modules=extensions())
