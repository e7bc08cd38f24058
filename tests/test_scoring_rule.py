"""The organizers' scoring rule (arena.scoring) and its use as the default of score_table.

The rule is tested from its definition (water-filled weights, Σ w·Δ, the percentile bootstrap over
paired instances with random.Random(seed).choice and rounded percentile indices); one known-answer
fixture pins the exact interval: its numbers were produced by the organizers' published
scripts/scoring.py (benchflow-ai/posttrainarena @90f6e12) on the same instances, n_boot=2000."""

import json
import random

import numpy as np
import pandas as pd
import pytest

from arena import scoring as S
from arena.scoring import Instance as I
from arena.stats import OVERALL, clustered_se, score_table
from tests.test_stats import trials

DOMS6 = ["code"] * 12 + ["math"] * 6 + ["stem"] * 4 + ["tool"] * 4 + ["chat"] * 2 + ["web"] * 2


def fixture():
    out = []
    for k, d in enumerate(DOMS6):
        ref = 1.0 if k % 3 == 0 else 0.0
        team = 1.0 if (k % 2 == 0 or d == "code") else (0.5 if k % 5 == 0 else 0.0)
        out.append(I(f"{d}-{k:02d}", d, ref, team))
    return out


def test_water_filling_clamps_in_passes_and_never_exceeds_the_cap():
    w = S.water_fill({"code": 0.4, "math": 0.2, "stem": 4 / 30, "tool": 4 / 30, "chat": 2 / 30, "web": 2 / 30}, 0.2)
    assert w == pytest.approx({"code": 0.2, "math": 0.2, "stem": 0.2, "tool": 0.2, "chat": 0.1, "web": 0.1})
    # the case a clamp-then-renormalize gets wrong: a=0.6 would come back as 1/3
    w = S.water_fill({"a": 0.6, "b": 0.1, "c": 0.1, "d": 0.1, "e": 0.1}, 0.2)
    assert all(v == pytest.approx(0.2) for v in w.values()) and sum(w.values()) == pytest.approx(1.0)
    even = S.water_fill({d: 0.125 for d in "abcdefgh"}, 0.2)
    assert all(v == pytest.approx(0.125) for v in even.values())  # eight equal domains: the cap does not bind
    with pytest.raises(ValueError, match="infeasible"):
        S.water_fill({"a": 0.5, "b": 0.3, "c": 0.2}, 0.2)


def test_capped_score_is_sum_of_weight_times_domain_delta_and_falls_back_when_infeasible():
    inst = fixture()
    cs = S.capped_score(inst, 0.2)
    dom = S.domain_table(inst)
    assert cs["score"] == pytest.approx(sum(cs["domains"][d]["capped_weight"] * dom[d]["delta"] for d in dom))
    assert cs["domains"]["code"]["clamped"] and not cs["domains"]["chat"]["clamped"]
    one = [I(f"x{i}", "code", 0.0, float(i < 5)) for i in range(10)]
    cs1 = S.capped_score(one, 0.2)
    assert cs1["cap_applied"] is False and cs1["score"] == pytest.approx(S.overall_delta(one))
    assert S.capped_score(inst, None)["score"] == pytest.approx(S.overall_delta(inst))


def test_a_one_domain_hill_climber_is_held_to_the_cap():
    big = [I(f"c{i}", "code", 0.0, 1.0) for i in range(60)]
    big += [I(f"{d}{i}", d, 0.0, 0.0) for d in ("math", "stem", "tool", "chat") for i in range(10)]
    assert S.overall_delta(big) == pytest.approx(0.6)
    assert S.capped_score(big, 0.2)["score"] == pytest.approx(0.2)


def test_exact_engine_replays_the_organizers_stream():
    inst = fixture()
    rep = S.score_team(inst, n_boot=2000, seed=0, team="fixture")
    # known answer from the organizers' script on the same instances (see the module docstring)
    assert rep["overall_delta"] == pytest.approx(0.4, abs=1e-12)
    assert rep["overall_delta_ci"] == pytest.approx([0.16666666666666663, 0.6166666666666667], abs=1e-12)
    assert rep["capped_score"] == pytest.approx(0.30833333333333335, abs=1e-12)
    assert rep["capped_score_ci"] == pytest.approx([0.008571428571428619, 0.5918181818181818], abs=1e-12)
    assert rep["overall_delta_p_gt_0"] == 0.999 and rep["cap_applied"] is True
    assert S.score_team(inst, n_boot=2000, seed=1)["capped_score_ci"] == pytest.approx(
        [0.03333333333333338, 0.5933333333333333], abs=1e-12)
    # the draws are random.Random(seed).choice(range(n)), n per resample, in order
    calls = []

    def stat(xs):
        calls.append([x.instance_id for x in xs])
        return 0.0

    S.bootstrap_exact(inst, stat, n_boot=3, seed=5)
    rng = random.Random(5)
    expect = [[inst[rng.choice(range(len(inst)))].instance_id for _ in inst] for _ in range(3)]
    assert calls[1:] == expect


