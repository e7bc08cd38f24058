"""The bundled held-out suite does not overlap any bundled training corpus (the guard verifies the
claim of data/heldout/README.md), while a planted copy of a training task into it is caught."""

import shutil

import pytest

from arena.cli.report import corpus_documents

pytest.importorskip("datasketch")
CORPORA = ["environments/reference", "environments/teams/polymath", "environments/teams/bluefence",
           "environments/teams/parrot"]


def test_heldout_is_clean_against_every_training_corpus():
    from arena.contamination import contamination_report

    docs, _ = corpus_documents(CORPORA, "data/heldout")
    rep = contamination_report(docs)
    held = rep[rep["source"] == "heldout"]
    assert len(held) == 168 and not held["flagged"].any(), held[held["flagged"]].head()


def test_a_planted_copy_in_the_suite_is_flagged(tmp_path):
    from arena.contamination import contamination_report

    suite = tmp_path / "suite"
    shutil.copytree("data/heldout/tasks", suite)
    victim = sorted(p for p in __import__("pathlib").Path("environments/reference").iterdir() if p.is_dir())[3]
    shutil.copytree(victim, suite / f"{victim.name}-leaked")
    docs, _ = corpus_documents(["environments/reference"], str(suite))
    rep = contamination_report(docs)
    leaked = rep[(rep["source"] == "heldout") & (rep["task_id"] == f"{victim.name}-leaked")].iloc[0]
    assert leaked["flagged"] and leaked["match_task_id"] == victim.name
