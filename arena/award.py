"""The award report as data: who ranks where, who leads which domain, which environment families
transfer, which teams carry flags, and the statistical caveats spelled out as sentences.

Everything starts from a :func:`arena.stats.score_table` (``scores``: one row per team × domain
plus the ``overall`` rows, with delta, ci_low, ci_high, n_tasks, mde).  No plotting here.

Rules (the same words appear in the caveats the report prints):

* **Ranking and ties** — teams whose overall CIs overlap share a tie group and a rank
  (:func:`arena.stats.tie_groups`; rank = 1 + the number of teams in better groups, shown ``1=``
  when shared).  :func:`domain_ranking` applies the same rule inside one domain.
* **Domain leader** — in each domain, the team with the highest Δ is its *leader* only when
  (1) its CI lower bound is above 0 (it beats the baseline there) and (2) its CI lower bound is
  above the runner-up's CI upper bound (their intervals are separated: the tie rule of the
  leaderboard, so no leader is named on noise).  Otherwise the domain is ``tied`` (it beats the
  baseline but overlaps the runner-up; ``contenders`` lists every team whose CI reaches the
  leader's lower bound) or ``no_gain`` (no team's CI is above 0).  Separated 95% intervals are a
  conservative test (roughly a 0.5% two-sided level for a difference of two equally uncertain
  estimates), which partly offsets the eight comparisons per team.
* **Most transferable family** — from :func:`arena.transfer.family_table`: a family transfers
  when runs trained on it lift eval domains *other than its own* (its home domain, from
  :data:`arena.families.FAMILIES` or ``home_domains``).  Families are ranked by the number of
  other domains whose CI lies above 0, then by the mean Δ over the other domains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from arena.domains import resolve
from arena.memorization import FLAG_GAP, memorization_flags
from arena.stats import OVERALL, domain_order, tie_groups

LEADER, TIED, NO_GAIN = "leader", "tied", "no_gain"


def domain_name(domain: str) -> str:
    """Display name of a domain id (``overall`` → ``Overall``; unknown ids as they are)."""
    if domain == OVERALL:
        return "Overall"
    d = resolve(domain)
    return d.name if d else str(domain)


def pp(value: float, signed: bool = True) -> str:
    """A fraction as percentage points: 0.123 → ``+12.3``; NaN → ``n/a``."""
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value * 100:+.1f}" if signed else f"{value * 100:.1f}"


def _check_scores(scores: pd.DataFrame) -> None:
    need = {"team", "domain", "delta", "ci_low", "ci_high", "n_tasks", "mde"}
    if not need <= set(scores.columns):
        raise ValueError(
            f"scores must be an arena.stats.score_table; missing columns {sorted(need - set(scores.columns))}"
        )
    if scores.empty:
        raise ValueError("scores is empty: no team was scored")


def domain_ranking(scores: pd.DataFrame, domain: str = OVERALL) -> pd.DataFrame:
    """Teams ranked on one domain (or ``overall``) of a score table, with CI-aware ties: team,
    delta, ci_low, ci_high, n_tasks, mde, tie_group, rank, rank_label (``1=`` when shared, ``–``
    unranked), n_better (teams whose CI lies entirely above).  Sorted by tie group, then Δ, then
    name; for ``overall`` this is :func:`arena.stats.leaderboard`'s order."""
    _check_scores(scores)
    rows = scores[scores["domain"] == domain]
    if rows.empty:
        raise ValueError(f"no score for domain {domain!r}; the table has {sorted(scores['domain'].unique())}")
    out = rows[["team", "delta", "ci_low", "ci_high", "n_tasks", "mde"]].reset_index(drop=True)
    out["tie_group"] = tie_groups(out["ci_low"], out["ci_high"])
    sizes = out.loc[out["tie_group"] > 0].groupby("tie_group").size()
    better = sizes.cumsum() - sizes
    out["rank"] = pd.array([better[g] + 1 if g else pd.NA for g in out["tie_group"]], dtype="Int64")
    out["rank_label"] = [
        "–" if g == 0 else f"{better[g] + 1}{'=' if sizes[g] > 1 else ''}" for g in out["tie_group"]
    ]
    low, high = out["ci_low"].to_numpy(), out["ci_high"].to_numpy()
    out["n_better"] = (low[None, :] > high[:, None]).sum(1)
    out["_last"] = out["tie_group"] == 0
    out = out.sort_values(["_last", "tie_group", "delta", "team"], ascending=[True, True, False, True])
    return out.drop(columns="_last").reset_index(drop=True)