def test_rounded_percentile_and_significance():
    assert S.rounded_percentile(list(range(10_000)), 0.025) == 250  # round(0.025 * 9999) = 250
    assert S.rounded_percentile([0.0, 1.0], 0.5) == 0.0  # round(0.5) = 0: Python rounds half to even
    noise = [I(f"x{i}", "d", float(i % 2), float(i % 2)) for i in range(60)]
    ci = S.bootstrap_exact(noise, S.overall_delta, n_boot=500, seed=1)
    assert ci["point"] == 0.0 and not ci["significant"] and ci["lo"] <= 0 <= ci["hi"]
    strong = [I(f"x{i}", "d", 0.0, 1.0) for i in range(50)]
    assert S.bootstrap_exact(strong, S.overall_delta, n_boot=200)["significant"]


def test_fast_engine_draws_the_organizers_stream_and_matches_the_replay():
    rng = np.random.default_rng(3)
    doms = [f"d{i % 7}" for i in range(140)]
    ref = (rng.random(140) < 0.3).astype(float)
    team = (rng.random(140) < 0.45).astype(float)
    inst = [I(f"i{k}", d, r, t) for k, (d, r, t) in enumerate(zip(doms, ref, team))]
    exact = S.score_team(inst, n_boot=4000)
    fast = S.fast_bootstrap(team[None], ref, doms, n_boot=4000)
    assert fast.score[0] == pytest.approx(exact["capped_score"], abs=1e-12)
    assert fast.ci[0] == pytest.approx(exact["capped_score_ci"], abs=1e-12)
    assert fast.p_gt_0[0] == pytest.approx(exact["capped_score_p_gt_0"], abs=1e-3)  # replicates that are 0 up to rounding
    draws = np.concatenate(list(S.organizers_draws(140, 7, seed=2, rows=3)))
    rng = random.Random(2)
    assert draws.tolist() == [[rng.choice(range(140)) for _ in range(140)] for _ in range(7)]
    # a team missing instances is resampled over its own paired instances, as the organizers pair strictly
    holey = team.copy()
    holey[:10] = np.nan
    sub = [x for k, x in enumerate(inst) if k >= 10]
    f2 = S.fast_bootstrap(np.stack([team, holey]), ref, doms, n_boot=1000)
    ex2 = S.score_team(sub, n_boot=1000)
    assert f2.score[1] == pytest.approx(ex2["capped_score"], abs=1e-12)
    assert f2.ci[1] == pytest.approx(ex2["capped_score_ci"], abs=1e-12)


def test_contract_round_trip_and_integrity(tmp_path):
    inst = fixture()
    p = S.write_contract(tmp_path / "team.json", "fixture", inst, model_team="m1")
    team, back, rest = S.read_contract(p)
    assert team == "fixture" and back == inst and rest == {"model_team": "m1"}
    doc = json.loads(p.read_text())
    assert set(doc["instances"][0]) == {"instance_id", "domain", "reward_ref", "reward_team"}
    doc["instances"][1]["instance_id"] = doc["instances"][0]["instance_id"]
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="unique"):
        S.read_contract(p)
    with pytest.raises(ValueError, match="outside"):
        S.validate([I("a", "d", 0.0, 1.5)])


