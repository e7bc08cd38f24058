"""Figures of the evaluation: forest plot of the teams' Δ, per-domain Δ bars, transfer heatmap,
learnability histograms and the contamination table.

Every function takes the tidy tables of :mod:`arena.stats`, :mod:`arena.transfer`,
:mod:`arena.learnability` or :mod:`arena.contamination` and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global state, no GUI: works under Agg,
inside a Jupyter kernel and in threads).  Δs are drawn in percentage points (pass rate) or reward
points ×100 (mean reward).  Colours: the Okabe–Ito palette for categories and ColorBrewer's RdBu
(diverging) for Δ maps, both readable with the common colour-vision deficiencies; significance is
also shown by shape/outline, never by colour alone.

:func:`save_figure` writes PNG + SVG with fixed metadata and a fixed SVG id salt, so the same
figure gives the same bytes on every run (same matplotlib version and fonts).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from arena.award import domain_name, domain_ranking, home_domain
from arena.domains import DOMAIN_IDS
from arena.stats import OVERALL, domain_order

#: Okabe & Ito (2008) colour-blind-safe qualitative palette (yellow last: weak on white)
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
GREY = "#999999"
DIVERGING = "RdBu"  # ColorBrewer, colour-blind safe; red = loss, blue = gain
METRICS = {"pass": ("pass rate", "percentage points"), "reward": ("mean reward", "reward points ×100")}
#: fixed metadata: no dates, no version strings that would change the bytes between runs
PNG_METADATA = {"Software": "arena"}
SVG_METADATA = {"Date": None, "Creator": "arena"}
SVG_HASHSALT = "arena"


def _metric(metric: str) -> tuple[str, str]:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {list(METRICS)}, not {metric!r}")
    return METRICS[metric]


def delta_label(metric: str = "pass", baseline: str | None = None) -> str:
    """Axis label of a Δ: ``Δ pass rate vs baseline ref (percentage points)``."""
    name, unit = _metric(metric)
    vs = f"vs baseline {baseline}" if baseline and baseline != "baseline" else "vs baseline"
    return f"Δ {name} {vs} ({unit})"


def _wrap(text: str, width: int = 14) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _train_label(label: str) -> str:
    """Display form of a train_domain label (``sciences+finance-economics``)."""
    parts = [p for p in str(label).split("+") if p]
    if len(parts) == len(DOMAIN_IDS) and set(parts) == set(DOMAIN_IDS):
        return f"all {len(parts)} domains"
    return " + ".join(domain_name(p) for p in parts) if parts else "untrained"


def _caption(fig: Figure, text: str, width: int = 120) -> None:
    """A small grey reading guide under the axes (room reserved by the constrained layout)."""
    fig.supxlabel("\n".join(textwrap.wrap(text, width)), fontsize=7.5, color="#555555", x=0.01, ha="left")


def _color(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


def _need(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing} (has {list(df.columns)})")


def forest_plot(scores: pd.DataFrame, *, domain: str = OVERALL, metric: str = "pass", baseline: str | None = None,
                confidence: float = 0.95, cap: float | None = None, highlight: str | None = None,
                title: str | None = None) -> Figure:  # fmt: skip
    """Forest plot of every team's Δ with its CI on one domain (default ``overall``) of a
    :func:`arena.stats.score_table`, best on top.  Teams sharing a tie group (overlapping CIs) sit
    on one shaded band labelled with the group and their shared rank (``1=``); a dashed line marks
    the median minimum detectable effect.  ``highlight`` draws one team in full, the rest faded.
    Artists: one errorbar container per team (``ax.containers``)."""
    _need(scores, ["team", "domain", "delta", "ci_low", "ci_high", "mde"], "forest_plot needs a score_table")
    board = domain_ranking(scores, domain)
    n = len(board)
    fig = Figure(figsize=(8.0, 1.6 + 0.42 * n), layout="constrained")
    ax = fig.subplots()
    s = 100.0
    y = np.arange(n)[::-1]
    groups = board["tie_group"].to_numpy()
    for k, g in enumerate(dict.fromkeys(groups)):
        rows = np.flatnonzero(groups == g)
        lo, hi = y[rows].min() - 0.5, y[rows].max() + 0.5
        if g and len(rows) > 1:
            ax.axhspan(lo, hi, color="#EEEEEE" if k % 2 == 0 else "#DDDDDD", zorder=0, lw=0)
            ax.text(1.01, (lo + hi) / 2, f"tie group {g}\nrank {board['rank_label'].iloc[rows[0]]}",
                    transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=8, color="#444444")  # fmt: skip
    for i, r in board.iterrows():
        g = int(r["tie_group"])
        color = _color(g - 1) if g else GREY
        faded = highlight is not None and r["team"] != highlight
        err = np.array([[r["delta"] - r["ci_low"]], [r["ci_high"] - r["delta"]]]) * s
        ax.errorbar([r["delta"] * s], [y[i]], xerr=np.nan_to_num(err), fmt="o", mfc=color if g else "white",
                    color=color, ecolor=color, elinewidth=2.2, capsize=4, ms=7, alpha=0.3 if faded else 1.0, zorder=3,
                    label=None)  # fmt: skip
        ax.annotate(f"{r['delta'] * s:+.1f}  [{r['ci_low'] * s:+.1f}, {r['ci_high'] * s:+.1f}]",
                    (r["ci_high"] * s if np.isfinite(r["ci_high"]) else 0, y[i]), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=8, color="#333333",
                    alpha=0.5 if faded else 1.0)  # fmt: skip
    ax.axvline(0, color="black", lw=1, zorder=1)
    mde = board["mde"].median()
    if np.isfinite(mde):
        ax.axvline(mde * s, color="#555555", lw=1, ls="--", zorder=1)
        ax.text(mde * s, 0.99, f" MDE {mde * s:.1f}", transform=ax.get_xaxis_transform(), va="top", ha="left",
                fontsize=8, color="#555555")  # fmt: skip
    labels = [f"{t}  ({rl})" for t, rl in zip(board["team"], board["rank_label"])]
    ax.set_yticks(y, labels)
    if highlight is not None:
        for lab, t in zip(ax.get_yticklabels(), board["team"]):
            lab.set_fontweight("bold" if t == highlight else "normal")
    ax.set_ylim(-0.7, n - 0.3)
    lo = np.nanmin(np.r_[board["ci_low"].to_numpy(float) * s, 0.0])
    hi = np.nanmax(np.r_[board["ci_high"].to_numpy(float) * s, 0.0, mde * s if np.isfinite(mde) else 0.0])
    pad = max(hi - lo, 1.0) * 0.08
    ax.set_xlim(lo - pad, hi + 4 * pad)
    ax.set_xlabel(delta_label(metric, baseline))
    ax.grid(axis="x", color="#DDDDDD", lw=0.6)
    ax.set_axisbelow(True)
    name = _metric(metric)[0]
    where = "overall" if domain == OVERALL else f"on {domain_name(domain)}"
    capped = f"; overall capped at {cap:.0%} per domain" if cap is not None and domain == OVERALL else ""
    ax.set_title(title or f"Δ {name} of each team vs baseline{' ' + baseline if baseline and baseline != 'baseline' else ''}, {where}",
                 loc="left", fontsize=11)  # fmt: skip
    _caption(fig, f"points: Δ; bars: {confidence:.0%} CI (paired bootstrap); shaded: tie groups (overlapping CIs "
                  f"share a rank); dashed: median MDE (80% power){capped}")  # fmt: skip
    return fig


def domain_bars(scores: pd.DataFrame, *, teams: Sequence[str] | None = None, metric: str = "pass",
                baseline: str | None = None, confidence: float = 0.95, title: str | None = None) -> Figure:  # fmt: skip
    """Grouped bars of each team's Δ per domain (domain rows of a score_table; the overall row is
    left out), with CI whiskers.  Bars whose CI includes 0 are drawn hatched and pale: the gain or
    loss is not distinguishable from the baseline.  ``teams`` picks and orders teams (default:
    the overall ranking).  Artists: one BarContainer (+ one errorbar container) per team, so
    ``len(ax.patches) == teams × domains``."""
    _need(scores, ["team", "domain", "delta", "ci_low", "ci_high"], "domain_bars needs a score_table")
    dom = scores[scores["domain"] != OVERALL]
    if dom.empty:
        raise ValueError("domain_bars: the score table has no per-domain row")
    if teams is None:
        teams = domain_ranking(scores, OVERALL)["team"].tolist() if (scores["domain"] == OVERALL).any() \
            else list(dict.fromkeys(dom["team"]))  # fmt: skip
    unknown = sorted(set(teams) - set(dom["team"]))
    if unknown:
        raise ValueError(f"domain_bars: no scores for team(s) {unknown}")
    doms = domain_order(dom["domain"].unique())
    t_n, d_n = len(teams), len(doms)
    fig = Figure(figsize=(max(8.0, 1.1 * d_n + 0.25 * t_n * d_n * 0.5), 4.8), layout="constrained")
    ax = fig.subplots()
    s = 100.0
    width = 0.8 / t_n
    x = np.arange(d_n)
    table = dom.set_index(["team", "domain"])
    for i, team in enumerate(teams):
        rows = table.loc[team].reindex(doms)
        d = rows["delta"].to_numpy(float) * s
        lo, hi = rows["ci_low"].to_numpy(float) * s, rows["ci_high"].to_numpy(float) * s
        sig = (lo > 0) | (hi < 0)
        pos = x - 0.4 + width * (i + 0.5)
        color = _color(i)
        bars = ax.bar(
            pos, np.nan_to_num(d), width * 0.92, color=color, edgecolor=color, lw=0.8, label=team, zorder=2
        )
        for b, ok in zip(bars, sig):
            if not ok:
                b.set_alpha(0.45)
                b.set_hatch("///")
                b.set_facecolor("white")
        ax.errorbar(pos, np.nan_to_num(d), yerr=np.nan_to_num(np.vstack([d - lo, hi - d])), fmt="none",
                    ecolor="#333333", elinewidth=0.9, capsize=2, zorder=3)  # fmt: skip
    ax.axhline(0, color="black", lw=1)
    ax.set_xticks(x, [_wrap(domain_name(d)) for d in doms], fontsize=8)
    ax.set_xlim(-0.55, d_n - 0.45)
    ax.set_ylabel(delta_label(metric, baseline))
    ax.grid(axis="y", color="#DDDDDD", lw=0.6)
    ax.set_axisbelow(True)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(
        Patch(facecolor="white", edgecolor="#555555", hatch="///", label=f"{confidence:.0%} CI includes 0")
    )
    ax.legend(handles=handles, fontsize=8, ncols=min(t_n + 1, 5), loc="upper left", bbox_to_anchor=(0, -0.14),
              frameon=False)  # fmt: skip
    ax.set_title(title or f"Δ {_metric(metric)[0]} per domain, each team vs baseline{' ' + baseline if baseline and baseline != 'baseline' else ''} "
                 f"(whiskers: {confidence:.0%} CI)", loc="left", fontsize=11)  # fmt: skip
    return fig


def transfer_heatmap(table: pd.DataFrame, *, metric: str = "pass", confidence: float = 0.95,
                     title: str | None = None) -> Figure:  # fmt: skip
    """Heatmap of a tidy :func:`arena.transfer.transfer_table` (rows: trained on) or
    :func:`arena.transfer.family_table` (rows: environment family) against eval domains: colour =
    Δ (RdBu, symmetric around 0), text = Δ and its CI in points.  A cell whose CI excludes 0 is
    outlined in black and its text is bold; a trained domain (a family's own domain) is outlined dotted.
    Artists: ``ax.images[0]`` holds the matrix; one Rectangle patch per significant cell."""
    from arena.transfer import transfer_pivot

    _need(
        table,
        ["eval_domain", "delta", "ci_low", "ci_high"],
        "transfer_heatmap needs a transfer_table/family_table",
    )
    key = table.columns[0]
    delta = transfer_pivot(table, "delta")
    lo, hi = transfer_pivot(table, "ci_low"), transfer_pivot(table, "ci_high")
    cols = domain_order(delta.columns)
    delta, lo, hi = (m.reindex(columns=cols) for m in (delta, lo, hi))
    s = 100.0
    m = delta.to_numpy(float) * s
    r_n, c_n = m.shape
    fig = Figure(figsize=(1.25 * c_n + 3.2, 0.62 * r_n + 2.6), layout="constrained")
    ax = fig.subplots()
    lim = np.nanmax(np.abs(m)) if np.isfinite(m).any() else 1.0
    lim = max(lim, 1.0)
    cmap = mpl.colormaps[DIVERGING].with_extremes(bad="#DDDDDD")
    im = ax.imshow(np.ma.masked_invalid(m), cmap=cmap, vmin=-lim, vmax=lim, aspect="auto")
    for i in range(r_n):
        row_label = str(delta.index[i])
        trained = (
            row_label.split("+")
            if key == "train_domain"
            else [home_domain(row_label)]
            if key == "family"
            else []
        )
        for j in range(c_n):
            v, a, b = m[i, j], lo.iat[i, j] * s, hi.iat[i, j] * s
            sig = np.isfinite(a) and (a > 0 or b < 0)
            dark = np.isfinite(v) and abs(v) > 0.6 * lim
            text = "n/a" if not np.isfinite(v) else f"{v:+.1f}\n[{a:+.1f}, {b:+.1f}]"
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5, color="white" if dark else "black",
                    fontweight="bold" if sig else "normal")  # fmt: skip
            if sig:
                ax.add_patch(Rectangle((j - 0.48, i - 0.48), 0.96, 0.96, fill=False, ec="black", lw=1.8))
            elif cols[j] in trained:
                ax.add_patch(
                    Rectangle((j - 0.48, i - 0.48), 0.96, 0.96, fill=False, ec="#444444", lw=1, ls=":")
                )
    ax.set_xticks(range(c_n), [_wrap(domain_name(c), 12) for c in cols], fontsize=8)
    ylabels = [_train_label(r) if key == "train_domain" else str(r) for r in delta.index]
    ax.set_yticks(range(r_n), [_wrap(y_, 28) for y_ in ylabels], fontsize=8)
    ax.set_xlabel("evaluated on (held-out domain)")
    ax.set_ylabel(
        "trained on (domains)" if key == "train_domain" else f"trained on ({key.replace('_', ' ')})"
    )
    cb = fig.colorbar(im, ax=ax, shrink=0.85)
    cb.set_label(f"Δ {_metric(metric)[0]} vs baseline ({_metric(metric)[1]})")
    what = "domain" if key == "train_domain" else key.replace("_", " ")
    ax.set_title(title or f"Transfer: Δ {_metric(metric)[0]} on each held-out domain after training on one {what}",
                 loc="left", fontsize=11)  # fmt: skip
    _caption(fig, f"cell: Δ [{confidence:.0%} CI] in {_metric(metric)[1]}; black outline + bold: CI excludes 0"
                  + {"train_domain": "; dotted: a trained domain", "family": "; dotted: the family's own domain"}
                  .get(key, ""))  # fmt: skip
    return fig


LEARN_CLASSES = (  # (label, colour): stacked in this order
    ("always fails", "#D55E00"),
    ("outside band", GREY),
    ("in band", "#009E73"),
    ("always passes", "#0072B2"),
)


def learnability_histograms(tasks: pd.DataFrame, *, band: tuple[float, float] = (0.0, 1.0), metric: str = "pass",
                            bins: int = 10, ncols: int = 4, title: str | None = None) -> Figure:  # fmt: skip
    """Per-domain histograms of per-task pass rate (or mean reward) from
    :func:`arena.learnability.task_learnability`, one panel per domain, the useful band shaded.
    Each bin is stacked by class: always fails (every sample failed: no GRPO signal), always
    passes (likewise), outside the band, in the band.  The panel title says how many tasks and
    what share is in the band.  Artists: one visible Axes per domain; each holds
    ``len(LEARN_CLASSES) × bins`` bar patches."""
    _need(tasks, ["domain", "task_id", "n", "value", "all_fail", "all_pass", "outside_band"],
          "learnability_histograms needs a task_learnability table")  # fmt: skip
    t = tasks[tasks["n"] > 0]
    if t.empty:
        raise ValueError("learnability_histograms: no task has a counted sample")
    doms = domain_order(t["domain"].unique())
    ncols = min(ncols, len(doms))
    nrows = int(np.ceil(len(doms) / ncols))
    fig = Figure(figsize=(3.0 * ncols + 0.6, 2.5 * nrows + 1.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
    edges = np.linspace(0.0, 1.0, bins + 1)
    width = edges[1] - edges[0]
    name = "pass rate" if metric == "pass" else "mean reward"
    for ax, d in zip(axes, doms):
        g = t[t["domain"] == d]
        fail, pas = g["all_fail"].astype(bool), g["all_pass"].astype(bool)
        out = g["outside_band"].astype(bool) & ~fail & ~pas
        inb = ~g["outside_band"].astype(bool)
        bottom = np.zeros(bins)
        ax.axvspan(band[0], band[1], color="#009E73", alpha=0.10, lw=0, zorder=0)
        for (label, color), mask in zip(LEARN_CLASSES, (fail, out, inb, pas)):
            counts, _ = np.histogram(g.loc[mask, "value"].clip(0, 1), bins=edges)
            ax.bar(edges[:-1], counts, width=width, align="edge", bottom=bottom, color=color, edgecolor="white",
                   lw=0.5, label=label, zorder=2)  # fmt: skip
            bottom += counts
        share = inb.mean()
        ax.set_title(f"{domain_name(d)}\n{len(g)} tasks, {share:.0%} in band", fontsize=9)
        ax.set_xlim(0, 1)
        ax.grid(axis="y", color="#DDDDDD", lw=0.6)
        ax.set_axisbelow(True)
        ax.yaxis.get_major_locator().set_params(integer=True)
    for k, ax in enumerate(axes):
        if k >= len(doms):
            ax.set_visible(False)
            continue
        if k % ncols == 0:
            ax.set_ylabel("tasks")
        if k >= len(doms) - ncols:
            ax.set_xlabel(f"per-task {name}")
            ax.tick_params(labelbottom=True)
    handles = [Patch(color=c, label=lab) for lab, c in LEARN_CLASSES]
    handles.append(Patch(color="#009E73", alpha=0.10, label=f"useful band ({band[0]:g}, {band[1]:g})"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
    fig.suptitle(title or f"Learnability: distribution of per-task {name} by domain (tasks outside the band give "
                 "GRPO little or no signal)", fontsize=11)  # fmt: skip
    return fig


CONTAMINATION_COLUMNS = (  # (column, header)
    ("task_id", "task"),
    ("source", "source"),
    ("match_task_id", "closest match"),
    ("match_source", "match source"),
    ("kind", "kind"),
    ("ngram13", "13-gram"),
    ("ngram8", "8-gram"),
    ("jaccard", "Jaccard"),
    ("reason", "flagged by"),
)


def contamination_figure(report: pd.DataFrame, *, max_rows: int = 25, title: str | None = None) -> Figure:
    """The flagged rows of a :func:`arena.contamination.contamination_report` as a table figure
    (at most ``max_rows``; a footer counts the rest).  With nothing flagged, the five closest
    pairs are shown under a title that says none crossed a threshold.  Artists: one
    ``matplotlib.table.Table`` in ``ax.tables`` with (rows + 1) × 9 cells."""
    _need(
        report,
        [c for c, _ in CONTAMINATION_COLUMNS] + ["flagged", "score"],
        "contamination_figure needs a contamination_report",
    )
    flagged = report[report["flagged"].astype(bool)]
    none = flagged.empty
    shown = (report.sort_values("score", ascending=False, kind="stable").head(5) if none else flagged).head(
        max_rows
    )
    rest = (0 if none else len(flagged)) - len(shown)
    cells = []
    for _, r in shown.iterrows():
        row = []
        for c, _ in CONTAMINATION_COLUMNS:
            v = r[c]
            row.append(f"{v:.2f}" if isinstance(v, float) and np.isfinite(v) else ("" if v is None or
                       (isinstance(v, float) and not np.isfinite(v)) else str(v)))  # fmt: skip
        cells.append(row)
    headers = [h for _, h in CONTAMINATION_COLUMNS]
    chars = np.array(
        [max([len(h), *(len(row[k]) for row in cells)]) + 2 for k, h in enumerate(headers)], float
    )
    n = max(len(cells), 1)
    fig = Figure(figsize=(float(np.clip(chars.sum() * 0.075 + 0.4, 7.0, 22.0)), 0.9 + 0.26 * (n + 1)),
                 layout="constrained")  # fmt: skip
    ax = fig.subplots()
    ax.axis("off")
    if cells:
        tab = ax.table(cellText=cells, colLabels=headers, colWidths=list(chars / chars.sum()), bbox=[0, 0, 1, 1],
                       cellLoc="left", colLoc="left")  # fmt: skip
        tab.auto_set_font_size(False)
        tab.set_fontsize(8)
        for (row, _), cell in tab.get_celld().items():
            cell.set_edgecolor("#CCCCCC")
            if row == 0:
                cell.set_text_props(fontweight="bold")
                cell.set_facecolor("#EEEEEE")
    else:
        ax.text(0.5, 0.5, "no document had a candidate match", ha="center", va="center")
    if title is None:
        title = ("Contamination guard: no near-duplicate crossed a threshold (closest pairs shown)" if none else
                 f"Contamination guard: {len(flagged)} task(s) flagged as near-duplicates of held-out or other teams' tasks")  # fmt: skip
    ax.set_title(title, loc="left", fontsize=11)
    if rest > 0:
        fig.supxlabel(
            f"… {rest} more flagged row(s) in tables/contamination.csv", fontsize=8, x=0.01, ha="left"
        )
    return fig


def save_figure(
    fig: Figure, stem: str | Path, *, formats: Sequence[str] = ("png", "svg"), dpi: int = 150
) -> list[Path]:
    """Write ``stem.png`` / ``stem.svg`` (parents created) with fixed metadata and SVG id salt:
    identical bytes for identical figures.  Returns the paths written."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "pdf.fonttype": 42}):
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            meta = {"png": PNG_METADATA, "svg": SVG_METADATA}.get(fmt)
            fig.savefig(path, format=fmt, dpi=dpi, metadata=meta, facecolor="white")
            out.append(path)
    return out


def figure_png(fig: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (for widgets and HTML reports)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA, facecolor="white")
    return buf.getvalue()


__all__ = [
    "CONTAMINATION_COLUMNS",
    "LEARN_CLASSES",
    "OKABE_ITO",
    "contamination_figure",
    "delta_label",
    "domain_bars",
    "figure_png",
    "forest_plot",
    "learnability_histograms",
    "save_figure",
    "transfer_heatmap",
]
