"""``tocsin feed``'s inputs: the files a folder yields, and where each article sits in its file."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tocsin.cli.feed_files import STDIN, discover, load, read_sources
from tocsin.errors import InputError

ARTICLE = {"id": "f-1", "body": "Two police officers were killed in Lagos, Nigeria."}


def _tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".hidden").mkdir()
    for name in ("a/one.json", "a/two.NDJSON", "b/three.jsonl", "b/four.txt", "top.json"):
        (root / name).write_text("{}")
    for name in ("a/skip.csv", "a/.dotfile.json", ".hidden/inside.json", "b/README"):
        (root / name).write_text("{}")


def test_a_folder_is_searched_recursively_in_a_stable_order(tmp_path: Path) -> None:
    """Folders give their .json, .ndjson, .jsonl and .txt files, sorted, hidden ones skipped."""
    _tree(tmp_path)
    files, problems = discover([str(tmp_path)])
    assert problems == []
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "top.json",
        "a/one.json",
        "a/two.NDJSON",
        "b/four.txt",
        "b/three.jsonl",
    ]


def test_a_named_file_is_read_whatever_its_suffix_and_only_once(tmp_path: Path) -> None:
    """A file named on the command line counts even without a known suffix; repeats are dropped."""
    _tree(tmp_path)
    readme = str(tmp_path / "b" / "README")
    files, problems = discover([readme, str(tmp_path / "b"), readme, STDIN])
    assert problems == []
    assert files == [
        readme,
        str(tmp_path / "b" / "four.txt"),
        str(tmp_path / "b" / "three.jsonl"),
        STDIN,
    ]


def test_missing_paths_and_empty_folders_are_problems(tmp_path: Path) -> None:
    """A path that does not exist, or a folder without article files, is reported by name."""
    (tmp_path / "empty").mkdir()
    files, problems = discover([str(tmp_path / "nope"), str(tmp_path / "empty")])
    assert files == []
    assert problems[0] == f"{tmp_path / 'nope'}: no such file or folder"
    assert problems[1].startswith(f"{tmp_path / 'empty'}: no article files")


def test_ndjson_positions_are_line_numbers_for_good_and_bad_lines() -> None:
    """Every article of an NDJSON file, good or bad, is labelled with its line."""
    data = b"\n".join(
        [orjson.dumps(ARTICLE), b"", b"not json", b'{"body": ""}', orjson.dumps(ARTICLE)]
    )
    sources = read_sources(data, "x.ndjson")
    assert [s.where for s in sources] == [
        "x.ndjson:line 1",
        "x.ndjson:line 3",
        "x.ndjson:line 4",
        "x.ndjson:line 5",
    ]
    assert [s.article is not None for s in sources] == [True, False, False, True]
    assert str(sources[1].problem).startswith("malformed JSON")


def test_array_items_are_numbered_and_single_articles_are_named_by_file() -> None:
    """A JSON array labels items; one JSON article or a plain-text file is just the file."""
    array = read_sources(orjson.dumps([ARTICLE, {"title": "no body"}]), "a.json")
    assert [(s.where, s.article is None) for s in array] == [
        ("a.json:item 1", False),
        ("a.json:item 2", True),
    ]
    assert [s.where for s in read_sources(orjson.dumps(ARTICLE), "one.json")] == ["one.json"]
    text = read_sources(b"Headline\n\nFive soldiers were killed in Mali.", "t.txt")
    assert [(s.where, s.article is not None and s.article.title) for s in text] == [
        ("t.txt", "Headline")
    ]


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xfe", b"{broken"], ids=["empty", "not-utf8", "broken"]
)
def test_unreadable_bytes_raise_input_error(data: bytes) -> None:
    """Bytes with no readable article at all are an input error, not a rejected article."""
    with pytest.raises(InputError):
        read_sources(data, "bad.json")


def test_load_reports_unreadable_files_and_reads_the_rest(tmp_path: Path) -> None:
    """``load`` returns every readable article plus one problem line per unreadable file."""
    good = tmp_path / "good.json"
    good.write_bytes(orjson.dumps(ARTICLE))
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"")
    sources, problems = load([str(good), str(bad), STDIN], lambda: b"From stdin\nbody text")
    assert [s.where for s in sources] == [str(good), "stdin"]
    assert problems == [f"{bad}: empty input, expected an article"]
