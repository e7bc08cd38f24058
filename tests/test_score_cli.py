"""arena.runs + `arena score` / `arena report`: run folders, the JSON contract, ties, exit codes,
determinism, files written."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from arena.cli.main import main
from arena.domains import DOMAIN_IDS
from arena.runfolder import suite_digest
from arena.runs import (
    RunError,
    RunPathError,
    check_suite,
    load_comparison,
    load_run,
    load_runs,
    read_meta,
)

D = list(DOMAIN_IDS)
PER, K = 10, 4
DOMS = np.repeat(D, PER)
Q = np.random.default_rng(0).uniform(0.15, 0.55, DOMS.size)


def trials(lift, seed, ids=None):
    rng = np.random.default_rng(seed)
    p = np.clip(Q + lift, 0, 1)
    reward = (rng.random((p.size, K)) < p[:, None]).astype(float).ravel()
    ids = ids if ids is not None else [f"t{i:03d}" for i in range(p.size)]
    return pd.DataFrame({"task_id": np.repeat(ids, K), "task_digest": np.repeat([f"d-{t}" for t in ids], K),
                         "domain": np.repeat(DOMS, K), "sample": np.tile(np.arange(K), p.size),
                         "agent": "m", "reward": reward, "status": "ok"})  # fmt: skip


def write_run(root, name, df, **meta):
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    df.to_parquet(d / "trials.parquet", index=False)
    if meta:
        (d / "run.json").write_text(json.dumps(meta))
    return d


@pytest.fixture
def runs(tmp_path):
    """ref (baseline), broad (+0.30 everywhere), sci (+0.45 on sciences), null1/null2 (no effect)."""
    r = tmp_path / "runs"
    return {
        "ref": write_run(r, "ref", trials(0.0, 0)),
        "broad": write_run(r, "broad", trials(0.3, 1), train_domains="+".join(D)),
        "sci": write_run(
            r,
            "sci",
            trials(np.where(DOMS == "sciences", 0.45, 0.0), 2),
            team="scilab",
            train_domains=["science"],
            family="unit-convert",
            seed=3,
        ),  # fmt: skip
        "null1": write_run(r, "null1", trials(0.0, 3)),
        "null2": write_run(r, "null2", trials(0.0, 4)),
    }


def score(capsys, *argv):
    code = main(["score", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- run folders ----------------------------------------------------------------------------------


def test_load_run_names_metadata_and_journal(tmp_path, runs):
    r = load_run(runs["sci"])
    assert (r.name, r.name_source) == ("scilab", "metadata")
    assert (
        r.meta["train_domains"] == ["sciences"] and r.meta["seed"] == 3 and r.meta["family"] == "unit-convert"
    )
    assert load_run(f"mine={runs['sci']}").name == "mine"  # NAME=PATH wins over metadata
    assert (
        load_run(runs["sci"] / "trials.parquet").path == runs["sci"]
    )  # a path to the table names its folder
    # a model card: seeds.recipe -> seed, corpus.by_domain -> train_domains; run.json overrides it
    (runs["null1"] / "model_card.json").write_text(
        json.dumps(
            {
                "recipe_digest": "abc",
                "seeds": {"recipe": 7},
                "corpus": {"by_domain": {"cybersecurity": 5, "swe": 0}},
            }
        )
    )
    assert read_meta(runs["null1"]) == {"recipe_digest": "abc", "seed": 7, "train_domains": ["cybersecurity"]}
    (runs["null1"] / "run.json").write_text(json.dumps({"seed": "9", "train_domains": "finance+science"}))
    assert read_meta(runs["null1"])["seed"] == 9
    assert read_meta(runs["null1"])["train_domains"] == ["sciences", "finance-economics"]
    # what `arena eval` writes: null team (folder name then), "unknown" among the corpus domains
    (runs["null1"] / "run.json").write_text(json.dumps({"kind": "eval", "team": None, "suite_digest": "s1",
                                                        "train_domains": ["unknown", "swe"], "seed": 0}))  # fmt: skip
    r = load_run(runs["null1"])
    assert (
        r.name == "null1"
        and r.meta["train_domains"] == ["software-engineering"]
        and r.meta["suite_digest"] == "s1"
    )
    (runs["null1"] / "run.json").write_text(json.dumps({"train_domains": ["astrology"]}))
    with pytest.raises(RunError, match="unknown domain 'astrology'"):
        read_meta(runs["null1"])
    # an unflushed journal (with a torn last line) is merged read-only; aliases map to domain ids
    j = tmp_path / "journal-only"
    j.mkdir()
    rows = [{"task_id": "a", "domain": "natural-science", "agent": "m", "sample": s, "reward": 1.0, "status": "ok"}
            for s in range(3)]  # fmt: skip
    j.joinpath("trials.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in rows) + '{"task_id": "a", "dom'
    )
    before = sorted(p.name for p in j.iterdir())
    r = load_run(j)
    assert len(r.trials) == 3 and set(r.trials["domain"]) == {"sciences"}
    assert any("torn" in n for n in r.notes) and sorted(p.name for p in j.iterdir()) == before


def test_load_run_errors_say_what_to_fix(tmp_path, runs):
    with pytest.raises(RunPathError, match="no such folder"):
        load_run(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunPathError, match="not a run folder"):
        load_run(tmp_path / "empty")
    write_run(tmp_path, "bad", trials(0.0, 0).drop(columns="status"))
    with pytest.raises(RunError, match=r"lack column\(s\) \['status'\]"):
        load_run(tmp_path / "bad")
    two = pd.concat([trials(0.0, 0), trials(0.0, 1).assign(agent="oracle")])
    write_run(tmp_path, "two", two)
    with pytest.raises(RunError, match="several agents.*--agent"):
        load_run(tmp_path / "two")
    assert len(load_run(tmp_path / "two", agent="oracle").trials) == len(two) // 2


def test_names_are_made_unique_by_folder(tmp_path):
    a = write_run(tmp_path / "polymath", "eval", trials(0.0, 1))
    b = write_run(tmp_path / "hasty", "eval", trials(0.0, 2))
    assert [r.name for r in load_runs([a, b])] == ["polymath/eval", "hasty/eval"]
    c = write_run(tmp_path, "s1", trials(0.0, 3), team="poly")
    d = write_run(tmp_path, "s2", trials(0.0, 4), team="poly")
    assert [r.name for r in load_runs([c, d])] == ["poly [s1]", "poly [s2]"]
    with pytest.raises(RunError, match="distinct NAME=PATH"):
        load_runs([f"x={c}", f"x={d}"])


def test_suite_check_errors_and_warnings(tmp_path, runs):
    base = load_run(runs["ref"])
    other = load_run(write_run(tmp_path, "other", trials(0.0, 5, ids=[f"x{i}" for i in range(DOMS.size)])))
    changed_df = trials(0.0, 6)
    changed_df.loc[changed_df["task_id"] == "t003", "task_digest"] = "edited"
    changed = load_run(write_run(tmp_path, "changed", changed_df))
    nosci = load_run(write_run(tmp_path, "nosci", trials(0.0, 7).query("domain != 'sciences'")))
    partial = load_run(
        write_run(tmp_path, "partial", trials(0.0, 8).query("task_id not in ['t001', 't002']"))
    )
    dead = load_run(write_run(tmp_path, "dead", trials(0.0, 9).assign(reward=None, status="infra_error")))
    check = check_suite([other, changed, nosci, partial, dead], base)
    assert not check.ok
    text = "\n".join(check.errors)
    assert "other (" in text and "shares no task with the baseline ref" in text
    assert "changed: 1 task(s) differ in content" in text and "t003" in text
    assert "nosci has no task of domain(s) ['sciences']" in text
    assert "dead" in text and "none of its" in text
    assert not any(e.startswith("partial") for e in check.errors)
    assert any(w.startswith("partial lacks 2 of the baseline's 80 tasks") for w in check.warnings)
    t = check.table.set_index("run")
    assert (
        t.loc["partial", "n_missing"] == 2
        and t.loc["changed", "n_changed"] == 1
        and t.loc["other", "n_shared"] == 0
    )
    assert t.loc["ref", "suite_digest"] != t.loc["partial", "suite_digest"]
    tasks = load_run(runs["null1"]).tasks
    assert t.loc["ref", "suite_digest"] == suite_digest(
        zip(tasks["task_id"], tasks["task_digest"])
    )  # same tasks, same digest
    with pytest.raises(RunError, match="not usable together"):
        load_comparison([runs["broad"], tmp_path / "other"], runs["ref"])


def test_load_comparison_baseline_by_name_or_path(runs):
    cmp = load_comparison([runs["broad"], runs["ref"]], "ref")
    assert [r.name for r in cmp.teams] == ["broad"] and cmp.baseline.name == "ref"
    cmp = load_comparison([runs["broad"], runs["ref"]], runs["ref"])  # listed twice: not a team
    assert [r.name for r in cmp.teams] == ["broad"]
    m = cmp.meta_frame().set_index("run")
    assert m.loc["broad", "train_domains"] == "+".join(D) and m.loc["ref", "train_domains"] == ""
    with pytest.raises(RunPathError, match="neither a run folder nor the name"):
        load_comparison([runs["broad"]], "reference")
    with pytest.raises(RunPathError, match="no team run"):
        load_comparison([runs["ref"]], runs["ref"])


# -- arena score --------------------------------------------------------------------------------------


def test_score_json_contract_planted_effect_and_ties(capsys, runs):
    code, out, _ = score(capsys, runs["broad"], runs["sci"], runs["null1"], runs["null2"], "--baseline", runs["ref"],
                         "--json", "--resamples", 2000)  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert (
        doc["baseline"] == "ref"
        and doc["metric"] == "pass"
        and doc["cap"] == 0.2
        and doc["resamples"] == 2000
    )
    assert doc["suite"]["n_tasks"] == 80 and list(doc["suite"]["domains"]) == D
    teams = doc["teams"]
    assert list(teams)[0] == "broad" and set(teams) == {"broad", "scilab", "null1", "null2"}
    for t in teams.values():
        assert set(t) >= {"delta", "ci", "per_domain", "rank", "tie_group", "rank_label", "mde", "n_tasks"}
        assert len(t["ci"]) == 2 and t["ci"][0] <= t["delta"] <= t["ci"][1]
        assert list(t["per_domain"]) == D
        assert all(
            set(c) == {"delta", "ci", "n_tasks", "mde"} and len(c["ci"]) == 2
            for c in t["per_domain"].values()
        )
    b = teams["broad"]
    assert b["rank"] == 1 and b["tie_group"] == 1 and b["ci"][0] > 0.15  # planted +0.30 (capped slightly)
    assert teams["scilab"]["per_domain"]["sciences"]["ci"][0] > 0.2  # planted +0.45 on sciences
    n1, n2 = teams["null1"], teams["null2"]
    assert n1["ci"][0] < 0 < n1["ci"][1]  # no effect: the CI covers 0
    assert n1["tie_group"] == n2["tie_group"] and n1["rank"] == n2["rank"] and n1["rank_label"].endswith("=")
    assert doc["warnings"] == []


def test_score_human_table(capsys, runs):
    code, out, _ = score(capsys, runs["broad"], runs["null1"], runs["null2"], "--baseline", runs["ref"],
                         "--resamples", 500)  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Δ pass rate vs baseline ref: 80 held-out tasks in 8 domains")
    assert any(line.startswith("rank  team") and "95% CI" in line and "MDE" in line for line in lines)
    assert any(line.startswith("1     broad") for line in lines)
    assert sum(line.startswith("2=") for line in lines) == 2
    assert "per-domain Δ (pp; * = 95% CI excludes 0):" in out and "Sci = Sciences" in out
    assert "their order is not significant" in out


def test_score_is_deterministic_in_seed_and_options_matter(capsys, runs):
    argv = [runs["broad"], runs["null1"], "--baseline", runs["ref"], "--json", "--resamples", 500]
    a = json.loads(score(capsys, *argv)[1])
    b = json.loads(score(capsys, *argv)[1])
    c = json.loads(score(capsys, *argv, "--seed", 1)[1])
    assert a == b and a["teams"]["broad"]["ci"] != c["teams"]["broad"]["ci"]
    assert (
        a["teams"]["broad"]["delta"] == c["teams"]["broad"]["delta"]
    )  # the point estimate has no randomness
    nocap = json.loads(score(capsys, *argv, "--cap", 0)[1])
    assert nocap["cap"] is None and nocap["teams"]["broad"]["delta"] >= a["teams"]["broad"]["delta"]
    rew = json.loads(score(capsys, *argv, "--metric", "reward")[1])
    assert rew["metric"] == "reward"  # 0/1 rewards: the same numbers as pass
    assert rew["teams"]["broad"]["delta"] == pytest.approx(a["teams"]["broad"]["delta"])


def test_score_out_writes_tables(capsys, runs, tmp_path):
    out = tmp_path / "score"
    code, _, _ = score(capsys, runs["broad"], "--baseline", runs["ref"], "--resamples", 200, "--out", out)
    assert code == 0
    for name in ("scores", "leaderboard"):
        for ext in ("csv", "parquet", "json"):
            assert (out / f"{name}.{ext}").is_file()
    assert pd.read_parquet(out / "scores.parquet").shape[0] == 9  # overall + 8 domains
    assert json.loads((out / "score.json").read_text())["teams"]["broad"]["rank"] == 1


def test_score_exit_codes(capsys, runs, tmp_path):
    other = write_run(tmp_path, "other", trials(0.0, 5, ids=[f"x{i}" for i in range(DOMS.size)]))
    code, out, err = score(capsys, runs["broad"], other, "--baseline", runs["ref"])
    assert code == 1 and out == "" and "shares no task with the baseline" in err
    code, _, err = score(capsys, tmp_path / "missing", "--baseline", runs["ref"])
    assert code == 2 and "no such folder" in err
    code, _, err = score(capsys, runs["broad"], "--baseline", "nobody")
    assert code == 2 and "--baseline nobody" in err
    code, _, err = score(capsys, runs["broad"], "--baseline", runs["ref"], "--cap", 3)
    assert code == 2 and "--cap must be between 0" in err
    code, _, err = score(capsys, runs["broad"], "--baseline", runs["ref"], "--confidence", 95)
    assert code == 2 and "--confidence" in err
    with pytest.raises(SystemExit) as exc:  # argparse: missing --baseline, bad --metric
        main(["score", str(runs["broad"])])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["score", str(runs["broad"]), "--baseline", str(runs["ref"]), "--metric", "accuracy"])
    assert exc.value.code == 2


def test_help_has_examples(capsys):
    for cmd in ("score", "report"):
        with pytest.raises(SystemExit) as exc:
            main([cmd, "--help"])
        assert exc.value.code == 0
        text = capsys.readouterr().out
        assert "examples:" in text and f"arena {cmd} " in text and "exit:" in text


# -- arena report ----------------------------------------------------------------------------------------


@pytest.fixture
def corpora(make_task):
    npv = ("Compute the net present value of the warehouse automation project from the cash flows in "
           "numbers.txt and write it rounded to two decimals to answer.txt; the discount rate is {} percent")  # fmt: skip
    make_task("teams/scilab/p1", prompt=npv.format("eight"))
    make_task("teams/scilab/p2", prompt="Count the sensors whose readings exceed the alarm limit today")
    held = make_task("heldout/h1", prompt=npv.format("nine")).parent
    return held.parent / "teams" / "scilab", held


def test_report_writes_tables_figures_and_is_deterministic(capsys, runs, tmp_path, corpora):
    pytest.importorskip("matplotlib")
    pytest.importorskip("datasketch")
    meta = tmp_path / "meta.csv"
    meta.write_text("run,train_domains,family\nnull1,cybersecurity,web-attack-type\nghost,sciences,\n")
    corpus, held = corpora
    flags = tmp_path / "flags.csv"
    flags.write_text("team,flag,detail\nnull2,oracle fails,2 tasks\n")
    argv = ["report", *map(str, (runs["broad"], runs["sci"], runs["null1"], runs["null2"])), "--baseline",
            str(runs["ref"]), "--resamples", "300", "--transfer-meta", str(meta), "--corpus", str(corpus),
            "--heldout", str(held), "--flags", str(flags), "--band", "0.1", "0.9"]  # fmt: skip
    out1, out2 = tmp_path / "r1", tmp_path / "r2"
    assert main([*argv, "--out", str(out1)]) == 0
    printed = capsys.readouterr()
    assert "report: " in printed.out and "ghost" in printed.err  # unmatched meta row: a warning
    assert main([*argv, "--out", str(out2), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    tables = {"scores", "leaderboard", "suite", "runs", "transfer", "transfer_summary", "family", "learnability",
              "learnability_profile", "contamination", "award_ranking", "award_domain_leaders", "award_families",
              "award_flags", "caveats"}  # fmt: skip
    assert set(manifest["tables"]) == tables
    figures = {"forest", "domain_bars", "transfer_heatmap", "family_heatmap", "learnability", "contamination"}
    assert set(manifest["figures"]) == figures
    for name in tables:
        for ext in ("csv", "parquet", "json"):
            assert (out1 / "tables" / f"{name}.{ext}").is_file()
    for name in figures:
        assert (out1 / "figures" / f"{name}.png").stat().st_size > 1000
        assert (out1 / "figures" / f"{name}.svg").is_file()
    # same inputs and seed: identical files, byte for byte
    files = sorted(p.relative_to(out1) for p in out1.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out2) for p in out2.rglob("*") if p.is_file())
    assert all((out1 / f).read_bytes() == (out2 / f).read_bytes() for f in files)
    # contents: transfer rows from run.json (broad, scilab) and the meta file (null1); flags attach to teams
    tr = pd.read_csv(out1 / "tables" / "transfer.csv")
    assert set(tr["train_domain"]) == {"+".join(D), "sciences", "cybersecurity"}
    fl = pd.read_csv(out1 / "tables" / "award_flags.csv")
    assert set(fl["team"]) == {"scilab", "null2"} and "heldout_overlap" in set(fl["kind"])
    md = (out1 / "report.md").read_text()
    assert md.startswith("# Evaluation report: Δ pass rate vs baseline `ref`")
    assert "![forest plot](figures/forest.png)" in md and "## Caveats" in md and "Bonferroni" in md
    assert "scilab carries flags" in md
    lp = pd.read_csv(out1 / "tables" / "learnability_profile.csv")
    assert lp["domain"].tolist() == [*D, "overall"]


def test_report_without_matplotlib_says_how_to_install(capsys, runs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert (
        main(["report", str(runs["broad"]), "--baseline", str(runs["ref"]), "--out", str(tmp_path / "r")])
        == 1
    )
    assert "pip install 'arena[notebooks]'" in capsys.readouterr().err


def test_report_usage_and_unusable(capsys, runs, tmp_path):
    pytest.importorskip("matplotlib")
    base = ["report", str(runs["broad"]), "--baseline", str(runs["ref"]), "--out", str(tmp_path / "r")]
    assert main([*base, "--heldout", str(tmp_path)]) == 2
    assert "--heldout needs at least one --corpus" in capsys.readouterr().err
    assert main([*base, "--corpus", str(tmp_path / "nope")]) == 2
    assert "no such corpus folder" in capsys.readouterr().err
    assert main([*base, "--band", "0.9", "0.1"]) == 2
    assert main([*base, "--transfer-meta", str(tmp_path / "none.csv")]) == 2
    other = write_run(tmp_path, "other", trials(0.0, 5, ids=[f"x{i}" for i in range(DOMS.size)]))
    assert main(["report", str(other), "--baseline", str(runs["ref"]), "--out", str(tmp_path / "r")]) == 1
    assert not (tmp_path / "r").exists()  # nothing written for unusable runs


def test_report_library_returns_a_typed_result_and_raises_a_typed_error(runs, tmp_path):
    """What `arena report` prints comes from build_report's result; its failures are ReportErrors
    (usage: the caller's option names something unusable, the CLI's exit 2)."""
    pytest.importorskip("matplotlib")
    from arena.report import ReportError, ReportOptions, build_report

    opts = ReportOptions(runs=[str(runs["broad"])], baseline=str(runs["ref"]), out=tmp_path / "r", resamples=200)
    res = build_report(opts)
    assert set(res.tables) >= {"scores", "leaderboard", "award_flags"} and "forest" in res.figures
    assert res.caveats == json.loads((tmp_path / "r" / "report.json").read_text())["caveats"]
    assert res.scores.equals(pd.read_parquet(tmp_path / "r" / "tables" / "scores.parquet"))
    assert res.summary_lines()[0].startswith(f"report: {tmp_path / 'r'}/report.md (")
    with pytest.raises(ReportError, match="no such corpus folder") as e:
        build_report(ReportOptions(**{**opts.__dict__, "corpus": [str(tmp_path / "nope")]}))
    assert e.value.usage
    other = write_run(tmp_path, "other2", trials(0.0, 5, ids=[f"x{i}" for i in range(DOMS.size)]))
    with pytest.raises(ReportError) as e:
        build_report(ReportOptions(runs=[str(other)], baseline=str(runs["ref"]), out=tmp_path / "r2"))
    assert not e.value.usage and not (tmp_path / "r2").exists()
