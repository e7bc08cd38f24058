"""`arena showcase`: the quick run end to end (layout, showcase.json, determinism, resume) and the
pieces that need no training (precomputed engine, headline numbers, acceptance checks, CLI)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from arena.domains import DOMAIN_IDS

RUNS = ["baseline", "baseline-reseed", "polymath", "bluefence", "hasty", "parrot", *(f"single-{d}" for d in DOMAIN_IDS)]


# ------------------------------------------------------------------------------- fast pieces


class _Echo:
    """An engine that answers with a counter, so a second generation would be visible."""

    name = "echo"

    def __init__(self):
        self.calls = 0

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        from arena.engines import Completion

        self.calls += 1
        return [Completion(f"{c[-1]['content']}#{self.calls}.{j}") for c in conversations for j in range(n)]

    def describe(self):
        return {"engine": "echo"}


def test_precomputed_engine_hands_out_the_batch_it_made_and_refuses_anything_else():
    from arena.showcase import PrecomputedEngine, ShowcaseError

    inner = _Echo()
    convs = [[{"role": "user", "content": f"q{i}"}] for i in range(3)]
    eng = PrecomputedEngine(inner, convs, max_new_tokens=8, temperature=1.0, n=2, seed=5)
    got = eng.chat([convs[2], convs[0]], max_new_tokens=8, temperature=1.0, n=2, seed=5)
    assert [c.text for c in got] == ["q2#1.0", "q2#1.1", "q0#1.0", "q0#1.1"] and inner.calls == 1
    assert eng.describe() == {"engine": "echo", "precomputed": True}
    with pytest.raises(ShowcaseError, match="made with"):
        eng.chat(convs, max_new_tokens=8, temperature=0.0, n=2, seed=5)
    with pytest.raises(ShowcaseError, match="not precomputed"):
        eng.chat([[{"role": "user", "content": "new"}]], max_new_tokens=8, temperature=1.0, n=2, seed=5)


def _scores(rows):
    df = pd.DataFrame(rows, columns=["team", "domain", "delta", "ci_low", "ci_high"])
    ref = {"overall": 0.2, "cybersecurity": 0.1, "sciences": 0.3, "media-multimodal": 0.3}
    df["ref_value"] = df["domain"].map(ref)
    df["team_value"] = df["ref_value"] + df["delta"]
    return df


def test_headline_and_acceptance_from_a_score_table():
    from arena.showcase import acceptance, headline_numbers, plan_for

    scores = _scores([
        ("bluefence", "overall", -0.05, -0.1, 0.0), ("bluefence", "cybersecurity", 0.3, 0.1, 0.5),
        ("bluefence", "sciences", 0.2, 0.05, 0.3),  # above 0, but bluefence never trained on sciences
        ("polymath", "overall", 0.02, -0.01, 0.05), ("polymath", "sciences", 0.0, -0.1, 0.1),
        ("baseline-reseed", "overall", 0.0, -0.03, 0.03), ("baseline-reseed", "sciences", 0.0, -0.1, 0.1),
        ("single-sciences", "overall", 0.1, 0.05, 0.2), ("single-sciences", "sciences", 0.4, 0.2, 0.6),
    ])  # fmt: skip
    trained = {"bluefence": ["cybersecurity"], "polymath": list(DOMAIN_IDS), "single-sciences": ["sciences"]}
    h = headline_numbers(scores, trained)
    assert set(h["teams"]) == {"bluefence", "polymath"} and set(h["single_domain"]) == {"single-sciences"}
    assert h["control"]["ci"] == [-0.03, 0.03]
    assert h["teams"]["bluefence"]["per_domain"]["cybersecurity"] == {
        "delta": 0.3,
        "ci": [0.1, 0.5],
        "pass_rate": 0.4,
    }
    assert h["baseline"] == {"pass_rate": 0.2, "per_domain": {"cybersecurity": 0.1, "sciences": 0.3}}
    assert [(x["run"], x["domain"]) for x in h["in_domain_lifts"]] == [
        ("bluefence", "cybersecurity"), ("single-sciences", "sciences")]  # fmt: skip
    a = acceptance(h, wall=100.0, plan=plan_for(False))
    assert a["team_in_domain_lift"]["holds"] and a["team_in_domain_lift"]["primary"]["delta"] == 0.3
    assert a["control_null_overall"]["holds"] and a["control_null_per_domain"]["holds"]
    assert not a["all_hold"] and not a["baseline_band"]["holds"]  # 2 domains, no story numbers: the story fails
    # the A/A control with a domain CI above 0 fails the per-domain check; a slow run fails the wall check
    bad = _scores(
        [tuple(r)[:5] for r in scores.itertuples(index=False)]
        + [("baseline-reseed", "media-multimodal", 0.2, 0.05, 0.3)]
    )
    a = acceptance(headline_numbers(bad, trained), wall=700.0, plan=plan_for(False))
    assert not a["control_null_per_domain"]["holds"] and not a["wall_time"]["holds"] and not a["all_hold"]
    assert list(a["control_null_per_domain"]["domains_excluding_zero"]) == ["media-multimodal"]


def test_quick_and_default_plans_use_one_recipe_per_showcase():
    from arena.showcase import plan_for, showcase_recipe

    for quick in (False, True):
        plan = plan_for(quick)
        a, b = showcase_recipe(plan, 0), showcase_recipe(plan, 1)
        assert a.name == "tiny-showcase" and a.seed == 0 and b.seed == 1 and a.digest != b.digest
        assert a.model_copy(update={"seed": 1}).digest == b.digest  # the seed is the only difference
    assert (
        plan_for(True).recipe_overrides["sft"]["max_steps"]
        < showcase_recipe(plan_for(False), 0).sft["max_steps"]
    )


def test_cli_help_teaches_the_stages_and_refuses_contradictions(capsys):
    from arena.cli.main import main

    with pytest.raises(SystemExit):
        main(["showcase", "--help"])
    text = capsys.readouterr().out
    for word in (
        "validate",
        "baseline-reseed",
        "learnability",
        "transfer_meta.csv",
        "--resume",
        "--quick",
        "exit:",
    ):
        assert word in text
    assert main(["showcase", "--no-figures", "--figures", "x"]) == 2


def test_an_existing_showcase_is_refused_without_resume(tmp_path):
    from arena.showcase import Showcase, ShowcaseError

    (tmp_path / "showcase.json").write_text(json.dumps({"config": {"seed": 0}}))
    with pytest.raises(ShowcaseError, match="--resume"):
        Showcase(tmp_path, quick=True)._open()
    with pytest.raises(ShowcaseError, match="other settings"):
        Showcase(tmp_path, quick=True, resume=True)._open()
    (tmp_path / "showcase.json").unlink()
    (tmp_path / "something").write_text("x")
    with pytest.raises(ShowcaseError, match="not empty"):
        Showcase(tmp_path, quick=True)._open()


# --------------------------------------------------------------------------- quick, end to end


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory, request):
    pytest.importorskip("trl")
    pytest.importorskip("matplotlib")
    request.getfixturevalue("local_runtime")
    from arena.showcase import run_showcase

    root = tmp_path_factory.mktemp("showcase")
    a = run_showcase(root / "a", figures=root / "figs", seed=0, quick=True, progress=False)
    b = run_showcase(root / "b", figures=None, seed=0, quick=True, progress=False, notebooks=False)
    return root, a, b


@pytest.mark.slow
@pytest.mark.bwrap
def test_quick_showcase_writes_the_layout_the_notebooks_read(quick_runs):
    root, doc, _ = quick_runs
    out = root / "a"
    for rel in ("validate/trials.parquet", "validate/validate.json", "transfer_meta.csv", "report/report.md",
                "report/tables/scores.csv", "report/figures/forest.png", "showcase.json"):  # fmt: skip
        assert (out / rel).is_file(), rel
    for run in RUNS:
        assert (out / "train" / run / "model_card.json").is_file() and (
            out / "train" / run / "checkpoint"
        ).is_dir()
        meta = json.loads((out / "eval" / run / "run.json").read_text())
        assert (
            (out / "eval" / run / "trials.parquet").is_file()
            and meta["team"] == run
            and meta["train_domains"]
        )
    for team in ("polymath", "bluefence", "hasty"):
        meta = json.loads((out / "learnability" / team / "run.json").read_text())
        assert meta["samples"] == doc["recipe"]["num_generations"] and meta["checkpoint"].endswith(
            "baseline/checkpoint"
        )
    assert {p.name for p in (out / "corpora").iterdir()} >= {f"single-{d}" for d in DOMAIN_IDS} | {"hasty"}
    meta = pd.read_csv(out / "transfer_meta.csv", dtype=str, keep_default_na=False)
    assert (
        list(meta.columns) == ["run", "train_domains", "family", "start", "control"]
        and list(meta["run"]) == RUNS
    )
    assert meta.set_index("run").loc["single-cybersecurity", "train_domains"] == "cybersecurity"
    # the report's figures were copied (PNG + SVG)
    figs = {p.name for p in (root / "figs").iterdir()}
    assert {"forest.png", "forest.svg", "transfer_heatmap.png"} <= figs
    # the notebooks ran when the repository has them, else the stage says why not
    nb = doc["stages"]["notebooks"]
    assert nb["status"] == "done" and (nb.get("note") or len(nb["ran"]) + len(nb["failed"]) == 6)
    assert not nb.get("failed"), nb.get("failed")
    if nb.get("ran"):  # notebook 03 shows the showcase's own training run, not the results root
        from arena.notebooks import read_records

        rec = read_records(out / "notebooks" / "03_train.ipynb")
        card = json.loads((out / "train" / "baseline" / "model_card.json").read_text())
        assert rec["recipe"] == "tiny-showcase" and rec["trained"] is True
        assert rec["recipe_digest"] == card["recipe_digest"] and rec["sft_train_loss"] > 0


@pytest.mark.slow
@pytest.mark.bwrap
def test_quick_showcase_json_holds_timings_headline_and_checks(quick_runs):
    _, doc, _ = quick_runs
    assert doc["complete"] and doc["config"]["plan"]["mode"] == "quick" and doc["wall_sec"] > 0
    assert {"validate", "train", "eval", "learnability", "report"} <= set(doc["stage_times"])
    v = doc["validation"]
    assert v["planted_caught"] == v["planted_total"] == 12  # every planted defect of hasty is reported
    assert (
        v["corpora"]["hasty"]["trained_on"] == v["corpora"]["hasty"]["tasks"] - 12
        and not v["unexpected_exclusions"]
    )
    readme = (Path(doc["runs"]["hasty"]["corpus"]) / "README.md").read_text(encoding="utf-8")
    assert "validate.nop-passes" in readme and "entry.duplicate-task" in readme  # the exclusions, recorded
    for run in ("polymath", "bluefence", "hasty"):
        e = doc["headline"]["teams"][run]
        assert set(e) == {"delta", "ci", "pass_rate", "per_domain"} and len(e["ci"]) == 2
    assert doc["headline"]["control"]["delta"] is not None and len(doc["headline"]["single_domain"]) == 8
    assert {"wall_time", "team_in_domain_lift", "control_null_overall", "control_null_per_domain",
            "all_hold"} <= set(doc["acceptance"])  # fmt: skip
    assert doc["recipe"]["digest_without_seed"] == doc["recipe"]["reseed_digest_without_seed"]


@pytest.mark.slow
@pytest.mark.bwrap
def test_same_seed_same_tables_and_same_weights(quick_runs):
    root, _, _ = quick_runs
    for name in ("scores", "leaderboard", "transfer", "learnability"):
        assert _digest(root / "a" / "report" / "tables" / f"{name}.csv") == \
            _digest(root / "b" / "report" / "tables" / f"{name}.csv"), name  # fmt: skip
    for run in RUNS:
        assert _digest(root / "a" / "train" / run / "checkpoint" / "model.safetensors") == \
            _digest(root / "b" / "train" / run / "checkpoint" / "model.safetensors"), run  # fmt: skip


@pytest.mark.slow
@pytest.mark.bwrap
def test_resume_skips_finished_work(quick_runs):
    from arena.showcase import run_showcase

    root, doc, _ = quick_runs
    before = {r: (root / "a" / "train" / r / "model_card.json").stat().st_mtime_ns for r in RUNS}
    again = run_showcase(root / "a", figures=None, seed=0, quick=True, resume=True, progress=False)
    assert {r: (root / "a" / "train" / r / "model_card.json").stat().st_mtime_ns for r in RUNS} == before
    assert again["headline"] == doc["headline"]
    assert "train" not in again["stage_times"] and "eval" not in again["stage_times"]  # nothing redone


def test_notebook_03_is_given_the_showcase_training_run(tmp_path):
    from arena.showcase import Showcase

    sc = Showcase(tmp_path / "sc", figures=None, quick=True)
    run = (tmp_path / "sc" / "train" / "baseline").resolve()
    assert sc.notebook_parameters("03_train") == {"results": str(run), "recipe": str(run / "recipe.json")}
    assert sc.notebook_parameters("04_evaluate") == {"results": str((tmp_path / "sc").resolve())}


def test_default_run_trains_with_two_threads_unless_the_user_says_otherwise(tmp_path, monkeypatch):
    from arena.showcase import Showcase
    from arena.train.pipeline import _torch_threads
    from arena.train.recipe import load_recipe

    two = min(2, os.cpu_count() or 1)
    assert Showcase(tmp_path / "d", quick=False, progress=False).train_threads == two
    assert Showcase(tmp_path / "q", quick=True, progress=False).train_threads is None
    tiny = load_recipe("tiny-showcase")
    monkeypatch.delenv("ARENA_TORCH_THREADS", raising=False)
    assert _torch_threads(tiny, two) == two
    assert _torch_threads(tiny, None) == max(1, os.cpu_count() or 1)  # a loaded model, not a generated tiny one
    monkeypatch.setenv("ARENA_TORCH_THREADS", "1")
    assert _torch_threads(tiny, two) == 1


def test_showcase_makes_torch_threads_wait_passively_unless_the_user_chose(tmp_path):
    """`arena showcase` (and bench_showcase, through run_showcase) sets OMP_WAIT_POLICY=PASSIVE
    before torch loads; a user's own value wins."""
    import subprocess
    import sys

    code = ("import os, sys\n"
            "import arena.showcase as s\n"
            "def fake(self):\n"
            "    print('torch' in sys.modules, os.environ.get('OMP_WAIT_POLICY'))\n"
            "    raise s.ShowcaseError('stop here')\n"
            "s.Showcase.run = fake\n"
            "from arena.cli.main import main\n"
            f"sys.exit(main(['showcase', '--out', {str(tmp_path / 'o')!r}, '--quick']))\n")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.stdout.split() == ["False", "PASSIVE"] and "stop here" in r.stderr, (r.stdout, r.stderr)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**env, "OMP_WAIT_POLICY": "ACTIVE"}, timeout=120)  # fmt: skip
    assert r.stdout.split() == ["False", "ACTIVE"], r.stdout


def test_background_thread_runs_at_lower_priority():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from arena.showcase.host import background_priority

    def nice():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    with ThreadPoolExecutor(1, initializer=background_priority) as pool:
        assert pool.submit(nice).result() == 10
    assert nice() == 0  # the calling (training) thread keeps its priority
