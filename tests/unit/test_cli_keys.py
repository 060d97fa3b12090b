"""``tocsin keys new`` and ``tocsin keys hash``: what they print, and the lines they add."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tocsin.cli.main import main
from tocsin.ingest.keys import digest, file_line, parse_key_file

KEY = "tocsin_a-client-key-for-the-tests-1"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    # A StringIO is not a terminal, so ``hash`` reads it rather than prompting.
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_new_prints_the_key_alone_on_stdout_and_its_line_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """stdout holds exactly the key; stderr holds the file line that lets it in."""
    assert main(["keys", "new", "--label", "feeder  one"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert out == token + "\n"
    assert token.startswith("tocsin_")
    assert len(token) == len("tocsin_") + 43  # 32 random bytes, URL-safe base64
    line = err.strip().splitlines()[-1]
    assert line == file_line(token, "feeder one")
    assert parse_key_file(line, "stderr") == {digest(token)}
    assert main(["keys", "new"]) == 0
    assert capsys.readouterr().out.strip() != token


def test_new_add_to_appends_the_line_to_a_private_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--add-to creates the key file 0600, and later keys go below the earlier ones."""
    keys = tmp_path / "keys.txt"
    assert main(["keys", "new", "--add-to", str(keys), "--label", "first"]) == 0
    first = capsys.readouterr().out.strip()
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert main(["keys", "new", "--add-to", str(keys)]) == 0
    out, err = capsys.readouterr()
    second = out.strip()
    assert "added to" in err
    assert second not in err
    assert keys.read_text() == file_line(first, "first") + "\n" + file_line(second) + "\n"


def test_add_to_ends_a_last_line_that_lacks_its_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited file without a final newline still gets the new key on a line of its own."""
    keys = tmp_path / "keys.txt"
    keys.write_text("# feeders")
    _stdin(monkeypatch, KEY + "\n")
    assert main(["keys", "hash", "--add-to", str(keys)]) == 0
    assert capsys.readouterr().out == ""
    assert keys.read_text() == "# feeders\n" + file_line(KEY) + "\n"
    assert parse_key_file(keys.read_text(), str(keys)) == {digest(KEY)}


def test_add_to_a_file_that_cannot_be_written_fails_without_printing_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """If the line cannot be stored, no key is handed out: it would not work."""
    assert main(["keys", "new", "--add-to", str(tmp_path / "no" / "such" / "dir" / "k")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "cannot add to" in err


def test_hash_reads_the_first_line_of_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key file line of a key piped in, label included."""
    _stdin(monkeypatch, f"\n  {KEY}  \nignored\n")
    assert main(["keys", "hash", "--label", "client A"]) == 0
    assert capsys.readouterr().out == file_line(KEY, "client A") + "\n"
    assert file_line(KEY, "client A") == f"sha256:{digest(KEY).hex()}  client A"


@pytest.mark.parametrize("text", ["", "\n\n", "short-key\n"], ids=["empty", "blank", "short"])
def test_hash_refuses_what_cannot_be_a_key(
    text: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No line, or a key too short to be random: exit 2, and the input is not echoed."""
    _stdin(monkeypatch, text)
    assert main(["keys", "hash"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "at least 16 characters" in err
    assert "short-key" not in err


def test_keys_new_then_hash_through_real_processes(tmp_path: Path) -> None:
    """`tocsin keys new > key; tocsin keys hash < key` gives the line `new` printed."""
    made = subprocess.run(
        [sys.executable, "-m", "tocsin", "keys", "new"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    hashed = subprocess.run(
        [sys.executable, "-m", "tocsin", "keys", "hash"],
        input=made.stdout, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert hashed.stdout.strip() == made.stderr.strip().splitlines()[-1]


def test_keys_help_lists_the_actions(capsys: pytest.CaptureFixture[str]) -> None:
    """`tocsin keys --help` names both actions; `tocsin keys` alone is a usage error."""
    with pytest.raises(SystemExit) as exit_info:
        main(["keys", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "new" in out
    assert "hash" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["keys"])
    assert exit_info.value.code == 2
