"""Every workbench notebook executed by papermill with tiny parameters; assertions on recorded values."""

from pathlib import Path

import pytest
import yaml

from arena.notebooks import run_notebook
from tests.conftest import write_task
from tests.results_fixture import make_results

pytest.importorskip("papermill")
REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="module")
def tiny(tiny_model):
    return tiny_model


def corpus(root: Path, broken: bool = False) -> Path:
    # the broken corpus is a team entry: there a category that names no domain is a static error
    # (a loose package with one only gets a warning and still runs)
    tasks = root / "envs" if broken else root
    for i, cat in enumerate(["sciences", "cybersecurity", "finance-economics"]):
        write_task(tasks / f"t{i}", category=cat)
    if broken:
        (root / "submission.yaml").write_text("team_name: Broken\ncontact_email: b@example.org\ntrack: environments\n")
        write_task(tasks / "bad-category", category="astrology")
        write_task(tasks / "weak-verifier", test_sh="#!/bin/bash\nmkdir -p /logs/verifier; echo 1 > /logs/verifier/reward.txt\n")
    return root


@pytest.mark.bwrap
def test_01_validate_catches_planted_defects(tmp_path, local_runtime):
    c = corpus(tmp_path / "c", broken=True)
    run = run_notebook("01", {"corpus": str(c), "out": str(tmp_path / "v"), "oracle_runs": 1}, out_dir=tmp_path / "nb")
    r = run.records
    assert r["tasks"] == 5 and r["tasks_passed"] == 3  # bad-category is not run (static error), weak fails
    assert {"metadata.category", "validate.nop-passes"} <= set(r["error_rules"])
    assert r["coverage"]["sciences"] == 2 and run.html.exists()  # t0 + weak-verifier


def test_01_reads_a_results_folder(tmp_path, results):
    r = run_notebook("validate", {"corpus": str(corpus(tmp_path / "c")), "results": str(results)},
                     out_dir=tmp_path / "nb").records  # fmt: skip
    assert r["errors"] == 1 and r["error_rules"] == ["validate.nop-passes"]


@pytest.mark.bwrap
def test_02_learnability_live_and_from_results(tmp_path, tiny, results, local_runtime):
    c = corpus(tmp_path / "c")
    r = run_notebook("02", {"corpus": str(c), "model": str(tiny), "samples": 2, "out": str(tmp_path / "l")},
                     out_dir=tmp_path / "nb").records  # fmt: skip
    assert r["tasks"] == 3 and r["share_outside_band"] == 1.0  # an untrained model fails everything
    r = run_notebook("02", {"results": str(results), "team": "polymath"}, out_dir=tmp_path / "nb2").records
    assert r["outside_band_by_domain"]["sciences"] == 1.0 and r["tasks"] == 128


@pytest.mark.bwrap
def test_03_train_tiny_recipe(tmp_path, local_runtime):
    doc = yaml.safe_load((REPO / "arena/train/presets/tiny-cpu.yaml").read_text())
    doc["name"] = "tiny-test"
    doc["sft"].update(max_steps=6, save_steps=6, logging_steps=2, per_device_train_batch_size=4)
    doc["grpo"].update(max_steps=2, save_steps=2, per_device_train_batch_size=4, num_generations=4)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(doc))
    c = corpus(tmp_path / "c")
    r = run_notebook("03", {"corpus": str(c), "recipe": str(recipe), "out": str(tmp_path / "t")},
                     out_dir=tmp_path / "nb").records  # fmt: skip
    assert r["trained"] and len(r["recipe_digest"]) == 64
    assert r["sft_final_loss"] is not None and r["sft_final_loss"] > 0
    assert set(r["grpo_reward_by_domain"]) <= {"sciences", "cybersecurity", "finance-economics"}


def test_03_dry_run_of_the_gpu_recipe(tmp_path):
    r = run_notebook("03", {"recipe": "qwen3-8b", "dry_run": True, "out": str(tmp_path / "t")},
                     out_dir=tmp_path / "nb").records  # fmt: skip
    assert not r["trained"] and len(r["recipe_digest"]) == 64


@pytest.mark.bwrap
def test_04_evaluate(tmp_path, tiny, local_runtime):
    suite = corpus(tmp_path / "suite")
    # harness mode: the tiny checkpoint served by arena, driven by mini-harness; each trial writes a transcript
    r = run_notebook("04", {"checkpoints": [str(tiny)], "names": ["untrained"], "suite": str(suite),
                            "mode": "harness:mini-harness", "out": str(tmp_path / "e")}, out_dir=tmp_path / "nb").records  # fmt: skip
    assert r["runs"] == ["untrained"] and r["pass_rate"]["untrained"] == 0.0
    assert r["transcript"] and r["transcript"].endswith("trajectory.json") and Path(r["transcript"]).is_file()


def test_05_analysis_on_a_results_folder(tmp_path, results):
    r = run_notebook("05", {"results": str(results), "resamples": 2000}, out_dir=tmp_path / "nb").records
    assert set(r["teams"]) == {"bluefence", "polymath", "parrot", "baseline-reseed"}
    lo, hi = r["ci"]["baseline-reseed"]
    assert lo < 0 < hi  # the A/A control covers 0
    assert any(x["team"] == "bluefence" and x["domain"] == "cybersecurity" for x in r["lifts_excluding_zero"])
    assert r["transfer_summary"]
    # the memorization probe of the planted probe/ folders: parrot recalls its own tasks (13 of 14 per
    # domain) but passes 3 of 14 fresh instances; polymath 5 of 12 vs 4 of 12
    memo = {x["team"]: x for x in r["memorization"]}
    assert memo["parrot"]["pass_train"] == pytest.approx(13 / 14) and memo["parrot"]["pass_fresh"] == pytest.approx(3 / 14)
    assert memo["parrot"]["memorization_gap_low"] > 0.3
    assert memo["polymath"]["memorization_gap"] == pytest.approx(1 / 12)


def test_06_award_report(tmp_path, results):
    run = run_notebook("06", {"results": str(results), "resamples": 2000}, out_dir=tmp_path / "nb")
    r = run.records
    assert r["ranking"][0]["team"] in {"bluefence", "polymath"}
    assert any(f["team"] == "hasty" for f in r["flags"]) and r["caveats"]
    assert "Caveats" in run.html.read_text()
