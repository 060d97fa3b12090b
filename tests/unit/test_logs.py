"""Log settings, the text and JSON line formats, and the command line's logging flags."""

from __future__ import annotations

import datetime as dt
import io
import logging

import orjson
import pytest

from tocsin import logs
from tocsin.cli.main import build_parser, main


def _record(
    message: str = "hello %s",
    args: tuple[object, ...] = ("world",),
    exc: BaseException | None = None,
) -> logging.LogRecord:
    """A WARNING record of the logger ``tocsin.test``, as ``logger.warning`` makes it."""
    exc_info = None if exc is None else (type(exc), exc, exc.__traceback__)
    return logging.LogRecord("tocsin.test", logging.WARNING, __file__, 1, message, args, exc_info)


@pytest.mark.parametrize(("text", "level"), [("debug", 10), ("INFO", 20), (" Warning ", 30)])
def test_levels_are_read_in_any_case(text: str, level: int) -> None:
    assert logs.parse_level(text, "TOCSIN_LOG_LEVEL") == level


@pytest.mark.parametrize("text", ["loud", "", "10", "WARN"])
def test_an_unknown_level_names_its_source_and_the_choices(text: str) -> None:
    with pytest.raises(logs.LogSettingError) as caught:
        logs.parse_level(text, "TOCSIN_LOG_LEVEL")
    assert str(caught.value) == (
        f"invalid log level {text!r} (from TOCSIN_LOG_LEVEL); "
        "use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    )


def test_formats_are_text_or_json() -> None:
    assert logs.parse_format("JSON", "TOCSIN_LOG_FORMAT") == "json"
    assert logs.parse_format("text", "TOCSIN_LOG_FORMAT") == "text"
    with pytest.raises(logs.LogSettingError, match=r"'yaml' \(from TOCSIN_LOG_FORMAT\)"):
        logs.parse_format("yaml", "TOCSIN_LOG_FORMAT")


def test_a_json_line_has_time_level_logger_message_and_context() -> None:
    record = _record()
    record.route = "/v1/articles"  # as logged with extra={"route": ...}
    record.color_message = "\x1b[36mhello\x1b[0m"  # uvicorn's coloured copy: left out
    line = logs.json_formatter().format(record)

    assert "\n" not in line
    fields = orjson.loads(line)
    assert list(fields)[:4] == ["ts", "level", "logger", "message"]
    assert fields == {
        "ts": fields["ts"],
        "level": "WARNING",
        "logger": "tocsin.test",
        "message": "hello world",
        "route": "/v1/articles",
    }
    stamp = dt.datetime.fromisoformat(fields["ts"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert stamp == dt.datetime.fromtimestamp(record.created, dt.UTC)


def test_a_json_line_carries_the_exception_text() -> None:
    try:
        raise ValueError("bad figure")
    except ValueError as exc:
        record = _record("could not apply", (), exc)
    fields = orjson.loads(logs.json_formatter().format(record))
    assert fields["message"] == "could not apply"
    assert fields["exception"].startswith("Traceback (most recent call last):")
    assert fields["exception"].endswith("ValueError: bad figure")


def test_records_get_the_request_id_only_while_a_request_is_handled() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tocsin.test.request_id")
    handler = logs.make_handler("json", stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        token = logs.request_id.set("req-1")
        try:
            logger.warning("inside")
        finally:
            logs.request_id.reset(token)
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    inside, outside = (orjson.loads(line) for line in stream.getvalue().splitlines())
    assert inside["request_id"] == "req-1"
    assert "request_id" not in outside


def test_a_text_line_shows_the_request_id_after_the_logger() -> None:
    record = _record()
    record.request_id = "req-2"
    line = logs.TextFormatter().format(record)
    assert line.endswith(" WARNING tocsin.test [req-2]: hello world")
    assert logs.TextFormatter().format(_record()).endswith(" WARNING tocsin.test: hello world")


def test_configured_routes_every_logger_and_puts_the_root_logger_back() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    with logs.configured(logging.DEBUG, "json", stream):
        assert root.level == logging.DEBUG
        assert len(root.handlers) == len(handlers) + 1
        logging.getLogger("uvicorn.error").debug("Started server process [%d]", 42)
    logging.getLogger("uvicorn.error").warning("after the block")

    assert (root.handlers, root.level) == (handlers, level)
    (line,) = stream.getvalue().splitlines()
    fields = orjson.loads(line)
    assert (fields["logger"], fields["message"]) == ("uvicorn.error", "Started server process [42]")


def test_the_command_line_rejects_a_bad_level_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOCSIN_LOG_LEVEL", "loud")
    assert main(["kafka", "status"]) == 2
    assert capsys.readouterr().err == (
        "tocsin: invalid log level 'loud' (from TOCSIN_LOG_LEVEL); "
        "use one of DEBUG, INFO, WARNING, ERROR, CRITICAL\n"
    )


def test_the_command_line_rejects_a_bad_format_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOCSIN_LOG_FORMAT", "yaml")
    assert main(["kafka", "status"]) == 2
    assert "invalid log format 'yaml' (from TOCSIN_LOG_FORMAT)" in capsys.readouterr().err


def test_the_log_flags_override_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOCSIN_LOG_LEVEL", "loud")
    monkeypatch.setenv("TOCSIN_LOG_FORMAT", "yaml")
    seen: list[int] = []

    def command(_: object) -> int:
        seen.append(logging.getLogger().level)
        logging.getLogger("tocsin.test").info("not at WARNING")
        logging.getLogger("tocsin.test").warning("in json")
        return 0

    parser = build_parser()
    parser.set_defaults(handler=command)
    monkeypatch.setattr("tocsin.cli.main.build_parser", lambda: parser)
    assert main(["--log-level", "warning", "--log-format", "json"]) == 0

    assert seen == [logging.WARNING]
    (line,) = capsys.readouterr().err.splitlines()
    assert orjson.loads(line)["message"] == "in json"
