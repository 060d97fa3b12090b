"""The byte tables the compiled scanners share agree with the regex classes they replace."""

from __future__ import annotations

import re

from tocsin.extraction import byte_scan, is_compiled


def test_word_table_is_the_regex_word_class_on_ascii() -> None:
    differ = [c for c in range(128) if bool(byte_scan.WORD[c]) is not bool(re.match(r"\w", chr(c)))]
    assert differ == []
    assert not any(byte_scan.WORD[128:])


def test_space_table_is_the_unicode_regex_blank_class_on_ascii() -> None:
    differ = [
        c for c in range(128) if bool(byte_scan.SPACE[c]) is not bool(re.match(r"\s", chr(c)))
    ]
    assert differ == []
    assert not any(byte_scan.SPACE[128:])


def test_byte_scanners_run_only_compiled_and_only_on_ascii() -> None:
    assert byte_scan.COMPILED is is_compiled()
    assert byte_scan.use_bytes("Almaty, Jan. 6") is is_compiled()
    assert byte_scan.use_bytes("Nur-Sultan – Almaty") is False
