"""arena.stats: pass@k, counting rules, the paired stratified bootstrap, cap, MDE, leaderboard."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest

from arena.domains import DOMAIN_IDS
from arena.stats import (
    OVERALL,
    leaderboard,
    minimum_detectable_effect,
    paired_bootstrap,
    pass_at_k,
    score_table,
    task_table,
    tie_groups,
)
from arena.stats import domain_table as domain_tbl

DOMS4 = list(DOMAIN_IDS[:4])


def trials(probs, domains, k=8, seed=0, agent="m"):
    """A trial table: task i has k samples passing with probability probs[i]."""
    rng = np.random.default_rng(seed)
    n = len(probs)
    reward = (rng.random((n, k)) < np.asarray(probs)[:, None]).astype(float).ravel()
    return pd.DataFrame({"task_id": np.repeat([f"t{i:03d}" for i in range(n)], k),
                         "domain": np.repeat(domains, k), "sample": np.tile(np.arange(k), n),
                         "agent": agent, "reward": reward, "status": "ok"})  # fmt: skip


# -- pass@k -------------------------------------------------------------------------------------


def test_pass_at_k_matches_the_binomial_formula_and_closed_forms():
    for n in range(1, 12):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-12)
    n = np.array([10, 10, 10, 7, 200])
    c = np.array([0, 10, 3, 7, 1])
    assert pass_at_k(n, c, 1) == pytest.approx(c / n)
    assert pass_at_k(n, c, 5)[[0, 1, 3]] == pytest.approx([0.0, 1.0, 1.0])
    # hand-computed: n=10, c=3, k=2 -> 1 - C(7,2)/C(10,2) = 1 - 21/45
    assert pass_at_k(10, 3, 2) == pytest.approx(24 / 45)
    # large n stays finite and exact-ish: 1 - (199/200)... product form, c=1 -> k/n
    assert pass_at_k(200, 1, 50) == pytest.approx(50 / 200)
    assert np.isnan(pass_at_k(3, 1, 4))
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


# -- counting rules ---------------------------------------------------------------------------


def test_null_rewards_and_errors_are_excluded_not_counted_as_zero():
    df = pd.DataFrame({
        "task_id": ["a"] * 6 + ["b"] * 2, "domain": "sciences", "sample": [0, 1, 2, 3, 4, 5, 0, 1], "agent": "m",
        "reward": [1.0, None, 0.0, None, 0.0, 0.5, None, None],
        "status": ["ok", "infra_error", "ok", "verifier_error", "verifier_error", "timeout",
                   "infra_error", "infra_error"],
    })  # fmt: skip
    t = task_table(df, ks=(1, 2)).set_index("task_id")
    # counted for a: 1.0 (ok), 0.0 (ok), 0.5 (timeout keeps its reward); the verifier_error's 0 is dropped
    assert (t.loc["a", "n"], t.loc["a", "c"], t.loc["a", "n_excluded"]) == (3, 1, 3)
    assert t.loc["a", "pass_rate"] == pytest.approx(1 / 3)
    assert t.loc["a", "mean_reward"] == pytest.approx(0.5)
    assert t.loc["a", "pass@2"] == pytest.approx(1 - comb(2, 2) / comb(3, 2))
    assert t.loc["b", "n"] == 0 and np.isnan(t.loc["b", "pass_rate"])  # no data, not a failure
    # threshold: partial credit 0.5 passes at threshold 0.5
    assert task_table(df, threshold=0.5).set_index("task_id").loc["a", "c"] == 2
    d = domain_tbl(df).set_index("domain")
    assert d.loc["sciences", "n_tasks"] == 1 and d.loc["sciences", "n_excluded"] == 5


def test_several_agents_must_be_selected():
    df = pd.concat([trials([0.5], ["sciences"], agent="x"), trials([0.5], ["sciences"], agent="y")])
    with pytest.raises(ValueError, match="agent"):
        task_table(df)
    assert task_table(df, agent="x")["n"].tolist() == [8]


def test_domain_table_overall_weighs_domains_equally_or_tasks():
    df = trials([1, 1, 1, 0], ["sciences", "sciences", "sciences", "cybersecurity"])
    d = domain_tbl(df).set_index("domain")
    assert d.loc[OVERALL, "pass_rate"] == pytest.approx(0.5)
    assert domain_tbl(df, weighting="task").set_index("domain").loc[OVERALL, "pass_rate"] == pytest.approx(0.75)


# -- bootstrap --------------------------------------------------------------------------------


def test_one_domain_bootstrap_is_scipys_paired_percentile_bootstrap():
    ss = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    team, ref = rng.binomial(8, 0.6, 40) / 8, rng.binomial(8, 0.5, 40) / 8
    ours = paired_bootstrap(team - ref, ["x"] * 40, n_resamples=2000, seed=7)
    r = ss.bootstrap((team, ref), lambda a, b, axis: (a - b).mean(axis=axis), paired=True, vectorized=True,
                     n_resamples=2000, method="percentile", rng=np.random.default_rng(7))  # fmt: skip
    assert ours.ci[0] == pytest.approx([r.confidence_interval.low, r.confidence_interval.high], abs=1e-12)
    assert ours.delta[0] == pytest.approx((team - ref).mean())


def test_resampling_is_stratified_by_domain():
    # domain A's tasks all differ by 1, domain B's by 0: with task weights, any resample that kept
    # the domain sizes gives exactly 10/30; an unstratified resample would wander
    diff = np.r_[np.ones(10), np.zeros(20)]
    bs = paired_bootstrap(diff, ["a"] * 10 + ["b"] * 20, n_resamples=500, weighting="task")
    assert np.allclose(bs.replicates, 1 / 3) and np.allclose(bs.ci, 1 / 3)
    eq = paired_bootstrap(diff, ["a"] * 10 + ["b"] * 20, n_resamples=500)
    assert eq.delta[0] == pytest.approx(0.5)  # equal domain weights: (1 + 0) / 2


def test_percentile_ci_covers_the_true_delta_about_95_percent_of_the_time():
    # 1,000 independent paired experiments (4 domains x 50 tasks, 8 samples per task), run as
    # 1,000 rows of one call: true per-domain effects known exactly (no clipping of probabilities)
    rng = np.random.default_rng(11)
    n_exp, per, k = 1000, 50, 8
    effect = np.array([0.00, 0.05, 0.10, 0.20])
    doms = np.repeat(np.arange(4), per)
    q = rng.uniform(0.1, 0.7, (n_exp, 4 * per))
    ref = rng.binomial(k, q) / k
    team = rng.binomial(k, q + effect[doms]) / k
    bs = paired_bootstrap(team - ref, [DOMS4[d] for d in doms], n_resamples=1000, seed=5)
    covered = (bs.ci[:, 0] <= effect.mean()) & (effect.mean() <= bs.ci[:, 1])
    assert 0.93 <= covered.mean() <= 0.97, covered.mean()
    dom_cov = (bs.domain_ci[..., 0] <= effect) & (effect <= bs.domain_ci[..., 1])
    assert 0.92 <= dom_cov.mean() <= 0.97  # per-domain intervals (n=50 each) too


def test_a_a_interval_covers_zero_and_a_planted_effect_excludes_it():
    doms = [DOMAIN_IDS[i % 8] for i in range(120)]
    q = np.random.default_rng(1).uniform(0.1, 0.8, 120)
    ref = trials(q, doms, seed=1, agent="ref")
    teams = {"same": trials(q, doms, seed=2), "better": trials(q + 0.15, doms, seed=3)}
    s = score_table(teams, ref, n_resamples=2000).set_index(["team", "domain"])
    same, better = s.loc[("same", OVERALL)], s.loc[("better", OVERALL)]
    assert same["ci_low"] <= 0 <= same["ci_high"]
    assert better["ci_low"] > 0 and better["delta"] == pytest.approx(0.15, abs=0.05)
    assert better["n_tasks"] == 120 and better["team_value"] - better["ref_value"] == pytest.approx(better["delta"])


def test_same_seed_same_table_and_teams_do_not_disturb_each_other():
    doms = [DOMAIN_IDS[i % 8] for i in range(64)]
    q = np.random.default_rng(2).uniform(0.1, 0.8, 64)
    ref = trials(q, doms, seed=1)
    teams = {f"t{i}": trials(np.clip(q + 0.05 * i, 0, 1), doms, seed=10 + i) for i in range(4)}
    a = score_table(teams, ref, n_resamples=1000, seed=3)
    pd.testing.assert_frame_equal(a, score_table(teams, ref, n_resamples=1000, seed=3))
    alone = score_table({"t2": teams["t2"]}, ref, n_resamples=1000, seed=3)
    pd.testing.assert_frame_equal(alone, a[a["team"] == "t2"].reset_index(drop=True))  # shared resamples
    other = score_table(teams, ref, n_resamples=1000, seed=4)
    assert not np.allclose(a["ci_low"], other["ci_low"])
    assert np.allclose(a["delta"], other["delta"])  # the point estimate does not depend on the seed


def test_cap_clips_each_domain_contribution_to_a_share_of_a_positive_total():
    doms = [d for d in DOMS4 for _ in range(5)]
    # constant per-domain differences: every resample equals the point estimate
    diff = np.repeat([[0.8, 0.0, 0.0, 0.0], [0.4, 0.2, 0.2, 0.0], [-0.4, 0.2, 0.0, 0.0]], 5, axis=1)
    bs = paired_bootstrap(diff, doms, n_resamples=200, cap=0.2)
    # team 0: S = 0.2, contributions (0.2, 0, 0, 0) -> 0.2 clipped to 0.2*0.2 = 0.04
    # team 1: S = 0.2, contributions (0.1, .05, .05, 0) -> (0.04, .04, .04, 0) = 0.12
    # team 2: S = -0.05 (not positive): no clipping
    assert bs.delta == pytest.approx([0.04, 0.12, -0.05])
    assert np.allclose(bs.ci, bs.delta[:, None])
    assert bs.domain_delta[0] == pytest.approx([0.8, 0, 0, 0])  # domain deltas are never capped
    # inside every replicate: the cap recomputed from the replicate's own domain deltas
    rng = np.random.default_rng(0)
    diff = rng.normal([0.6, 0.05, 0.0, -0.05], 0.3, (3, 5, 4)).transpose(0, 2, 1).reshape(3, 20)
    bs = paired_bootstrap(diff, doms, n_resamples=300, cap=0.2)
    contrib = bs.domain_replicates / 4
    s = contrib.sum(1)
    expect = np.where(s > 0, np.minimum(contrib, 0.2 * s[:, None]).sum(1), s)
    assert np.allclose(bs.replicates, expect)
    assert (bs.delta < paired_bootstrap(diff, doms, n_resamples=10).delta).all()  # it binds here


def test_unpaired_tasks_are_dropped_per_team():
    doms = ["sciences"] * 4 + ["cybersecurity"] * 4
    diff = np.array([[1, 1, np.nan, np.nan, 0, 0, 0, 0.5]])
    bs = paired_bootstrap(diff, doms, n_resamples=300)
    assert bs.n.tolist() == [[2, 4]]
    assert bs.domain_delta[0] == pytest.approx([1.0, 0.125])
    reps = bs.domain_replicates[0, 0]
    drew_none = np.isnan(reps)  # resamples holding only the two unpaired tasks: (1/2)^4 of them
    assert np.allclose(reps[~drew_none], 1.0) and 0 < drew_none.mean() < 0.15
    assert np.isnan(bs.replicates[0, drew_none]).all() and not np.isnan(bs.replicates[0, ~drew_none]).any()
    assert not np.isnan(bs.ci).any()
    gone = paired_bootstrap(np.array([[np.nan] * 4 + [0.1] * 4]), doms, n_resamples=50)
    assert gone.delta[0] == pytest.approx(0.1)  # a domain with no pair carries no weight
    assert np.isnan(gone.domain_delta[0, 0]) and np.isnan(gone.domain_ci[0, 0]).all()


def test_mde_is_z_sum_times_the_stratified_standard_error():
    rng = np.random.default_rng(4)
    doms = ["a"] * 20 + ["b"] * 40
    diff = rng.normal(0, [0.3] * 20 + [0.1] * 40, (2, 60))
    overall, per = minimum_detectable_effect(diff, doms)
    z = 1.959963984540054 + 0.8416212335729143
    va, vb = diff[:, :20].var(1, ddof=1), diff[:, 20:].var(1, ddof=1)
    assert overall == pytest.approx(z * np.sqrt(va / 20 / 4 + vb / 40 / 4))
    assert per[:, 0] == pytest.approx(z * np.sqrt(va / 20))
    task, _ = minimum_detectable_effect(diff, doms, weighting="task")
    assert task == pytest.approx(z * np.sqrt((20 * va + 40 * vb) / 60**2))
    # a smaller alpha or a higher power needs a bigger effect
    assert (minimum_detectable_effect(diff, doms, alpha=0.01, power=0.9)[0] > overall).all()


# -- leaderboard ------------------------------------------------------------------------------


def _scores(rows):
    out = []
    for team, delta, lo, hi in rows:
        out.append((team, OVERALL, delta, lo, hi, 10, np.nan, np.nan, 0.1))
        out.append((team, "sciences", delta, lo, hi, 10, np.nan, np.nan, 0.1))
    cols = ["team", "domain", "delta", "ci_low", "ci_high", "n_tasks", "team_value", "ref_value", "mde"]
    return pd.DataFrame(out, columns=cols)


def test_overlapping_intervals_tie_transitively_and_share_a_rank():
    board = leaderboard(_scores([
        ("A", 0.30, 0.25, 0.35),
        ("B", 0.20, 0.15, 0.26),   # overlaps A
        ("C", 0.12, 0.08, 0.16),   # overlaps B, not A: chained into A's group
        ("D", 0.00, -0.05, 0.05),  # clear gap below C
        ("E", -0.01, -0.04, 0.05),
        ("F", -0.20, -0.25, -0.15),
        ("G", np.nan, np.nan, np.nan),  # no score: unranked, last
    ]))  # fmt: skip
    assert board["team"].tolist() == list("ABCDEFG")
    assert board["tie_group"].tolist() == [1, 1, 1, 2, 2, 3, 0]
    assert board["rank"].tolist()[:6] == [1, 1, 1, 4, 4, 6] and pd.isna(board["rank"].iloc[6])
    assert board["n_better"].tolist() == [0, 0, 1, 3, 3, 5, 0]  # non-transitive: C is below A
    assert {"delta_sciences", "n_tasks", "mde"} <= set(board.columns)


def test_touching_intervals_tie_and_a_gap_separates():
    assert tie_groups([0.2, 0.0], [0.4, 0.2]).tolist() == [1, 1]
    assert tie_groups([0.2, 0.0], [0.4, 0.19]).tolist() == [1, 2]


def test_leaderboard_from_trials_orders_by_delta():
    doms = [DOMAIN_IDS[i % 8] for i in range(80)]
    q = np.random.default_rng(6).uniform(0.2, 0.6, 80)
    ref = trials(q, doms, seed=1)
    teams = {"low": trials(q - 0.15, doms, seed=2), "mid": trials(q, doms, seed=3),
             "high": trials(q + 0.3, doms, seed=4)}  # fmt: skip
    board = leaderboard(score_table(teams, ref, n_resamples=1000))
    assert board["team"].tolist() == ["high", "mid", "low"]
    assert board["rank"].tolist() == [1, 2, 3]
    assert [c for c in board.columns if c.startswith("delta_")] == [f"delta_{d}" for d in DOMAIN_IDS]


# -- learnability -----------------------------------------------------------------------------


def test_learnability_flags_zero_variance_tasks_per_domain():
    from arena.learnability import choose_ratio, learnability_profile, task_learnability

    rows = []
    for task, dom, rewards in [
        ("never", "sciences", [0, 0, 0, 0]), ("always", "sciences", [1, 1, 1, None]),
        ("half", "sciences", [1, 0, 0, 1]), ("partial", "cybersecurity", [0.5, 0.5, 0.5, 0.5]),
        ("broken", "cybersecurity", [None, None]),
    ]:  # fmt: skip
        rows += [{"task_id": task, "domain": dom, "sample": s, "agent": "base", "reward": r,
                  "status": "ok" if r is not None else "infra_error"} for s, r in enumerate(rewards)]  # fmt: skip
    df = pd.DataFrame(rows)
    t = task_learnability(df, group_size=2).set_index("task_id")
    assert t.loc["always", "n"] == 3 and t.loc["always", "all_pass"]  # the infra error is not a failure
    assert t.loc["never", "zero_variance"] and t.loc["never", "outside_band"]
    assert not t.loc["half", "zero_variance"] and not t.loc["half", "outside_band"]
    assert t.loc["half", "p_flat_group"] == pytest.approx(2 / 6)  # C(2,2)/C(4,2) twice
    assert t.loc["partial", "all_fail"] and t.loc["partial", "zero_variance"]
    assert pd.isna(t.loc["broken", "zero_variance"])
    # with partial credit as the metric, a constant 0.5 is still flat but inside the band
    r = task_learnability(df, metric="reward").set_index("task_id")
    assert r.loc["partial", "zero_variance"] and not r.loc["partial", "outside_band"]
    p = learnability_profile(df, group_size=2).set_index("domain")
    assert p.loc["sciences", "n_tasks"] == 3 and p.loc["cybersecurity", "n_tasks"] == 1
    assert p.loc["sciences", "share_outside_band"] == pytest.approx(2 / 3)
    assert p.loc["sciences", "share_in_band"] == pytest.approx(1 / 3)
    assert p.loc[OVERALL, "share_zero_variance"] == pytest.approx(3 / 4)
    assert p.loc[OVERALL, "mean_p_flat_group"] == pytest.approx((1 + 1 + 1 / 3 + 1) / 4)
    narrow = learnability_profile(df, band=(0.25, 0.75)).set_index("domain")
    assert narrow.loc["sciences", "share_outside_band"] == pytest.approx(2 / 3)
    # the flat-group probability is unbiased for sum_v p_v^G: check against the closed form
    n, c, g = np.array([10, 10, 6]), np.array([3, 0, 6]), 3
    both = choose_ratio(c, n, g) + choose_ratio(n - c, n, g)
    assert both == pytest.approx(2 - pass_at_k(n, c, g) - pass_at_k(n, n - c, g))
    assert np.isnan(choose_ratio(1, 2, 3))


def test_agent_attributed_failures_are_counted_and_task_defects_are_not():
    """The verdict rule's rows: agent_broke_verifier (status ok, reward 0) and agent_timeout count
    as failures of the agent; a verifier_error (broken for the oracle too) is excluded."""
    import pandas as pd

    from arena.stats import counted, task_table
    from arena.verdict import AGENT_BROKE_VERIFIER

    trials = pd.DataFrame([
        {"task_id": "a", "domain": "sciences", "agent": "m", "sample": 0, "status": "ok", "failure_kind": None, "reward": 1.0},
        {"task_id": "b", "domain": "sciences", "agent": "m", "sample": 0, "status": "ok",
         "failure_kind": AGENT_BROKE_VERIFIER, "reward": 0.0},
        {"task_id": "c", "domain": "sciences", "agent": "m", "sample": 0, "status": "timeout",
         "failure_kind": "agent_timeout", "reward": 0.0},
        {"task_id": "d", "domain": "sciences", "agent": "m", "sample": 0, "status": "verifier_error",
         "failure_kind": "no_reward", "reward": None},
    ])  # fmt: skip
    assert counted(trials).tolist() == [True, True, True, False]
    t = task_table(trials).set_index("task_id")
    assert t.loc[["a", "b", "c"], "n"].tolist() == [1, 1, 1] and t.loc[["a", "b", "c"], "c"].tolist() == [1, 0, 0]
    assert (t.loc["d", "n"], t.loc["d", "n_excluded"]) == (0, 1)
