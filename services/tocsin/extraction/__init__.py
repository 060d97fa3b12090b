"""The pure extraction core: article text in, typed events out.

Nothing in this package performs I/O or keeps mutable global state; every
function is deterministic for a given input (the gazetteer is built once from
packaged offline data and then only read).
"""

from __future__ import annotations

import importlib.machinery


def is_compiled() -> bool:
    """True when the extraction modules run as C extensions (built by mypyc, see setup.py).

    They are built as one group, so one module answers for all of them. This package's
    own ``__init__`` is never compiled, which is why the question is asked here.
    """
    from tocsin.extraction import pipeline  # noqa: PLC0415  (a cycle at import time)

    return pipeline.__file__ is not None and pipeline.__file__.endswith(
        tuple(importlib.machinery.EXTENSION_SUFFIXES)
    )
