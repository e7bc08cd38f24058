"""The showcase's story checks (issue #13): pure functions of its measured numbers.

Each check returns ``{"holds": bool, ...the numbers behind it}``; none trains or reads a file, so
a test can plant a headline and watch every check fail and hold.  ``arena.showcase.acceptance``
calls them with the headline numbers (:func:`arena.showcase.headline_numbers`) and the extra
measurements the showcase makes (GRPO groups, SFT-only evaluations, the memorizing team's
probe).

    baseline_band          the baseline's held-out pass rate in [5%, 60%] in >= 6 of 8 domains
    in_domain_lifts        >= 4 domains where a team or single-domain run lifts its own domain
                           (95% CI above 0)
    transfer_cells         >= 2 off-diagonal transfer cells (single-<d> run on another domain)
                           with CI above 0, each explained by a skill or answer format the
                           run's training families share with the target domain's families
    grpo_zero_variance     the share of zero-variance GRPO groups, per domain; the baseline's
                           overall share below 50%
    grpo_contribution      Δ(SFT→GRPO over SFT alone) with a CI for the baseline and >= 1 team
    memorizing_team        its own training tasks pass >= 30 points above its held-out tasks,
                           and its held-out Δ CI covers 0
    control_null_*         the A/A control's CI covers 0 overall and in every domain
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

BAND = (0.05, 0.60)
BAND_DOMAINS = 6
LIFT_DOMAINS = 4
TRANSFER_CELLS = 2
ZERO_VARIANCE_MAX = 0.5
MEMORIZATION_GAP = 0.30
CONTROL = "baseline-reseed"


def _ci_above_zero(ci) -> bool:
    return ci is not None and ci[0] is not None and ci[0] > 0


def _covers_zero(ci) -> bool:
    return ci is not None and None not in ci and ci[0] <= 0 <= ci[1]


def excludes_zero(ci) -> bool:
    return ci is not None and None not in ci and (ci[0] > 0 or ci[1] < 0)


def baseline_band(headline: dict, band=BAND, need: int = BAND_DOMAINS) -> dict:
    per = (headline.get("baseline") or {}).get("per_domain") or {}
    inside = sorted(d for d, v in per.items() if v is not None and band[0] <= v <= band[1])
    return {"holds": len(inside) >= need, "need": need, "band": list(band), "in_band": inside,
            "per_domain": per}  # fmt: skip


def in_domain_lifts(headline: dict, need: int = LIFT_DOMAINS, exclude: Iterable[str] = (CONTROL,)) -> dict:
    """headline["in_domain_lifts"]: the (run, domain) lifts on a domain the run trained on whose CI
    lies above 0 (the A/A control is no team)."""
    lifts = [x for x in headline.get("in_domain_lifts", []) if x["run"] not in set(exclude)]
    domains = sorted({x["domain"] for x in lifts})
    return {"holds": len(domains) >= need, "need": need, "domains": domains, "lifts": lifts}


def shared_traits(train_families: Iterable[Mapping], target_families: Iterable[Mapping]) -> list[str]:
    """Skills and answer formats (``answer-<fmt>``) both sets of families have, sorted; each family
    a mapping with ``skills`` and ``format``.  'extraction' (every family reads a field) explains
    nothing and is left out."""
    def traits(fams):
        out = set()
        for f in fams:
            out |= set(f.get("skills", ()))
            if f.get("format"):
                out.add(f"answer-{f['format']}")
        return out - {"extraction"}

    return sorted(traits(train_families) & traits(target_families))


def transfer_cells(headline: dict, explain: Mapping[tuple[str, str], list[str]],
                   need: int = TRANSFER_CELLS) -> dict:  # fmt: skip
    """Off-diagonal cells of the transfer matrix (``single-<src>`` evaluated on domain ``dst``) with a
    CI above 0; ``explain[(src, dst)]`` is what the run's families share with the target's (see
    :func:`shared_traits`).  Holds with ``need`` such cells that are explained."""
    cells, unexplained = [], []
    for run, entry in sorted((headline.get("single_domain") or {}).items()):
        src = run.removeprefix("single-")
        for dst, r in sorted(entry.get("per_domain", {}).items()):
            if dst == src or not _ci_above_zero(r.get("ci")):
                continue
            why = list(explain.get((src, dst), []))
            cell = {"run": run, "domain": dst, "delta": r.get("delta"), "ci": r.get("ci"), "shared": why}
            (cells if why else unexplained).append(cell)
    return {"holds": len(cells) >= need, "need": need, "cells": cells, "unexplained": unexplained}


def zero_variance_shares(groups: Iterable[tuple[str, str, list[float]]]) -> dict:
    """{run: {"overall": share, "groups": n, "per_domain": {domain: share}}} from GRPO groups given
    as (run, domain, rewards of the group's samples); a group whose scored rewards (NaN = masked,
    left out) are all equal gives the policy gradient nothing."""
    acc: dict = {}
    for run, domain, rewards in groups:
        vals = [r for r in rewards if r is not None and not math.isnan(r)]
        if not vals:
            continue
        zero = max(vals) - min(vals) < 1e-9
        a = acc.setdefault(run, {"n": 0, "z": 0, "dom": {}})
        a["n"] += 1
        a["z"] += zero
        d = a["dom"].setdefault(domain, [0, 0])
        d[0] += 1
        d[1] += zero
    return {run: {"overall": round(a["z"] / a["n"], 4), "groups": a["n"],
                  "per_domain": {d: round(z / n, 4) for d, (n, z) in sorted(a["dom"].items())}}
            for run, a in sorted(acc.items())}  # fmt: skip


def grpo_zero_variance(shares: Mapping[str, dict], run: str = "baseline", limit: float = ZERO_VARIANCE_MAX) -> dict:
    own = shares.get(run) or {}
    share = own.get("overall")
    return {"holds": share is not None and share < limit, "run": run, "limit": limit, "share": share,
            "by_run": dict(shares)}  # fmt: skip


def grpo_contribution(deltas: Mapping[str, dict], teams: Iterable[str], baseline: str = "baseline") -> dict:
    """``deltas[run]`` = {"delta", "ci"}: the run's GRPO checkpoint against its own SFT checkpoint on
    the held-out suite (paired).  Holds when the baseline and at least one team have an interval."""
    def has(r):
        d = deltas.get(r) or {}
        return d.get("delta") is not None and d.get("ci") is not None and None not in d["ci"]

    with_ci = [t for t in teams if has(t)]
    return {"holds": has(baseline) and bool(with_ci), "baseline": deltas.get(baseline), "teams_with_ci": with_ci,
            "by_run": dict(deltas)}  # fmt: skip


def memorizing_team(team: str, train_pass: float | None, heldout_pass: float | None, heldout_ci,
                    gap: float = MEMORIZATION_GAP) -> dict:  # fmt: skip
    """The memorization control: pass rate on its own training tasks at least ``gap`` above its
    held-out pass rate, and its held-out Δ (against the baseline) CI covering 0."""
    diff = None if train_pass is None or heldout_pass is None else round(train_pass - heldout_pass, 4)
    holds = diff is not None and diff >= gap and _covers_zero(heldout_ci)
    return {"holds": holds, "team": team, "train_pass_rate": train_pass, "heldout_pass_rate": heldout_pass,
            "gap": diff, "need_gap": gap, "heldout_delta_ci": heldout_ci}  # fmt: skip


def control_null(headline: dict) -> tuple[dict, dict]:
    ctrl = headline.get("control") or {}
    bad = {d: r for d, r in ctrl.get("per_domain", {}).items() if excludes_zero(r.get("ci"))}
    overall = {"holds": bool(ctrl) and not excludes_zero(ctrl.get("ci")), "delta": ctrl.get("delta"),
               "ci": ctrl.get("ci")}  # fmt: skip
    per_domain = {"holds": bool(ctrl) and not bad, "domains_excluding_zero": bad}
    return overall, per_domain


__all__ = ["baseline_band", "control_null", "excludes_zero", "grpo_contribution", "grpo_zero_variance",
           "in_domain_lifts", "memorizing_team", "shared_traits", "transfer_cells", "zero_variance_shares"]  # fmt: skip