def uncapped_overall(scores: pd.DataFrame, weighting: str = "domain") -> pd.Series:
    """Per team, the overall Δ without the cap, from the per-domain Δs: their plain mean
    (``weighting="domain"``) or their mean weighted by paired tasks (``"task"``)."""
    dom = scores[(scores["domain"] != OVERALL) & (scores["n_tasks"] > 0)]
    if weighting == "domain":
        return dom.groupby("team", sort=False)["delta"].mean()
    w = dom.assign(w=dom["delta"] * dom["n_tasks"]).groupby("team", sort=False)[["w", "n_tasks"]].sum()
    return w["w"] / w["n_tasks"]


def score_rule(scores: pd.DataFrame) -> str:
    """The rule a score table was computed with: ``gain-share`` when its interval column says
    domain-stratified, else ``organizers`` (the default of :func:`arena.stats.score_table`)."""
    if "interval" in scores and scores["interval"].astype(str).str.contains("domain-stratified").any():
        return "gain-share"
    if "interval" not in scores:
        return "gain-share"  # tables from before the organizers' rule carry no interval column
    return "organizers"


def domain_leaders(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per domain (DOMAIN_IDS order): domain, domain_name, status (leader / tied /
    no_gain, see the module docstring), leader (None unless status is leader), top (highest Δ),
    delta, ci_low, ci_high, runner_up, runner_up_delta, runner_up_ci_high, margin (top's lower
    bound − runner-up's upper bound; > 0 means separated), contenders, n_tasks, reason."""
    _check_scores(scores)
    rows = []
    for d in domain_order(scores.loc[scores["domain"] != OVERALL, "domain"].unique()):
        r = scores[(scores["domain"] == d) & scores["delta"].notna()].sort_values(
            ["delta", "team"], ascending=[False, True]
        )
        if r.empty:
            continue
        top = r.iloc[0]
        run = r.iloc[1] if len(r) > 1 else None
        margin = top["ci_low"] - run["ci_high"] if run is not None else np.nan
        contenders = r.loc[r["ci_high"] >= top["ci_low"], "team"].tolist()
        name = domain_name(d)
        if not top["ci_low"] > 0:
            status = NO_GAIN
            reason = (f"no team's CI is above 0 in {name}: the best, {top['team']} ({pp(top['delta'])} pp, CI "
                      f"[{pp(top['ci_low'])}, {pp(top['ci_high'])}]), is not distinguishable from the baseline")  # fmt: skip
        elif run is None or margin > 0:
            status = LEADER
            vs = (f"; its lower bound {pp(top['ci_low'])} is above runner-up {run['team']}'s upper bound "
                  f"{pp(run['ci_high'])}") if run is not None else " (the only team)"  # fmt: skip
            reason = f"{top['team']} leads {name}: Δ {pp(top['delta'])} pp, CI [{pp(top['ci_low'])}, {pp(top['ci_high'])}]{vs}"
        else:
            status = TIED
            reason = (f"{top['team']} has the highest Δ in {name} ({pp(top['delta'])} pp) but its CI overlaps "
                      f"{', '.join(c for c in contenders if c != top['team'])}: no single leader")  # fmt: skip
        rows.append({
            "domain": d, "domain_name": name, "status": status, "leader": top["team"] if status == LEADER else None,
            "top": top["team"], "delta": top["delta"], "ci_low": top["ci_low"], "ci_high": top["ci_high"],
            "runner_up": run["team"] if run is not None else None,
            "runner_up_delta": run["delta"] if run is not None else np.nan,
            "runner_up_ci_high": run["ci_high"] if run is not None else np.nan, "margin": margin,
            "contenders": ", ".join(contenders), "n_tasks": int(top["n_tasks"]), "reason": reason,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["domain", "domain_name", "status", "leader", "top", "delta", "ci_low", "ci_high",
                                       "runner_up", "runner_up_delta", "runner_up_ci_high", "margin", "contenders",
                                       "n_tasks", "reason"])  # fmt: skip


def home_domain(family: str, home_domains: Mapping[str, str] | None = None) -> str | None:
    """The domain an environment family belongs to: ``home_domains[family]`` (id or alias), else
    :data:`arena.families.FAMILIES`'s, else None."""
    if home_domains and family in home_domains:
        d = resolve(home_domains[family])
        return d.id if d else home_domains[family]
    from arena.families import FAMILIES

    f = FAMILIES.get(family)
    return f.domain if f is not None else None


def family_ranking(families: pd.DataFrame, home_domains: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Environment families ranked by transfer (see the module docstring), from a
    :func:`arena.transfer.family_table`: family, home_domain, n_runs, home_delta,
    mean_delta_other (mean Δ over the other eval domains), n_other_gain (other domains with CI
    above 0), n_loss (domains with CI below 0), gained (the other domains lifted), mean_delta
    (all domains), transfers (n_other_gain > 0), rank.  Unknown home: every domain is "other"."""
    need = {"family", "eval_domain", "delta", "ci_low", "ci_high"}
    if not need <= set(families.columns):
        raise ValueError(
            f"families must be an arena.transfer.family_table; missing {sorted(need - set(families.columns))}"
        )
    rows = []
    for fam, g in families.groupby("family", sort=False):
        home = home_domain(str(fam), home_domains)
        other = g[g["eval_domain"] != home]
        at_home = g[g["eval_domain"] == home]
        gain = other[other["ci_low"] > 0]
        rows.append({
            "family": fam, "home_domain": home, "n_runs": int(g["n_runs"].max()) if "n_runs" in g else 1,
            "home_delta": at_home["delta"].mean() if len(at_home) else np.nan,
            "mean_delta_other": other["delta"].mean() if len(other) else np.nan,
            "n_other_gain": len(gain), "n_loss": int((g["ci_high"] < 0).sum()),
            "gained": ", ".join(domain_order(gain["eval_domain"])), "mean_delta": g["delta"].mean(),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=["family", "home_domain", "n_runs", "home_delta", "mean_delta_other",
                                      "n_other_gain", "n_loss", "gained", "mean_delta"])  # fmt: skip
    out["transfers"] = out["n_other_gain"] > 0
    out = out.sort_values(["n_other_gain", "mean_delta_other", "family"], ascending=[False, False, True])
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


FLAG_COLUMNS = ["team", "kind", "count", "detail"]
FLAG_WORDS = {
    "heldout_overlap": "training task(s) near-duplicating held-out tasks",
    "cross_team_overlap": "task(s) near-duplicating another team's",
    "validation": "validation flag(s)",
    "memorization": "memorization probe flag",
}


def contamination_flags(report: pd.DataFrame, *, heldout: str | Sequence[str] = "heldout",
                        team_sources: Mapping[str, str] | None = None, examples: int = 3) -> pd.DataFrame:  # fmt: skip
    """Per team, from :func:`arena.contamination.contamination_report`: how many of its training
    tasks are flagged as overlapping the held-out suite (kind ``heldout_overlap``) or another
    team's entry (``cross_team_overlap``).  ``team_sources`` maps a document source to a team
    name (default: the source is the team).  Columns: team, kind, count, detail."""
    held = {heldout} if isinstance(heldout, str) else set(heldout)
    f = report[report["flagged"].astype(bool) & ~report["source"].isin(held)]
    rows = []
    for (src, kind), g in f.groupby(["source", "kind"], sort=True):
        shown = [f"{t} ~ {m} [{ms}] ({why})" for t, m, ms, why in
                 zip(g["task_id"], g["match_task_id"], g["match_source"], g["reason"])][:examples]  # fmt: skip
        more = f" and {len(g) - examples} more" if len(g) > examples else ""
        rows.append({"team": (team_sources or {}).get(src, src), "kind": f"{kind}_overlap",
                     "count": int(g["task_id"].nunique()), "detail": "; ".join(shown) + more})  # fmt: skip
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def validation_flags(validation: pd.DataFrame) -> pd.DataFrame:
    """Normalize a validation-flag table (team, flag[, count][, detail]) to team, kind, count,
    detail with kind ``validation``."""
    if not {"team", "flag"} <= set(validation.columns):
        raise ValueError(f"validation flags need columns team and flag (got {list(validation.columns)})")
    v = validation
    count = v["count"] if "count" in v else pd.Series(1, index=v.index)
    detail = v["detail"].fillna("") if "detail" in v else pd.Series("", index=v.index)
    return pd.DataFrame({"team": v["team"].astype(str), "kind": "validation", "count": count.astype(int),
                         "detail": [f"{f}: {d}" if d else str(f) for f, d in zip(v["flag"], detail)]})  # fmt: skip


@dataclass
class AwardReport:
    """What :func:`award_report` returns: tidy tables and the caveats, in reading order."""

    ranking: pd.DataFrame
    domain_leaders: pd.DataFrame
    families: pd.DataFrame | None
    flags: pd.DataFrame
    caveats: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {
            "award_ranking": self.ranking,
            "award_domain_leaders": self.domain_leaders,
            "award_flags": self.flags,
        }
        if self.families is not None:
            out["award_families"] = self.families
        return out


def _names(xs: Sequence[str]) -> str:
    xs = list(xs)
    return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]


def award_report(scores: pd.DataFrame, *, cap: float | None, metric: str = "pass", threshold: float = 1.0,
                 confidence: float = 0.95, n_resamples: int | None = None, weighting: str = "domain",
                 power: float = 0.8, alpha: float = 0.05, families: pd.DataFrame | None = None,
                 home_domains: Mapping[str, str] | None = None, contamination: pd.DataFrame | None = None,
                 heldout: str | Sequence[str] = "heldout", team_sources: Mapping[str, str] | None = None,
                 validation: pd.DataFrame | None = None, rule: str | None = None,
                 memorization: pd.DataFrame | None = None, memorization_gap: float = FLAG_GAP) -> AwardReport:  # fmt: skip
    """The award report from a score table (computed with the ``cap``, ``metric``, ``confidence``
    … given here, which the caveats quote; pass the same values).  Optional: ``families`` (a
    family_table), ``contamination`` (a contamination_report; ``heldout`` names the suite's
    source, ``team_sources`` maps document sources to teams), ``validation`` (team, flag[, count]
    [, detail]), ``memorization`` (an :func:`arena.memorization.memorization_table` by team: a
    team whose train − held-out gap is at least ``memorization_gap`` while its held-out Δ CI
    covers 0 gets a ``memorization`` flag).  Returns an :class:`AwardReport`.

    ``ranking`` is :func:`domain_ranking` on ``overall`` plus uncapped_delta, cap_binds,
    n_domains_gain / n_domains_loss (domain CIs above / below 0) and n_flags.  ``rule`` is the
    score table's (``organizers`` or ``gain-share``; None: read from its ``interval`` column)."""
    _check_scores(scores)
    conf = f"{confidence:.0%}"
    rule = rule or score_rule(scores)
    interval = str(scores["interval"].iloc[0]) if "interval" in scores else None
    ranking = domain_ranking(scores, OVERALL)
    unc = uncapped_overall(scores, "task" if rule == "organizers" else weighting)
    ranking["uncapped_delta"] = ranking["team"].map(unc)
    ranking["cap_binds"] = (cap is not None) & ((ranking["uncapped_delta"] - ranking["delta"]).abs() > 1e-9)
    dom = scores[scores["domain"] != OVERALL]
    ranking["n_domains_gain"] = (
        ranking["team"].map(dom[dom["ci_low"] > 0].groupby("team").size()).fillna(0).astype(int)
    )
    ranking["n_domains_loss"] = (
        ranking["team"].map(dom[dom["ci_high"] < 0].groupby("team").size()).fillna(0).astype(int)
    )
    leaders = domain_leaders(scores)
    fam = family_ranking(families, home_domains) if families is not None and len(families) else None
    parts = []
    if contamination is not None and len(contamination):
        parts.append(contamination_flags(contamination, heldout=heldout, team_sources=team_sources))
    if validation is not None and len(validation):
        parts.append(validation_flags(validation))
    if memorization is not None and len(memorization):
        parts.append(memorization_flags(memorization, scores, gap=memorization_gap))
    parts = [p for p in parts if len(p)]
    flags = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FLAG_COLUMNS)
    flags = flags.sort_values(["team", "kind"], kind="stable").reset_index(drop=True)
    ranking["n_flags"] = ranking["team"].map(flags.groupby("team")["count"].sum()).fillna(0).astype(int)

    # -- caveats, in the order a reader needs them ------------------------------------------------
    caveats = []
    what = (
        ("pass rate (a trial passes at reward ≥ " + f"{threshold:g}" + ")")
        if metric == "pass"
        else "mean reward"
    )
    n_dom = dom.groupby("domain")["n_tasks"].max()
    n_dom = n_dom[n_dom > 0].reindex([d for d in domain_order(n_dom.index) if n_dom.get(d, 0) > 0])
    n_all = int(ranking["n_tasks"].max())
    per = ", ".join(f"{domain_name(d)} {int(n)}" for d, n in n_dom.items())
    mde = ranking["mde"].median()
    mde_dom = dom["mde"].median()
    caveats.append(
        f"Scores are Δ {what} over the baseline on {n_all} held-out tasks in {len(n_dom)} domains ({per}). "
        f"With this suite a true overall Δ smaller than about {pp(mde, False)} percentage points (median "
        f"minimum detectable effect over teams, {power:.0%} power, two-sided α = {alpha:g}) is likely to go "
        f"unnoticed; inside one domain the threshold is about {pp(mde_dom, False)} points."
    )  # fmt: skip
    boot = f"{n_resamples:,} " if n_resamples else ""
    if interval and "clustered" in interval:
        how = (f"Intervals are {conf} normal intervals, Δ ± z·SE with a task-clustered paired standard error (the "
               "samples of one task are not independent draws of the suite)")  # fmt: skip
    elif rule == "organizers":
        how = (f"Intervals are {conf} percentile intervals from {boot}bootstrap resamples of the paired held-out tasks "
               "drawn across the whole suite, as the organizers' scoring does (domain shares vary between resamples)"
               + (f" — {interval}" if interval else ""))  # fmt: skip
    else:
        how = f"Intervals are {conf} percentile intervals from {boot}paired, domain-stratified bootstrap resamples of the held-out tasks"
    caveats.append(
        f"{how}: they measure how much the result depends on which tasks the suite happens to hold, not "
        "the run-to-run variance of training (one checkpoint per team, one baseline checkpoint)."
    )  # fmt: skip
    short = ranking[ranking["n_tasks"] < n_all]
    for _, r in short.iterrows():
        caveats.append(f"{r['team']} is scored on {int(r['n_tasks'])} of the {n_all} tasks (the rest were not "
                       "evaluated or had no counted trial): its Δ is over those tasks only.")  # fmt: skip
    ranked = ranking[ranking["tie_group"] > 0]
    tied = [g for g, grp in ranked.groupby("tie_group") if len(grp) > 1]
    if tied:
        for g in tied:
            grp = ranked[ranked["tie_group"] == g]
            caveats.append(
                f"{_names(grp['team'].tolist())} have overlapping {conf} CIs (tie group {g}): they share rank "
                f"{grp['rank_label'].iloc[0]} and their order by point estimate is not evidence that one is better."
            )  # fmt: skip
    elif len(ranked) > 1:
        caveats.append(f"No two teams' overall {conf} CIs overlap: every rank is separated.")
    n_domains = len(n_dom)
    expected = n_domains * (1 - confidence)
    caveats.append(
        f"Per-domain results are {n_domains} comparisons per team ({n_domains * len(ranking)} in all): even if "
        f"training changed nothing, about {expected:.1f} per team would show a {conf} CI excluding 0 by chance. "
        f"Read per-domain gains as exploratory; a Bonferroni-adjusted level of {1 - (1 - confidence) / max(n_domains, 1):.2%} "
        "would control the chance of any false domain claim per team. A domain leader is named only when its CI "
        "lower bound is above 0 and above the runner-up's CI upper bound."
    )  # fmt: skip
    binds = ranking[ranking["cap_binds"]]
    how = (f"It binds for {_names([f'{t} ({pp(u)} → {pp(c)} pp)' for t, u, c in zip(binds['team'], binds['uncapped_delta'], binds['delta'])])}"
           if len(binds) else "It binds for no team")  # fmt: skip
    if cap is None:
        caveats.append(
            "No cap: the overall Δ is the mean of the domain Δs weighted by their task shares, so one domain can carry a team."
            if rule == "organizers" else
            "No cap: the overall Δ is the plain mean of the domain Δs, so one domain can carry a team."
        )  # fmt: skip
    elif rule == "organizers":
        caveats.append(
            f"The overall Δ follows the organizers' ≤ {cap:.0%} per-domain rule: each domain weighs its share of the "
            f"held-out tasks, water-filled so that no domain weighs more than {cap:.0%} (the weight freed by a "
            "clamped domain goes to the others in proportion to their shares), and the score is Σ weight × domain Δ. "
            f"With equal domain sizes the cap does not bind; with fewer than {int(np.ceil(1 / cap - 1e-9))} domains "
            f"it cannot hold and the task shares are used. {how}."
        )  # fmt: skip
    else:
        caveats.append(
            f"The overall Δ uses arena's gain-share cap, not the competition's rule: when it is positive, no domain "
            f"may contribute more than {cap:.0%} of it (contributions above are clipped; per-domain Δs are not "
            f"capped), so a team gaining in fewer than {int(np.ceil(1 / cap - 1e-9))} domains is always capped. {how}."
        )  # fmt: skip
    if fam is not None:
        caveats.append(
            f"Family transfer compares runs trained on one environment family with the baseline, per eval domain "
            f"({len(fam)} families × up to {n_domains} domains, each its own {conf} CI, not adjusted for multiple "
            "comparisons); a family 'transfers' when some domain other than its own has a CI above 0."
        )  # fmt: skip
    if memorization is not None and len(memorization):
        caveats.append(
            "The memorization probe compares each probed team's pass rate on its own training tasks, on fresh instances "
            "of the same families (training templates and entity pools, new seeds) and on the held-out suite; a team "
            f"is flagged when its train − held-out gap is at least {memorization_gap * 100:.0f} points with a {conf} CI "
            "above 0 while its held-out Δ is indistinguishable from 0."
        )  # fmt: skip
    for team, g in flags.groupby("team", sort=True):
        counts = g.groupby("kind")["count"].sum()
        kinds = "; ".join(f"{int(c)} {FLAG_WORDS.get(k, k.replace('_', ' '))}" for k, c in counts.items())
        where = "" if team in set(ranking["team"]) else " (not among the scored teams)"
        risk = ("overlap with the held-out suite can inflate its score" if "heldout_overlap" in counts
                else "its model passes the tasks it was trained on, not the suite: the corpus teaches its own instances "
                f"({g.loc[g['kind'] == 'memorization', 'detail'].iloc[0]})" if "memorization" in counts
                else "review them before an award")  # fmt: skip
        caveats.append(f"{team}{where} carries flags: {kinds}; {risk}.")
    return AwardReport(ranking, leaders, fam, flags, caveats)


__all__ = [
    "AwardReport",
    "award_report",
    "contamination_flags",
    "domain_leaders",
    "domain_name",
    "domain_ranking",
    "family_ranking",
    "home_domain",
    "pp",
    "score_rule",
    "uncapped_overall",
    "validation_flags",
]
