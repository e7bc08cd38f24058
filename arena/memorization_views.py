"""The memorization probe, shown: its figure, its markdown section, and the one call a report
makes (``probe_section``: probe folders in, table + figure + text out).

Reads a :func:`arena.memorization.memorization_table` (one row per group × domain plus
``overall``).  Domains where the group has no training task (only held-out tasks) stay in the
table but are left out of the figure and the markdown: there is nothing to memorize there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from arena.award import domain_name
from arena.memorization import FLAG_GAP, GAPS, SPLITS, memorization_flags, memorization_table
from arena.stats import OVERALL, domain_order

SPLIT_LABELS = {
    "train": "own training tasks",
    "fresh": "fresh instances, same families",
    "heldout": "held-out suite",
}
GAP_LABELS = {"memorization_gap": "train − fresh", "generalization_gap": "fresh − held-out",
              "train_heldout_gap": "train − held-out"}  # fmt: skip
#: Okabe-Ito blue / orange / green, as in arena.plots
COLORS = {"train": "#0072B2", "fresh": "#E69F00", "heldout": "#009E73",
          "memorization_gap": "#0072B2", "generalization_gap": "#E69F00", "train_heldout_gap": "#000000"}  # fmt: skip


def _rows(table: pd.DataFrame, group: str) -> dict[str, pd.DataFrame]:
    """{group: its rows with training tasks, domains in DOMAIN_IDS order, overall last}."""
    need = {group, "domain", "n_train", *(f"pass_{s}" for s in SPLITS), *GAPS}
    if not need <= set(table.columns):
        raise ValueError(f"not a memorization_table: missing columns {sorted(need - set(table.columns))}")
    out = {}
    for g, df in table.groupby(group, sort=True):
        dom = df[(df["domain"] != OVERALL) & (df["n_train"] > 0)]
        order = domain_order(dom["domain"].unique()) + [OVERALL]
        out[g] = df.set_index("domain").reindex([d for d in order if d in set(df["domain"])]).reset_index()
    if not out:
        raise ValueError("the memorization table is empty: no probed group")
    return out


def memorization_figure(table: pd.DataFrame, *, group: str = "team", confidence: float = 0.95,
                        title: str | None = None):  # fmt: skip
    """One row of two panels per group: left, the pass rate on its training tasks, on fresh
    instances and on the held-out suite per domain (+ overall); right, the three gaps in
    percentage points with their CI whiskers (a filled marker: the CI excludes 0)."""
    from matplotlib.figure import Figure

    groups = _rows(table, group)
    n = len(groups)
    fig = Figure(figsize=(12.0, 1.2 + 2.9 * n), layout="constrained")
    axes = np.atleast_2d(fig.subplots(n, 2, squeeze=False))
    for i, (g, df) in enumerate(groups.items()):
        ax, gx = axes[i]
        x = np.arange(len(df))
        labels = [textwrap.fill(domain_name(d), 12, break_long_words=False) for d in df["domain"]]
        for j, s in enumerate(SPLITS):
            ax.bar(x - 0.3 + 0.2 * (j + 0.5), np.nan_to_num(df[f"pass_{s}"].to_numpy(float)) * 100, 0.19,
                   color=COLORS[s], label=SPLIT_LABELS[s] if i == 0 else None, zorder=2)  # fmt: skip
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_ylabel(f"{g}\npass rate (%)", fontsize=9)
        ax.grid(axis="y", color="#DDDDDD", lw=0.6)
        ax.set_axisbelow(True)
        for k, gap in enumerate(GAPS):
            v = df[gap].to_numpy(float) * 100
            lo, hi = df[f"{gap}_low"].to_numpy(float) * 100, df[f"{gap}_high"].to_numpy(float) * 100
            pos = x - 0.2 + 0.2 * k
            gx.errorbar(pos, v, yerr=np.vstack([v - lo, hi - v]), fmt="none", ecolor=COLORS[gap], elinewidth=1,
                        capsize=2, zorder=2)  # fmt: skip
            sig = (lo > 0) | (hi < 0)
            gx.scatter(pos[sig], v[sig], color=COLORS[gap], zorder=3, s=22,
                       label=GAP_LABELS[gap] if i == 0 else None)  # fmt: skip
            gx.scatter(pos[~sig], v[~sig], facecolor="white", edgecolor=COLORS[gap], zorder=3, s=22)
        gx.axhline(0, color="black", lw=1)
        gx.axhline(FLAG_GAP * 100, color="#999999", lw=0.8, ls=":")
        gx.set_xticks(x, labels, fontsize=7)
        gx.set_ylabel("gap (pp)", fontsize=9)
        gx.grid(axis="y", color="#DDDDDD", lw=0.6)
        gx.set_axisbelow(True)
    axes[0][0].legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, frameon=False)
    axes[0][1].legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, frameon=False)
    fig.suptitle(title or f"Memorization probe: pass rates (left) and gaps with {confidence:.0%} CIs (right; hollow: CI "
                 f"includes 0; dotted: the {FLAG_GAP * 100:.0f}-point flag line)", fontsize=10, x=0.01, ha="left")  # fmt: skip
    return fig


def _pp(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v * 100:+.1f}"


def _pct(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v * 100:.1f}"


def memorization_markdown(table: pd.DataFrame, *, group: str = "team", confidence: float = 0.95,
                          flags: pd.DataFrame | None = None, figure: str | None = None) -> list[str]:  # fmt: skip
    """The report's section: what the three sets are, the figure (``figure``: its relative path),
    and per group the domains it trains on + overall: tasks and pass rate per set, gaps with CIs."""
    groups = _rows(table, group)
    flagged = set(flags["team"]) if flags is not None and len(flags) else set()
    conf = f"{confidence:.0%}"
    out = ["## Memorization probe", "",
           "Pass rate (%) of each probed checkpoint on its **own training tasks**, on **fresh** instances of the same "
           "families (training templates and entity pools, new seeds) and on the **held-out** suite; gaps in "
           f"percentage points with {conf} bootstrap CIs (tasks resampled within each set). A large train − fresh gap "
           "means the model recalls its training instances rather than solving the family; fresh − held-out is the "
           "cost of new wording, entities and families. The overall row's held-out rate covers the whole suite.", ""]  # fmt: skip
    if figure:
        out += [f"![memorization probe]({figure})", ""]
    out += ["| team | domain | tasks (train/fresh/held-out) | train | fresh | held-out | train − fresh | "
            "fresh − held-out | train − held-out |", "|" + "---|" * 9]  # fmt: skip
    for g, df in groups.items():
        for r in df.to_dict("records"):
            gaps = [f"{_pp(r[k])} [{_pp(r[k + '_low'])}, {_pp(r[k + '_high'])}]" for k in GAPS]
            name = f"{g} ⚑" if g in flagged and r["domain"] == OVERALL else g
            out.append(f"| {name} | {domain_name(r['domain'])} | {r['n_train']}/{r['n_fresh']}/{r['n_heldout']} | "
                       f"{_pct(r['pass_train'])} | {_pct(r['pass_fresh'])} | {_pct(r['pass_heldout'])} | "
                       + " | ".join(gaps) + " |")  # fmt: skip
    if flagged:
        out += ["", f"⚑ flagged: train − held-out ≥ {FLAG_GAP * 100:.0f} points (CI above 0) with a held-out Δ whose "
                "CI covers 0 (see Flags)."]  # fmt: skip
    return out + [""]


@dataclass
class ProbeSection:
    """What ``probe_section`` returns: the table, its flags against the scores, the figure (or
    None), the markdown lines and warnings."""

    table: pd.DataFrame
    flags: pd.DataFrame
    figure: object | None
    warnings: list[str] = field(default_factory=list)

    def markdown(self, figure_path: str | None = None, confidence: float = 0.95) -> list[str]:
        return memorization_markdown(self.table, confidence=confidence, flags=self.flags, figure=figure_path)


def probe_section(specs: Sequence[str], heldout_trials: Mapping[str, pd.DataFrame], scores: pd.DataFrame, *,
                  threshold: float = 1.0, n_resamples: int = 2000, seed: int = 0, confidence: float = 0.95,
                  gap: float = FLAG_GAP) -> ProbeSection:  # fmt: skip
    """The memorization piece of a report: probe folders (``DIR`` or ``NAME=DIR``, see
    :func:`arena.probe.load_probe`) → table, flags (against ``scores``), figure.  A probe folder
    without a heldout/ run takes ``heldout_trials[team]`` (the team's scored evaluation)."""
    from arena.probe import load_probe
    from arena.runs import split_spec

    warnings, parts = [], []
    for spec in specs:
        name, folder = split_spec(spec)
        rows = load_probe(spec)
        team = str(rows["team"].iloc[0])
        if not (rows["split"] == "heldout").any():
            if team in heldout_trials:
                rows = load_probe(spec, heldout_run=heldout_trials[team])
            else:
                warnings.append(f"probe {folder}: no heldout/ run and no scored run named {team!r}: "
                                "its held-out pass rate and gaps are n/a (name it NAME=DIR after the team)")  # fmt: skip
        parts.append(rows)
    rows = pd.concat(parts, ignore_index=True)
    if rows.duplicated(["team", "split", "task_id"] + (["sample"] if "sample" in rows else [])).any():
        raise ValueError("two probe folders belong to one team: give each NAME=DIR")
    table = memorization_table(
        rows, threshold=threshold, n_resamples=n_resamples, seed=seed, confidence=confidence
    )
    flags = memorization_flags(table, scores, gap=gap)
    return ProbeSection(table, flags, memorization_figure(table, confidence=confidence), warnings)
