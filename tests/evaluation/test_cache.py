"""The append-only response cache: keys, torn lines, bad lines."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.evaluation import CacheError
from biorft.evaluation._cache import CachedResponse, ResponseCache, digest


def entry(i: int, sample: int = 0, prompt: str = "p") -> CachedResponse:
    return CachedResponse(id=f"e{i}", sample=sample, prompt=prompt, text=f"Answer: {i}", prompt_tokens=3)


def test_round_trip_and_keys(tmp_path) -> None:
    path = tmp_path / "sub" / "c.jsonl"
    with ResponseCache(path, model="m", params="a") as c:
        c.put(entry(1))
        c.put(entry(1, sample=1))
    assert len(path.read_text().splitlines()) == 2
    reread = ResponseCache(path, model="m", params="a")
    assert len(reread) == 2
    reread.put(entry(1))  # already in the file when it was opened: not written again
    reread.close()
    assert len(path.read_text().splitlines()) == 2
    assert reread.get("e1", 1, "p") == entry(1, sample=1)
    assert reread.get("e1", 0, "other prompt") is None
    assert ResponseCache(path, model="m2", params="a").get("e1", 0, "p") is None
    assert ResponseCache(path, model="m2", params="a").n_other == 2


def test_torn_last_line_is_cut_and_appending_continues(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    with ResponseCache(path, model="m", params="a") as c:
        c.put(entry(1))
        c.put(entry(2))
    text = path.read_text()
    path.write_text(text + text.splitlines()[0][:25])  # the process died mid-write
    c = ResponseCache(path, model="m", params="a")
    assert c.torn_line_removed
    assert len(c) == 2
    c.put(entry(3))
    c.close()
    lines = path.read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["e1", "e2", "e3"]


def test_complete_last_line_without_newline_is_kept(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    with ResponseCache(path, model="m", params="a") as c:
        c.put(entry(1))
    path.write_text(path.read_text().rstrip("\n"))
    c = ResponseCache(path, model="m", params="a")
    assert not c.torn_line_removed
    c.put(entry(2))
    c.close()
    assert len(ResponseCache(path, model="m", params="a")) == 2


def test_a_bad_line_in_the_middle_is_an_error_naming_it(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    with ResponseCache(path, model="m", params="a") as c:
        c.put(entry(1))
    path.write_text(path.read_text() + "not json\n" + path.read_text())
    with pytest.raises(CacheError, match=r"line 2"):
        ResponseCache(path, model="m", params="a")
    path.write_text('{"hello": 1}\n')
    with pytest.raises(CacheError, match=r"line 1: not a cache record"):
        ResponseCache(path, model="m", params="a")


def test_duplicate_lines_are_counted_once(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    with ResponseCache(path, model="m", params="a") as c:
        c.put(entry(1))
    path.write_text(path.read_text() * 2)  # e.g. two processes appended the same response
    c = ResponseCache(path, model="m", params="a")
    assert len(c) == 1
    assert c.n_duplicates == 1


@given(st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=5))
def test_digest_ignores_key_order(d: dict) -> None:
    assert digest(d) == digest(dict(reversed(list(d.items()))))
