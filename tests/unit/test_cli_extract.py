"""``tocsin extract``: inputs of every supported shape, exit codes and messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tocsin.contract.codec import decode_event

ARTICLE = {
    "id": "cli-1",
    "published_at": "2024-04-02T09:00:00Z",
    "body": "Nine miners were killed in Potosi, Bolivia, on Monday, officials said.",
}


def _run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tocsin", "extract", *args],
        input=stdin, capture_output=True, timeout=120, check=False,
    )  # fmt: skip


def _events(out: bytes) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in out.splitlines() if line.strip()]


def test_one_json_article_from_a_file(tmp_path: Path) -> None:
    """A JSON article file gives NDJSON events that decode against the contract."""
    path = tmp_path / "a.json"
    path.write_bytes(orjson.dumps(ARTICLE))
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines
    events = [decode_event(line) for line in lines]
    assert {e.article_id for e in events} == {"cli-1"}
    assert any(e.type == "casualty" and e.country == "BO" for e in events)


def test_ndjson_with_a_bad_line_reports_it_and_goes_on() -> None:
    """One bad article in NDJSON is reported on stderr; the others still yield events; exit 1."""
    second = ARTICLE | {"id": "cli-2"}
    stdin = b"\n".join([orjson.dumps(ARTICLE), b'{"body": ""}', orjson.dumps(second)])
    result = _run("-", stdin=stdin)
    assert result.returncode == 1
    assert b"line 2" in result.stderr
    assert b"body must contain text" in result.stderr
    assert {e["article_id"] for e in _events(result.stdout)} == {"cli-1", "cli-2"}


def test_json_array_input() -> None:
    """A JSON array of articles is read article by article."""
    stdin = orjson.dumps([ARTICLE, ARTICLE | {"id": "cli-3"}])
    result = _run(stdin=stdin)
    assert result.returncode == 0
    assert {e["article_id"] for e in _events(result.stdout)} == {"cli-1", "cli-3"}


def test_plain_text_input_gets_a_content_id() -> None:
    """Plain text is one article whose id is derived from its content."""
    result = _run(stdin=b"Nine miners were killed in Potosi, Bolivia, officials said.\n")
    assert result.returncode == 0
    ids = {e["article_id"] for e in _events(result.stdout)}
    assert len(ids) == 1
    assert next(iter(ids)).startswith("sha256-")


def test_pretty_output_is_indented() -> None:
    """--pretty prints indented JSON for people."""
    result = _run("--pretty", stdin=orjson.dumps(ARTICLE))
    assert result.returncode == 0
    assert b'\n  "article_id": "cli-1"' in result.stdout


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        pytest.param(b"\xff\xfe\x00", b"not UTF-8", id="binary"),
        pytest.param(b"   \n", b"empty input", id="empty"),
        pytest.param(b"[1, 2", b"malformed JSON array", id="broken-array"),
        pytest.param(b"{not json at all", b"malformed JSON", id="broken-object"),
    ],
)
def test_unreadable_input_exits_2_with_a_reason(stdin: bytes, message: bytes) -> None:
    """Input that cannot be read at all exits 2 and says why."""
    result = _run(stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == b""


def test_missing_file_exits_2(tmp_path: Path) -> None:
    """A file that does not exist exits 2 naming it."""
    result = _run(str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert b"nope.json" in result.stderr
