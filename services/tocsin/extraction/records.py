"""The base of the core's small records (sentences, places, figures, dates, speakers).

The records are plain classes with ``__slots__`` and Final attributes rather than
named tuples or dataclasses: compiled (mypyc, see setup.py) each is a native class,
built by a C constructor and read as struct fields, where a named tuple's
``__new__`` runs as interpreted Python (about three times the cost) and each of
its attribute reads is a generic look-up. This base gives them what a named tuple
had: immutability, comparison and hashing by value, and a readable repr.
"""

from __future__ import annotations

import importlib.machinery


class Record:
    """Immutable, compared and hashed by ``_values()``; subclasses list their fields there."""

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        """The fields, in declaration order."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._values()!r}"


def _set_once(record: Record, name: str, value: object) -> None:
    if hasattr(record, name):
        raise AttributeError(f"{type(record).__name__} is immutable: cannot set {name!r}")
    object.__setattr__(record, name, value)


# Compiled, Final attributes are read-only already, and a __setattr__ on this base would
# route the subclasses' own __init__ through it (and fail). Interpreted, Final is only a
# type-checker rule: this keeps each field set once, by __init__.
if not __file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
    Record.__setattr__ = _set_once  # type: ignore[method-assign,assignment]
