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


def walk(automaton: tuple[list[int], bytes], text: str) -> list[str]:
    """The words of the automaton that are prefixes of ``text``, shortest first."""
    table, final = automaton
    found, state = [], 0
    for i, byte in enumerate(text.encode("ascii")):
        state = table[state * 128 + byte]
        if state == 0:
            break
        if final[state]:
            found.append(text[: i + 1])
    return found


def test_trie_automaton_spells_exactly_its_words() -> None:
    automaton = byte_scan.trie_automaton(["curfew", "curfews", "state of siege", "killed"])
    assert walk(automaton, "curfews imposed") == ["curfew", "curfews"]
    assert walk(automaton, "state of siege") == ["state of siege"]
    assert walk(automaton, "state of") == []
    assert walk(automaton, "kill") == []
    assert walk(automaton, "Killed") == []  # upper case is another byte
    table, final = automaton
    assert len(table) == 128 * len(final)
