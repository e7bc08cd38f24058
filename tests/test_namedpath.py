"""Runs, corpora and probes are named folders: NAME=PATH on a command line, a NamedPath in code."""

from pathlib import Path

from arena.namedpath import NamedPath, split
from arena.runs import split_spec


def test_the_text_form_and_the_value_form_agree(tmp_path):
    assert split("team=/x/y") == NamedPath("team", Path("/x/y"))
    assert split("/x/y") == NamedPath(None, Path("/x/y"))
    assert split(NamedPath("team", "/x/y")) == NamedPath("team", Path("/x/y"))
    assert split(("team", tmp_path)) == NamedPath("team", tmp_path)
    assert str(NamedPath("team", Path("/x/y"))) == "team=/x/y"
    assert split(str(NamedPath("a@sft", Path("/r=1")))) == NamedPath("a@sft", Path("/r=1"))  # name ends at the first =
    odd = tmp_path / "k=v"  # an existing folder whose name holds '=' is a path
    odd.mkdir()
    assert split(str(odd)) == NamedPath(None, odd)


def test_a_run_spec_naming_trials_parquet_names_its_folder(tmp_path):
    (tmp_path / "trials.parquet").write_bytes(b"")
    assert split_spec(NamedPath("t", tmp_path / "trials.parquet")) == NamedPath("t", tmp_path)


def test_corpus_names_follow_the_same_rule(tmp_path):
    """The contamination guard reads NAME=PATH as runs do (it once split at the last '=')."""
    import pytest

    from arena.contamination import CorpusError, corpus_documents

    with pytest.raises(CorpusError, match="no such corpus folder"):
        corpus_documents([NamedPath("a", tmp_path / "missing")], None)
    with pytest.raises(CorpusError, match=str(tmp_path / "missing=2")):
        corpus_documents([f"a={tmp_path / 'missing=2'}"], None)
