"""Content-Disposition of a download names the file in full (RFC 6266/5987) and in ASCII.
A title is the office's own words: a slash in it ("2026年上半年/第一轮") must stay part of
the name, never read as a path, in either form."""

from __future__ import annotations

from urllib.parse import unquote

from shared.web.download import disposition


def _parts(header: str) -> tuple[str, str]:
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    encoded = header.split("filename*=UTF-8''", 1)[1]
    return plain, encoded


def test_a_slash_in_a_title_is_encoded_not_a_path() -> None:
    plain, encoded = _parts(disposition("2026年上半年/第一轮 结果.csv")["Content-Disposition"])
    assert "/" not in encoded and "%2F" in encoded
    assert unquote(encoded) == "2026年上半年/第一轮 结果.csv"
    assert "/" not in plain and plain.endswith(".csv")


def test_reserved_characters_are_encoded_in_the_full_name() -> None:
    _, encoded = _parts(disposition("a;b,c?d#e&f=g.xlsx")["Content-Disposition"])
    assert all(c not in encoded for c in ";,?#&=/ ")
    assert unquote(encoded) == "a;b,c?d#e&f=g.xlsx"


def test_a_backslash_and_dots_make_no_path_either() -> None:
    plain, encoded = _parts(disposition("..\\..\\结果.pdf", "../../result")["Content-Disposition"])
    assert "\\" not in encoded and "/" not in plain and not plain.startswith(".")
    assert plain.endswith(".pdf")