def test_score_table_defaults_to_the_organizers_rule():
    doms = ["sciences"] * 40 + ["cybersecurity"] * 10 + ["finance-economics"] * 10 + ["media-multimodal"] * 10 \
        + ["software-engineering"] * 10  # fmt: skip
    q = np.full(80, 0.2)
    ref = trials(q, doms, seed=1, agent="ref")
    lift = q.copy()
    lift[:40] = 0.9  # only sciences (half the suite) improves
    teams = {"narrow": trials(lift, doms, seed=2)}
    s = score_table(teams, ref, n_resamples=500).set_index(["team", "domain"])
    d_sci = s.loc[("narrow", "sciences"), "delta"]
    over = s.loc[("narrow", OVERALL)]
    others = s.xs("narrow").drop(index=[OVERALL, "sciences"])
    expect = 0.2 * d_sci + (0.8 / 4) * others["delta"].sum()  # sciences clamped from 0.5 to 0.2
    assert over["delta"] == pytest.approx(expect, abs=1e-12)
    assert s.loc[("narrow", "sciences"), "weight"] == pytest.approx(0.2)
    assert "resamples of paired tasks" in over["interval"]
    g = score_table(teams, ref, n_resamples=500, rule="gain-share").set_index(["team", "domain"])
    assert g.loc[("narrow", OVERALL), "delta"] != pytest.approx(over["delta"])
    assert "domain-stratified" in g.loc[("narrow", OVERALL), "interval"]


