"""Length-preserving typographic normalisation of article text.

Every later stage (sentences, triggers, arguments) works on the normalised text
but reports character offsets that must point into the *original* article body,
because event evidence quotes the body. The only way to get that for free is a
normalisation that replaces characters one for one and never inserts or deletes
any, so ``len(normalise(body)) == len(body)`` and ``normalise(body)[i]`` is the
image of ``body[i]`` for every ``i``.

What is mapped:

* single curly quotes ``‘ ’ ‚ ‛`` → ``'`` and double curly quotes ``“ ” „ ‟`` → ``"``;
* hyphen and dash variants (U+2010-U+2015, minus sign U+2212, small and
  full-width hyphen-minus) → ``-``;
* non-breaking and other Unicode space separators (category Zs) and the byte
  order mark U+FEFF → space;
* the line and paragraph separators U+2028/U+2029 → ``\\n``, so they end
  sentences and paragraphs like an ordinary newline;
* control characters (C0 and C1) other than ``\\n`` and ``\\t`` → space. A
  carriage return therefore becomes a space: ``\\r\\n`` keeps its ``\\n``, and a
  lone ``\\r`` as a line end (pre-2001 Mac files) is not supported.

Other format characters (soft hyphen, zero-width space/joiners) are left as they
are: turning them into spaces would split words, and deleting them would break
the length guarantee.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["normalise"]

_BMP_SIZE: Final = 0x10000

_SINGLE_QUOTES: Final = "\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES: Final = "\u201c\u201d\u201e\u201f"
_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES: Final = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\ufeff"
)
_LINE_BREAKS: Final = "\u2028\u2029"
_CONTROLS: Final = "".join(
    chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(code) not in "\t\n"
)


def _build_table() -> str:
    """Return the translation table: one replacement character per BMP code point.

    A ``str`` indexed by code point is used instead of a ``dict`` because
    ``str.translate`` raises and swallows a ``LookupError`` internally for every
    character a dict does not contain, which makes dict tables about three
    times slower on non-ASCII text. Characters outside the BMP are not in the
    table and are left unchanged, which is correct: none of them is mapped.
    """
    replacements: dict[str, str] = {}
    for chars, target in (
        (_SINGLE_QUOTES, "'"),
        (_DOUBLE_QUOTES, '"'),
        (_DASHES, "-"),
        (_SPACES, " "),
        (_LINE_BREAKS, "\n"),
        (_CONTROLS, " "),
    ):
        for char in chars:
            replacements[char] = target
    return "".join(replacements.get(chr(code), chr(code)) for code in range(_BMP_SIZE))


_TABLE: Final[str] = _build_table()
_MAPPED: Final = re.compile(
    "[" + re.escape("".join(chr(code) for code, ch in enumerate(_TABLE) if ch != chr(code))) + "]"
)
# ``str.translate`` has a fast path for ASCII text only; on other text it looks up every
# character in the table (about 24 microseconds per KB). News text holds a handful of
# distinct characters to map (curly quotes, a dash), and one ``str.replace`` per
# character, after a regex scan that finds them, costs about a quarter of that. With
# more distinct characters than this, the replace passes would cost more than the
# table.
_MAX_REPLACE_PASSES: Final = 8


def normalise(text: str) -> str:
    """Return ``text`` with typographic variants mapped to ASCII, one character for one.

    The result always has the same length as ``text``; see the module docstring
    for the exact mapping.
    """
    if text.isascii():
        return text.translate(_TABLE)
    found = set(_MAPPED.findall(text))
    if len(found) > _MAX_REPLACE_PASSES:
        return text.translate(_TABLE)
    for char in found:
        text = text.replace(char, _TABLE[ord(char)])
    return text
