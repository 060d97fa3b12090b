"""Shared pieces of the byte-level scanners that the compiled core runs on ASCII text.

Why they exist: compiled by mypyc, a loop over the bytes of an ASCII text costs a
few nanoseconds a character, about a third of what Python's regex engine takes for
the whole-text scans of the core (trigger words, capitalised runs, sentence ends,
words), and it hands back offsets without building a match object for each hit.

The regexes stay the definition. Each byte scanner sits beside the regex it stands
in for and finds exactly what that regex finds on ASCII text; tests compare the two
on generated text, and ``tests/extraction/test_compiled.py`` compares the compiled
core (scanners) with the interpreted one (regexes) event for event. Interpreted,
such a loop would be far slower than the regex, so the scanners run only when this
module is compiled (``COMPILED``) and the text is ASCII (``str.isascii`` is a flag
test): other text keeps the regex.
"""

from __future__ import annotations

import importlib.machinery
from collections.abc import Iterable
from typing import Final

COMPILED: Final = __file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
"""True when this module (and with it the whole core: one build group) is a C extension."""

WORD: Final = bytes(
    1 if (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A or b == 0x5F) else 0
    for b in range(256)
)
"""1 for the bytes regex ``\\w`` matches in ASCII text (letters, digits, underscore)."""

SPACE: Final = bytes(1 if b in b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f" else 0 for b in range(256))
"""1 for the bytes regex ``\\s`` matches in ASCII text (in Unicode mode, which counts the
separators \\x1c-\\x1f as blanks too)."""


def use_bytes(text: str) -> bool:
    """Whether ``text`` should go to a byte scanner: compiled core and ASCII text."""
    return COMPILED and text.isascii()


def trie_automaton(words: Iterable[str]) -> tuple[list[int], bytes]:
    """The trie of ``words`` (ASCII) as a transition table and a table of final states.

    The table has a row of 128 cells per state, one per ASCII byte: the cell at
    ``state * 128 + byte`` holds the state reached by reading ``byte`` in ``state``, or 0
    when no word goes on with that byte. The root is state 0, the row a walk starts
    from; nothing leads back to it, so 0 in a cell can mean "dead". ``final[state]`` is 1
    when the path to ``state`` spells a word. Rows cover ASCII only: a byte above 127
    would read into the next row, so a walk must only ever be given ASCII text.
    """
    table = [0] * 128
    final = bytearray(1)
    for word in words:
        state = 0
        for byte in word.encode("ascii"):
            cell = state * 128 + byte
            if table[cell] == 0:
                table[cell] = len(final)
                table.extend([0] * 128)
                final.append(0)
            state = table[cell]
        final[state] = 1
    return table, bytes(final)
