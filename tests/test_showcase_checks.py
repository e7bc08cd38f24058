"""The showcase's story checks on planted numbers: each one fails and holds (no training)."""

from __future__ import annotations

import math

from arena import showcase_checks as sc

DOMAINS = ["ai-ml-agentic", "cybersecurity", "finance-economics", "industrial-energy", "media-multimodal",
           "office-knowledge-work", "sciences", "software-engineering"]  # fmt: skip


def cell(delta, lo, hi, rate=None):
    return {"delta": delta, "ci": [lo, hi], "pass_rate": rate}


def headline(base_rates=None, lifts=(), singles=None, control=None, teams=None):
    return {"baseline": {"pass_rate": 0.2, "per_domain": dict(zip(DOMAINS, base_rates or [0.2] * 8))},
            "in_domain_lifts": list(lifts), "single_domain": singles or {}, "teams": teams or {},
            "control": control}  # fmt: skip


def test_baseline_band_needs_six_domains_inside_5_to_60_percent():
    ok = sc.baseline_band(headline([0.1, 0.2, 0.05, 0.6, 0.3, 0.4, 0.0, 0.9]))
    assert ok["holds"] and len(ok["in_band"]) == 6
    low = sc.baseline_band(headline([0.1, 0.2, 0.04, 0.6, 0.3, 0.4, 0.0, 0.9]))
    assert not low["holds"] and "finance-economics" not in low["in_band"]
    assert not sc.baseline_band({"baseline": None})["holds"]


def test_in_domain_lifts_count_distinct_domains_and_never_the_control():
    lift = lambda run, d: {"run": run, "domain": d, "delta": 0.2, "ci": [0.05, 0.3]}  # noqa: E731
    four = [lift("single-sciences", "sciences"), lift("bluefence", "cybersecurity"),
            lift("polymath", "finance-economics"), lift("single-media-multimodal", "media-multimodal")]  # fmt: skip
    assert sc.in_domain_lifts(headline(lifts=four))["holds"]
    same = four[:3] + [lift("polymath", "sciences")]  # two lifts on one domain count once
    assert not sc.in_domain_lifts(headline(lifts=same))["holds"]
    ctrl = four[:3] + [lift("baseline-reseed", "office-knowledge-work")]
    got = sc.in_domain_lifts(headline(lifts=ctrl))
    assert not got["holds"] and got["domains"] == sorted(["sciences", "cybersecurity", "finance-economics"])


def test_transfer_cells_need_ci_above_zero_off_the_diagonal_and_an_explanation():
    singles = {
        "single-sciences": {"per_domain": {"sciences": cell(0.5, 0.2, 0.7),  # diagonal: not a transfer cell
                                           "finance-economics": cell(0.2, 0.05, 0.3),
                                           "media-multimodal": cell(0.1, 0.0, 0.2)}},  # CI touches 0
        "single-office-knowledge-work": {"per_domain": {"software-engineering": cell(0.15, 0.02, 0.3)}},
    }  # fmt: skip
    explain = {("sciences", "finance-economics"): ["answer-int", "arithmetic"],
               ("office-knowledge-work", "software-engineering"): ["answer-list"]}  # fmt: skip
    got = sc.transfer_cells(headline(singles=singles), explain)
    assert got["holds"] and {(c["run"], c["domain"]) for c in got["cells"]} == {
        ("single-sciences", "finance-economics"), ("single-office-knowledge-work", "software-engineering")}
    unexplained = sc.transfer_cells(headline(singles=singles), {("sciences", "finance-economics"): ["answer-int"]})
    assert not unexplained["holds"] and unexplained["unexplained"][0]["domain"] == "software-engineering"


def test_shared_traits_name_skills_and_answer_formats_but_not_extraction():
    a = [{"skills": ["extraction", "arithmetic", "answer-int"], "format": "int"}]
    b = [{"skills": ["extraction", "counting"], "format": "int"}, {"skills": ["arithmetic"], "format": "kv"}]
    assert sc.shared_traits(a, b) == ["answer-int", "arithmetic"]
    assert sc.shared_traits([{"skills": ["extraction"], "format": "token"}], [{"skills": ["extraction"], "format": "list"}]) == []


def test_zero_variance_share_per_run_and_domain_and_the_baseline_limit():
    groups = [("baseline", "sciences", [0.0, 1.0, 0.1]), ("baseline", "sciences", [0.1, 0.1, 0.1]),
              ("baseline", "cybersecurity", [0.0, 0.0, math.nan]), ("baseline", "cybersecurity", [1.0, 0.1]),
              ("polymath", "sciences", [0.0, 0.0]), ("baseline", "finance-economics", [math.nan, math.nan])]  # fmt: skip
    shares = sc.zero_variance_shares(groups)
    assert shares["baseline"]["groups"] == 4  # the all-masked group is no group
    assert shares["baseline"]["overall"] == 0.5 and shares["baseline"]["per_domain"] == {"cybersecurity": 0.5, "sciences": 0.5}
    assert shares["polymath"]["overall"] == 1.0
    assert not sc.grpo_zero_variance(shares)["holds"]  # 50% is not below 50%
    groups.append(("baseline", "sciences", [0.0, 1.0]))
    assert sc.grpo_zero_variance(sc.zero_variance_shares(groups))["holds"]  # 2/5
    assert not sc.grpo_zero_variance({})["holds"]


