"""The memorization probe in the evaluation flow: the fresh set, `arena probe`'s run folders (a
planted memorizing engine through real sandboxed trials), the report section and the award flag."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from arena import families
from arena.cli.main import main
from arena.corpus import load_tasks
from arena.engines import Completion, Engine
from arena.memorization import memorization_flags, memorization_table
from arena.probe import ProbeError, fresh_instances, load_probe, run_probe
from tests.conftest import write_task
from tests.results_fixture import PROBE, make_results

REPO = Path(__file__).resolve().parent.parent
PARROT = REPO / "environments" / "teams" / "parrot"


def _meta(t):
    return t.spec.metadata.family, t.spec.metadata.difficulty


# -- the fresh set ---------------------------------------------------------------------------------


def test_fresh_instances_mirror_the_corpus_without_repeating_it():
    corpus, _ = load_tasks([PARROT])
    gens, info = fresh_instances(PARROT)
    assert Counter((g.family.name, g.difficulty) for g in gens) == Counter(_meta(t) for t in corpus)
    assert info == {"tasks": 56, "by_family": {f: 14 for f in ("code-output", "invoice-total", "metric-argmax",
                                                               "unit-convert")}, "skipped": {}}  # fmt: skip
    assert not {g.prompt for g in gens} & {t.spec.prompt for t in corpus}
    assert len({g.prompt for g in gens}) == len(gens)  # 56 distinct instances where parrot holds 8
    assert {g.split for g in gens} == {"train"}  # the training templates and pools
    held = {e for f in families.FAMILIES.values() for p in f.pools.values() for e in p.heldout}
    assert not {e for g in gens for e in g.instance.entities} & held
    # deterministic for a seed, another seed gives other instances; per_task scales the set
    assert [g.prompt for g in fresh_instances(PARROT)[0]] == [g.prompt for g in gens]
    other = {g.prompt for g in fresh_instances(PARROT, seed=1)[0]}
    assert len(other & {g.prompt for g in gens}) < len(gens) // 4
    assert len(fresh_instances(PARROT, per_task=2)[0]) == 112


def test_fresh_instances_skip_hand_written_tasks(tmp_path):
    for g in families.instances("unit-convert", 2, seed=3):
        families.base.write_generated(g, tmp_path / "c")
    write_task(tmp_path / "c" / "hand-written")
    gens, info = fresh_instances(tmp_path / "c")
    assert len(gens) == 2 and info["skipped"] == {"family unknown to arena.families (hand-written task)": 1}
    only = tmp_path / "only"
    write_task(only / "t")
    with pytest.raises(ProbeError, match="names a family"):
        fresh_instances(only)
    with pytest.raises(ProbeError, match="no loadable task"):
        fresh_instances(tmp_path / "missing")


# -- arena probe through real trials -----------------------------------------------------------------


class Memorizer(Engine):
    """Answers the prompts it was 'trained' on (and the ones it is told) correctly, everything else with 0."""

    name = "memorizer"

    def __init__(self, known: dict[str, str]):
        self.known = known

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        return [Completion(self.known.get(c[-1]["content"], "0")) for c in conversations for _ in range(n)]


def _answers(root: Path) -> dict[str, str]:
    tasks, _ = load_tasks([root])
    return {
        t.spec.prompt: json.loads((t.root / "verifier" / "expected.json").read_text())["answer"]
        for t in tasks
    }


@pytest.mark.bwrap
def test_probe_of_a_planted_memorizer(tmp_path, local_runtime):
    corpus, suite = tmp_path / "corpus", tmp_path / "suite"
    for fam in ("unit-convert", "code-output"):
        for g in families.instances(fam, 2, seed=7, difficulty="easy"):
            families.base.write_generated(g, corpus)
        for g in families.instances(fam, 2, seed=7, difficulty="easy", split="heldout"):
            families.base.write_generated(g, suite)
    out = tmp_path / "probe"
    # pass 1 builds the fresh set; the planted engine then knows the corpus, 1 of the 4 fresh tasks
    # and 2 of the 4 held-out tasks (and answers "0" to the rest, which no instance here expects)
    gens, _ = fresh_instances(corpus)
    fresh_known = {gens[0].prompt: gens[0].answer}
    held = _answers(suite)
    held_known = dict(sorted(held.items())[:2])
    assert "0" not in {g.answer for g in gens} | set(held.values()) | set(_answers(corpus).values())
    engine = Memorizer({**_answers(corpus), **fresh_known, **held_known})
    doc = run_probe("memorizer-model", corpus, out, suite=suite, team="parrot", runtime=local_runtime,
                    engine_obj=engine, progress=False, workers=2)  # fmt: skip
    assert doc["summary"]["train"]["pass_rate"] == 1.0
    assert doc["summary"]["fresh"]["pass_rate"] == 0.25 and doc["summary"]["heldout"]["pass_rate"] == 0.5
    assert {p.name for p in out.iterdir()} == {"probe.json", "fresh-suite", "train", "fresh", "heldout"}
    rows = load_probe(out)
    assert set(rows["team"]) == {"parrot"} and Counter(rows["split"]) == {
        "train": 4,
        "fresh": 4,
        "heldout": 4,
    }
    t = memorization_table(rows, n_resamples=300).set_index("domain")
    assert t.loc["overall", "memorization_gap"] == pytest.approx(0.75)
    assert t.loc["overall", "train_heldout_gap"] == pytest.approx(0.5)
    # a rerun resumes (no new trial), another seed in the same folder is refused
    before = len(pd.read_parquet(out / "train" / "trials.parquet"))
    run_probe("memorizer-model", corpus, out, suite=suite, team="parrot", runtime=local_runtime, engine_obj=engine,
              progress=False)  # fmt: skip
    assert len(pd.read_parquet(out / "train" / "trials.parquet")) == before
    with pytest.raises(ProbeError, match="another corpus or seed"):
        run_probe(
            "memorizer-model", corpus, out, suite=suite, seed=3, runtime=local_runtime, engine_obj=engine
        )


def test_cli_help_teaches_and_errors_are_clear(capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["probe", "--help"])
    text = capsys.readouterr().out
    for word in (
        "own training tasks",
        "fresh instances",
        "held-out",
        "memorization gap",
        "--probe",
        "resumes",
    ):
        assert word in text, word
    assert main(["probe", "m", "--corpus", "c", "--out", str(tmp_path / "p"), "--per-task", "0"]) == 2


# -- the report and the award on planted run folders (tests/results_fixture.py) ----------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("results"))


def _heldout_rate(results: Path, team: str) -> float:
    t = pd.read_parquet(results / "eval" / team / "trials.parquet")
    return float((t["reward"] >= 1.0).groupby(t["task_id"]).mean().mean())


def test_load_probe_takes_the_scored_run_as_heldout(results):
    rows = load_probe(results / "probe" / "parrot", heldout_run=results / "eval" / "parrot")
    t = memorization_table(rows, n_resamples=500).set_index(["team", "domain"])
    doms, n, train, fresh = PROBE["parrot"]
    ov = t.loc[("parrot", "overall")]
    assert (ov["n_train"], ov["n_fresh"], ov["n_heldout"]) == (len(doms) * n, len(doms) * n, 128)
    assert ov["pass_train"] == pytest.approx(train / n) and ov["pass_fresh"] == pytest.approx(fresh / n)
    assert ov["pass_heldout"] == pytest.approx(_heldout_rate(results, "parrot"))
    # without a held-out set the gaps to it are n/a, not an error
    alone = memorization_table(load_probe(results / "probe" / "parrot"), n_resamples=100)
    assert alone["train_heldout_gap"].isna().all() and alone["memorization_gap"].notna().all()
    with pytest.raises(ProbeError, match="no such probe folder"):
        load_probe(results / "probe" / "nobody")


def test_award_flags_the_memorizer_only(results):
    from arena.analysis import Results

    R = Results(results, resamples=2000)
    scores, _ = R.scores()
    table = R.memorization()
    flags = memorization_flags(table, scores)
    assert flags["team"].tolist() == ["parrot"] and "held-out Δ" in flags["detail"].iloc[0]
    award = R.award(scores)
    assert "memorization" in set(award.flags.loc[award.flags["team"] == "parrot", "kind"])
    assert not (award.flags["team"] == "polymath").any()
    assert any(
        c.startswith("parrot carries flags") and "teaches its own instances" in c for c in award.caveats
    )
    # the flag can fail: with a held-out gain (CI above 0) the same gap is no flag, nor is a small gap
    lifted = scores.assign(ci_low=lambda d: d["ci_low"].where(d["team"] != "parrot", 0.01))
    assert memorization_flags(table, lifted).empty
    assert memorization_flags(table, scores, gap=0.9).empty


def test_report_has_the_memorization_table_figure_and_flag(results, tmp_path, capsys):
    out = tmp_path / "rep"
    ev = results / "eval"
    argv = ["report", *(str(ev / t) for t in ("bluefence", "polymath", "parrot")), "--baseline", str(ev / "baseline"),
            "--out", str(out), "--resamples", "500", "--probe", str(results / "probe" / "parrot"),
            f"polymath={results / 'probe' / 'polymath'}"]  # fmt: skip
    assert main(argv) == 0
    manifest = json.loads((out / "report.json").read_text())
    assert "memorization" in manifest["tables"] and "memorization" in manifest["figures"]
    table = pd.read_csv(out / "tables" / "memorization.csv")
    ov = table[table["domain"] == "overall"].set_index("team")
    assert ov.loc["parrot", "pass_train"] == pytest.approx(13 / 14)
    assert ov.loc["polymath", "pass_heldout"] == pytest.approx(_heldout_rate(results, "polymath"))
    md = (out / "report.md").read_text()
    assert (
        "## Memorization probe" in md and "figures/memorization.png" in md and "| parrot ⚑ | Overall |" in md
    )
    flags = pd.read_csv(out / "tables" / "award_flags.csv")
    assert flags[flags["kind"] == "memorization"]["team"].tolist() == ["parrot"]
    # a missing probe folder is a usage error naming it
    assert main([*argv[:-2], str(tmp_path / "nope")]) == 2
    assert "nope" in capsys.readouterr().err
