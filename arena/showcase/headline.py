"""The showcase's numbers from the report's score table (each run's Δ and CI) and the acceptance
checks on them (:mod:`arena.showcase_checks`)."""

from __future__ import annotations

import math

from arena.showcase.plan import MEMORIZER, PRIMARY, SFT_ONLY, TEAMS, Plan


def num(x) -> float | None:
    """``x`` as a float rounded to 4 places; None for a missing or NaN value."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else round(v, 4)


def headline_numbers(scores, train_domains: dict[str, list[str]]) -> dict:
    """From the report's score table: each run's overall Δ + CI, per-domain Δ + CI, and the lifts
    whose CI lies above 0 on a domain the run trained on."""
    out: dict = {"baseline": None, "teams": {}, "control": None, "single_domain": {}, "in_domain_lifts": []}
    for run, g in scores.groupby("team", sort=False):
        rows = {r["domain"]: r for r in g.to_dict("records")}
        o = rows.get("overall", {})
        entry = {"delta": num(o.get("delta")), "ci": [num(o.get("ci_low")), num(o.get("ci_high"))],
                 "pass_rate": num(o.get("team_value")),
                 "per_domain": {d: {"delta": num(r["delta"]), "ci": [num(r["ci_low"]), num(r["ci_high"])],
                                    "pass_rate": num(r.get("team_value"))}
                                for d, r in rows.items() if d != "overall"}}  # fmt: skip
        if out["baseline"] is None:  # the baseline's own levels (the same in every team's rows)
            out["baseline"] = {"pass_rate": num(o.get("ref_value")),
                               "per_domain": {d: num(r.get("ref_value")) for d, r in rows.items() if d != "overall"}}  # fmt: skip
        for d, r in entry["per_domain"].items():
            lo = r["ci"][0]
            if lo is not None and lo > 0 and d in train_domains.get(run, []):
                out["in_domain_lifts"].append({"run": run, "domain": d, "delta": r["delta"], "ci": r["ci"]})
        if run == "baseline-reseed":
            out["control"] = entry
        elif run.startswith("single-"):
            out["single_domain"][run] = entry
        else:
            out["teams"][run] = entry
    return out


def acceptance(headline: dict, wall: float, plan: Plan, story: dict | None = None) -> dict:
    """The issue's checks (arena.showcase_checks), each with whether it holds and the numbers behind it."""
    from arena import showcase_checks as sc

    story = story or {}
    team_lifts = [x for x in headline["in_domain_lifts"] if x["run"] in TEAMS]
    primary = headline["teams"].get(PRIMARY[0], {}).get("per_domain", {}).get(PRIMARY[1])
    overall, per_domain = sc.control_null(headline)
    explain = {tuple(k.split("->")): v for k, v in story.get("shared_traits", {}).items()}
    mem = story.get("memorizer") or {}
    checks = {
        "wall_time": {"holds": wall <= plan.budget_sec, "wall_sec": round(wall, 1), "budget_sec": plan.budget_sec},
        "team_in_domain_lift": {"holds": bool(team_lifts), "lifts": team_lifts,
                                "primary": {"run": PRIMARY[0], "domain": PRIMARY[1], **(primary or {})}},
        "baseline_band": sc.baseline_band(headline),
        "in_domain_lifts": sc.in_domain_lifts(headline),
        "transfer_cells": sc.transfer_cells(headline, explain),
        "grpo_zero_variance": sc.grpo_zero_variance(story.get("zero_variance", {})),
        "grpo_contribution": sc.grpo_contribution(story.get("grpo_delta", {}), [t for t in SFT_ONLY if t in TEAMS]),
        "memorizing_team": sc.memorizing_team(mem.get("team", MEMORIZER), mem.get("train_pass_rate"),
                                              mem.get("heldout_pass_rate"), mem.get("heldout_delta_ci")),
        "control_null_overall": overall,
        "control_null_per_domain": per_domain,
    }  # fmt: skip
    checks["all_hold"] = all(v["holds"] for v in checks.values() if isinstance(v, dict))
    return checks
