"""`arena eval`: a checkpoint on a suite through real sandboxed trials, resumable, metadata recorded."""

import json

import pandas as pd
import pytest

from arena.cli.main import main
from arena.evaluate import EvalError, evaluate, resolve_checkpoint
from tests.conftest import write_task

pytestmark = pytest.mark.bwrap


@pytest.fixture(scope="module")
def tiny(tiny_model):
    return tiny_model


@pytest.fixture
def suite(tmp_path):
    root = tmp_path / "suite"
    for i, cat in enumerate(["sciences", "cybersecurity", "finance-economics"]):
        write_task(root / f"t{i}", category=cat)
    return root


def test_eval_writes_rows_and_run_json_and_resumes(tiny, suite, tmp_path, local_runtime):
    out = tmp_path / "ev"
    meta = evaluate(tiny, suite=suite, out=out, samples=2, runtime=local_runtime, progress=False, max_new_tokens=8)
    df = pd.read_parquet(out / "trials.parquet")
    assert len(df) == 6 and set(df["sample"]) == {0, 1} and set(df["agent"]) == {"model"}
    assert set(df["domain"]) == {"sciences", "cybersecurity", "finance-economics"}
    assert df["status"].isin(["ok", "timeout"]).all()
    run = json.loads((out / "run.json").read_text())
    assert run["samples"] == 2 and run["tasks"] == 3 and run["summary"]["trials"] == 6
    assert meta["suite_digest"] == run["suite_digest"]
    from arena.runs import check_suite, load_run

    loaded = load_run(out)  # run.json names the suite by the digest the score report's suite table shows
    assert check_suite([], loaded).table.iloc[0]["suite_digest"] == run["suite_digest"]
    before = df.set_index("trial_key")["started_at"].to_dict()
    evaluate(tiny, suite=suite, out=out, samples=2, runtime=local_runtime, progress=False, max_new_tokens=8)
    again = pd.read_parquet(out / "trials.parquet").set_index("trial_key")["started_at"].to_dict()
    assert again == before  # nothing regenerated or re-verified


def test_eval_refuses_to_mix_suites_in_one_folder(tiny, suite, tmp_path, local_runtime):
    out = tmp_path / "ev"
    evaluate(tiny, suite=suite, out=out, runtime=local_runtime, progress=False, max_new_tokens=4)
    other = tmp_path / "other"
    write_task(other / "x")
    with pytest.raises(EvalError, match="another --out"):
        evaluate(tiny, suite=other, out=out, runtime=local_runtime, progress=False)


def test_checkpoint_resolution(tmp_path, tiny):
    assert resolve_checkpoint(tiny).model_path == str(tiny)
    run = tmp_path / "train-run"
    (run / "checkpoint").mkdir(parents=True)
    (run / "model_card.json").write_text(json.dumps({"checkpoint": "checkpoint", "recipe_digest": "r"}))
    ck = resolve_checkpoint(run)
    assert ck.model_path.endswith("checkpoint") and ck.card["recipe_digest"] == "r"
    base = tmp_path / "base"  # a model folder carrying its card (the pretrained base model): the folder is the model
    base.mkdir()
    (base / "config.json").write_text("{}")
    (base / "model_card.json").write_text(json.dumps({"name": "base"}))
    assert resolve_checkpoint(base).model_path == str(base) and resolve_checkpoint(base).card["name"] == "base"
    (run / "checkpoint").rmdir()  # a training run whose checkpoint is gone stays an error
    with pytest.raises(EvalError, match="which does not exist"):
        resolve_checkpoint(run)
    (tmp_path / "empty").mkdir()
    with pytest.raises(EvalError, match="neither a training run"):
        resolve_checkpoint(tmp_path / "empty")


def test_cli_json(tiny, suite, tmp_path, capsys, local_runtime):
    rc = main(["eval", str(tiny), "--suite", str(suite), "--out", str(tmp_path / "e"), "--runtime", "local",
               "--json", "--max-new-tokens", "4"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["summary"]["counted"] == 3 and doc["run_dir"] == str(tmp_path / "e")
