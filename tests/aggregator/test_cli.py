"""``tocsin serve aggregator``: flags reach the settings, bad values stop it before it starts."""

from __future__ import annotations

import pytest

from tocsin.cli.main import build_parser, main


def test_flags_are_parsed_for_the_aggregator() -> None:
    """Every aggregator flag lands in the namespace the handler reads."""
    args = build_parser().parse_args(
        ["serve", "aggregator", "--port", "9999", "--group", "g", "--state-dir", "state",
         "--today", "2022-01-10", "--instance-id", "i1", "--topic-prefix", "p."]
    )  # fmt: skip
    assert (args.port, args.group, args.today, args.instance_id, args.topic_prefix) == (
        9999, "g", "2022-01-10", "i1", "p."
    )  # fmt: skip


@pytest.mark.parametrize(
    "flags",
    [["--today", "10/01/2022"], ["--port", "70000"], ["--topic-prefix", "bad prefix!"]],
)
def test_invalid_settings_exit_2_with_a_message(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad setting is reported on stderr and the service never starts."""
    assert main(["serve", "aggregator", *flags]) == 2
    assert "tocsin serve aggregator: invalid settings" in capsys.readouterr().err
