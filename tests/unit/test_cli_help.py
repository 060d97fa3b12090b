"""``--help`` of the top-level command and of the Kafka commands: exit 0, options listed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tocsin import __version__
from tocsin.cli.main import main
from tocsin.extraction import is_compiled

HELP_CASES = [
    ([], ["topics", "tail", "--log-level"]),
    (["topics"], ["create", "list"]),
    (["topics", "create"], ["--bootstrap", "--partitions", "--replication-factor"]),
    (["topics", "list"], ["--bootstrap", "--all"]),
    (
        ["tail"],
        [
            "--type",
            "--country",
            "--article",
            "--from-beginning",
            "--ndjson",
            "--max",
            "--idle-timeout",
            "--bootstrap",
        ],
    ),
]


@pytest.mark.parametrize(("command", "options"), HELP_CASES, ids=lambda v: " ".join(v) or "top")
def test_help_exits_zero_and_lists_options(
    command: list[str], options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`tocsin ... --help` exits 0 and mentions each of the command's options."""
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out


@pytest.mark.parametrize("command", [["--help"], ["topics", "--help"], ["tail", "--help"]])
def test_help_through_python_m_tocsin(command: list[str]) -> None:
    """`python -m tocsin ... --help` works as a real process, without touching Kafka."""
    result = subprocess.run(
        [sys.executable, "-m", "tocsin", *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: tocsin")


@pytest.mark.parametrize(
    "argv",
    [
        ["tail", "--type", "riot"],
        ["tail", "--country", "KAZ"],
        ["tail", "--max", "0"],
        ["tail", "--idle-timeout", "-1"],
        ["topics", "create", "--partitions", "0"],
    ],
)
def test_invalid_options_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad option value is rejected by argparse with exit 2, before any connection."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_version_says_whether_extraction_is_compiled(capsys: pytest.CaptureFixture[str]) -> None:
    """`tocsin --version` names the version and the extraction core that is running."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    how = "compiled" if is_compiled() else "interpreted"
    assert capsys.readouterr().out == f"tocsin {__version__} (extraction: {how})\n"