def test_score_table_exact_engine_matches_score_team():
    doms = [f"d{i % 6}" for i in range(60)]
    q = np.random.default_rng(4).uniform(0.1, 0.8, 60)
    ref = trials(q, doms, seed=1, agent="ref")
    team = trials(np.clip(q + 0.1, 0, 1), doms, seed=2)
    s = score_table({"t": team}, ref, n_resamples=800, engine="organizers")
    row = s[s["domain"] == OVERALL].iloc[0]
    from arena.stats import task_values

    vals, dm = task_values({"t": team, "r": ref})
    inst = S.instances_from_values(vals["t"].tolist(), vals["r"].tolist(), dm.tolist(), list(vals.index))
    rep = S.score_team(inst, n_boot=800)
    assert row["delta"] == pytest.approx(rep["capped_score"], abs=1e-12)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(rep["capped_score_ci"], abs=1e-12)
    assert "Python replay" in row["interval"]
    fast = score_table({"t": team}, ref, n_resamples=800)
    assert fast[fast.domain == OVERALL].iloc[0][["delta", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [row["delta"], row["ci_low"], row["ci_high"]], abs=1e-12)


def test_task_clustered_se_widens_when_samples_of_a_task_agree():
    rng = np.random.default_rng(5)
    n, k = 40, 4
    rows = []
    for arm, shift in (("team", 0.15), ("ref", 0.0)):
        for i in range(n):
            p = min(1.0, rng.uniform(0.1, 0.7) + shift)
            hit = float(rng.random() < p)  # every sample of a task agrees: perfectly clustered
            rows += [{"task_id": f"t{i}", "domain": "sciences", "sample": s, "agent": arm, "reward": hit,
                      "status": "ok"} for s in range(k)]  # fmt: skip
    df = pd.DataFrame(rows)
    se = clustered_se(df[df.agent == "team"], df[df.agent == "ref"]).iloc[0]
    assert se["k"] == k and se["se"] > 1.5 * se["se_naive"]
    t = score_table({"team": df[df.agent == "team"]}, df[df.agent == "ref"], interval="clustered", n_resamples=200)
    row = t[t.domain == OVERALL].iloc[0]
    assert "task-clustered" in row["interval"]
    assert (row["ci_high"] - row["ci_low"]) / 2 == pytest.approx(1.959964 * se["se"], rel=1e-6)


# --------------------------------------------------------------------------- CLI and results folders
from arena.cli.main import main  # noqa: E402
from tests.test_score_cli import runs, score, write_run  # noqa: E402,F401  (fixture + helpers)


def test_score_cli_rule_engine_interval_and_contract_round_trip(capsys, runs, tmp_path):
    argv = [runs["sci"], "--baseline", runs["ref"], "--resamples", 600, "--json"]
    fast = json.loads(score(capsys, *argv)[1])
    exact = json.loads(score(capsys, *argv, "--bootstrap", "organizers")[1])
    gs = json.loads(score(capsys, *argv, "--rule", "gain-share")[1])
    f, e, g = (d["teams"]["scilab"] for d in (fast, exact, gs))
    assert fast["rule"] == "organizers" and "fast NumPy" in fast["interval_shown"]
    assert "Python replay" in exact["interval_shown"] and e["delta"] == pytest.approx(f["delta"], abs=1e-12)
    assert e["ci"] == pytest.approx(f["ci"], abs=1e-12)  # both engines draw the organizers' stream
    assert g["delta"] < f["delta"]  # one lifted domain of eight: the gain-share cap clips it, the weights do not
    out = tmp_path / "contracts"
    code, _, err = score(capsys, runs["sci"], runs["broad"], "--baseline", runs["ref"], "--resamples", 50,
                         "--contract-out", out)  # fmt: skip
    assert code == 0 and (out / "scilab.json").is_file() and "input contract" in err
    team, inst, rest = S.read_contract(out / "scilab.json")
    assert team == "scilab" and len(inst) == 80 and rest["model_ref"] == "ref"
    code, text, _ = score(capsys, out / "scilab.json", "--bootstrap", "organizers", "--resamples", 600, "--json")
    rep = json.loads(text)
    assert code == 0 and rep["capped_score"] == pytest.approx(round(e["delta"], 4), abs=1e-9)
    assert rep["capped_score_ci"] == pytest.approx([round(x, 4) for x in e["ci"]], abs=1e-9)
    assert set(rep) >= {"overall_delta", "overall_delta_ci", "capped_score_significant", "per_domain", "bootstrap"}
    code, text, _ = score(capsys, out / "scilab.json", "--resamples", 200)
    assert code == 0 and "scilab: score" in text and "fast" in text


def test_import_organizer_contracts_and_run_reports_into_a_results_folder(tmp_path):
    from arena.analysis import Results
    from arena.organizer_reports import import_contract, import_run_report

    rng = np.random.default_rng(7)
    doms = ["Industrial & Energy Operations", "cybersecurity", "sciences", "finance-and-economics", "software"] * 8
    ref = (rng.random(40) < 0.3).astype(float)
    for team, lift in (("alpha", 0.3), ("beta", 0.0)):
        inst = [I(f"i{k:02d}", d, r, float(rng.random() < 0.3 + lift)) for k, (d, r) in enumerate(zip(doms, ref))]
        S.write_contract(tmp_path / f"{team}.json", team, inst)
    res = tmp_path / "results"
    for team in ("alpha", "beta"):
        import_contract(tmp_path / f"{team}.json", res)
    R = Results(res, resamples=300)
    scores, board = R.scores()
    assert set(board["team"]) == {"alpha", "beta"}
    assert "industrial-energy" in set(scores["domain"])  # display-name spelling mapped to the domain id
    _, inst_a, _ = S.read_contract(tmp_path / "alpha.json")
    a = scores[(scores.team == "alpha") & (scores.domain == OVERALL)].iloc[0]
    assert a["delta"] == pytest.approx(S.capped_score(inst_a)["score"], abs=1e-12)
    # a contract scored against another reference is refused
    bad = [I(i.instance_id, i.domain, 1.0 - i.reward_ref, i.reward_team) for i in inst_a]
    S.write_contract(tmp_path / "gamma.json", "gamma", bad)
    with pytest.raises(ValueError, match="reference rewards differ"):
        import_contract(tmp_path / "gamma.json", res)
    # a pipeline run: score.json (aggregates) + eval_lift.json with per-task records
    run = tmp_path / "qwen-run" / "reports"
    run.mkdir(parents=True)
    (run / "score.json").write_text(json.dumps({"run_name": "qwen-run", "baseline_score": 0.5,
                                                "score_after_posttrain": 0.75, "delta_score": 0.25,
                                                "eval_task_ids": ["i00", "i01", "i02", "i03"]}))  # fmt: skip
    (run / "eval_lift.json").write_text(json.dumps({"pass_rate_delta": 0.25, "tasks": [
        {"task_id": f"i0{k}", "baseline_reward": float(ref[k]), "trained_reward": 1.0} for k in range(4)]}))
    rep = import_run_report(run.parent, res, domain="software-engineering")
    assert (res / "eval" / "qwen-run" / "trials.parquet").is_file() and not rep.notes
    runs_csv = R.organizer_runs()
    row = runs_csv.set_index("run").loc["qwen-run"]
    assert row["delta_score"] == 0.25 and row["n_eval_tasks"] == 4 and row["lift_pass_rate_delta"] == 0.25
    (run / "eval_lift.json").write_text(json.dumps({"pass_rate_delta": 0.1}))
    rep = import_run_report(run.parent, res, name="headline-only")
    assert rep.notes and "only its headline numbers" in rep.notes[0]
    assert not (res / "eval" / "headline-only").exists()
    assert main(["import", "organizers", str(tmp_path / "beta.json"), "--results", str(res)]) == 0