def test_grpo_contribution_needs_an_interval_for_the_baseline_and_a_team():
    d = {"baseline": {"delta": 0.02, "ci": [-0.01, 0.05]}, "polymath": {"delta": 0.0, "ci": [-0.02, 0.02]}}
    assert sc.grpo_contribution(d, ["polymath", "bluefence"])["holds"]
    assert not sc.grpo_contribution({"baseline": d["baseline"]}, ["polymath"])["holds"]
    assert not sc.grpo_contribution({**d, "baseline": {"delta": 0.02, "ci": [None, None]}}, ["polymath"])["holds"]


def test_memorizing_team_needs_the_gap_and_a_null_heldout_delta():
    assert sc.memorizing_team("parrot", 0.8, 0.2, [-0.05, 0.04])["holds"]
    assert not sc.memorizing_team("parrot", 0.45, 0.2, [-0.05, 0.04])["holds"]  # 25 points
    assert not sc.memorizing_team("parrot", 0.8, 0.2, [0.01, 0.1])["holds"]  # it generalizes: no control
    assert not sc.memorizing_team("parrot", None, 0.2, [-0.05, 0.04])["holds"]


def test_the_control_must_cover_zero_overall_and_in_every_domain():
    null = {"delta": 0.0, "ci": [-0.02, 0.02], "per_domain": {d: cell(0.0, -0.1, 0.1) for d in DOMAINS}}
    o, p = sc.control_null(headline(control=null))
    assert o["holds"] and p["holds"]
    bad = {**null, "per_domain": {**null["per_domain"], "sciences": cell(-0.2, -0.3, -0.05)}}
    o, p = sc.control_null(headline(control=bad))
    assert o["holds"] and not p["holds"] and list(p["domains_excluding_zero"]) == ["sciences"]
    o, p = sc.control_null(headline(control=None))
    assert not o["holds"] and not p["holds"]


def test_acceptance_runs_every_story_check_and_all_hold_needs_each_one():
    from arena.showcase import acceptance, plan_for

    lift = lambda run, d: {"run": run, "domain": d, "delta": 0.2, "ci": [0.05, 0.3]}  # noqa: E731
    null = {"delta": 0.0, "ci": [-0.02, 0.02], "per_domain": {d: cell(0.0, -0.1, 0.1) for d in DOMAINS}}
    h = headline([0.1, 0.2, 0.3, 0.3, 0.3, 0.4, 0.5, 0.9],
                 lifts=[lift("bluefence", "cybersecurity"), lift("polymath", "sciences"),
                        lift("single-media-multimodal", "media-multimodal"), lift("polymath", "finance-economics")],
                 singles={"single-sciences": {"per_domain": {"finance-economics": cell(0.2, 0.05, 0.3),
                                                             "media-multimodal": cell(0.2, 0.01, 0.3)}}},
                 control=null, teams={"bluefence": {"per_domain": {}}, "parrot": {"pass_rate": 0.1}})  # fmt: skip
    story = {"zero_variance": {"baseline": {"overall": 0.25, "groups": 8, "per_domain": {}}},
             "grpo_delta": {"baseline": {"delta": 0.0, "ci": [-0.02, 0.03]}, "polymath": {"delta": 0.01, "ci": [-0.01, 0.02]}},
             "memorizer": {"team": "parrot", "train_pass_rate": 0.7, "heldout_pass_rate": 0.1, "heldout_delta_ci": [-0.03, 0.02]},
             "shared_traits": {"sciences->finance-economics": ["answer-int"], "sciences->media-multimodal": ["arithmetic"]}}  # fmt: skip
    a = acceptance(h, wall=500.0, plan=plan_for(False), story=story)
    assert a["all_hold"], {k: v for k, v in a.items() if isinstance(v, dict) and not v["holds"]}
    worse = {**story, "zero_variance": {"baseline": {"overall": 0.75, "groups": 8, "per_domain": {}}}}
    a = acceptance(h, wall=500.0, plan=plan_for(False), story=worse)
    assert not a["grpo_zero_variance"]["holds"] and not a["all_hold"]
    a = acceptance(h, wall=500.0, plan=plan_for(False), story={**story, "shared_traits": {}})
    assert not a["transfer_cells"]["holds"] and len(a["transfer_cells"]["unexplained"]) == 2
    assert not acceptance(h, wall=500.0, plan=plan_for(False))["all_hold"]  # nothing measured: no story


def test_story_numbers_read_grpo_groups_from_rollouts_and_name_shared_traits(tmp_path):
    import pandas as pd

    from arena.showcase import Showcase

    sc_ = Showcase(tmp_path / "sc", quick=True, progress=False)
    run = sc_.out / "train" / "baseline"
    run.mkdir(parents=True)
    rows = [(0, 1, "t1", "sciences", r) for r in (0.0, 1.0, 0.1, 0.1)] + \
           [(0, 1, "t2", "cybersecurity", r) for r in (0.1, 0.1, 0.1, 0.1)] + \
           [(0, 2, "t1", "sciences", r) for r in (0.1, 0.1, float("nan"), 0.1)]  # fmt: skip
    pd.DataFrame(rows, columns=["attempt", "step", "task_id", "domain", "reward"]).to_parquet(run / "rollouts.parquet")
    story = sc_.story_numbers({"teams": {}})
    zv = story["zero_variance"]["baseline"]
    assert zv["groups"] == 3 and zv["overall"] == round(2 / 3, 4)
    assert zv["per_domain"] == {"cybersecurity": 1.0, "sciences": 0.5}
    assert story["grpo_delta"] == {} and story["memorizer"]["train_pass_rate"] is None  # nothing evaluated
    assert "answer-int" in story["shared_traits"]["sciences->finance-economics"]
    assert "sciences->sciences" not in story["shared_traits"]
