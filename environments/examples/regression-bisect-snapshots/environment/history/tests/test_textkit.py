"""HEAD test suite for textkit (plain asserts: runs under pytest or any runner)."""

import textkit


def test_slugify_basic():
    assert textkit.slugify("Hello, World!") == "hello-world"


def test_slugify_collapses_separators():
    assert textkit.slugify("a  --  b") == "a-b"


def test_slugify_max_length():
    assert textkit.slugify("x" * 100, max_length=20) == "x" * 20


def test_wrap_respects_width():
    text = "the quick brown fox jumps over the lazy dog"
    lines = textkit.wrap(text, 12)
    assert all(len(line) <= 12 for line in lines)
    assert " ".join(lines) == text


def test_parse_duration_seconds_minutes():
    assert textkit.parse_duration("45s") == 45
    assert textkit.parse_duration("1m30s") == 90


def test_parse_duration_hours():
    assert textkit.parse_duration("2h") == 7200
    assert textkit.parse_duration("1h30m") == 5400


def test_truncate_adds_ellipsis():
    assert textkit.truncate("abcdefghij", 5) == "abcd\u2026"


def test_truncate_short_text_untouched():
    assert textkit.truncate("abc", 5) == "abc"


def test_title_case_small_words():
    assert textkit.title_case("the lord of the rings") == "The Lord of the Rings"
