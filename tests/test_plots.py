"""arena.plots: every figure has the artists its data implies; saved bytes are stable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from arena.domains import DOMAIN_IDS  # noqa: E402
from arena.learnability import task_learnability  # noqa: E402
from arena.plots import (  # noqa: E402
    CONTAMINATION_COLUMNS,
    LEARN_CLASSES,
    contamination_figure,
    delta_label,
    domain_bars,
    forest_plot,
    learnability_histograms,
    save_figure,
    transfer_heatmap,
)
from arena.stats import OVERALL, score_table  # noqa: E402
from arena.transfer import family_table, transfer_table  # noqa: E402

D = list(DOMAIN_IDS)
PER, K = 10, 4
DOMS = np.repeat(D, PER)
Q = np.random.default_rng(0).uniform(0.15, 0.55, DOMS.size)


def trials(lift, seed):
    rng = np.random.default_rng(seed)
    p = np.clip(Q + lift, 0, 1)
    reward = (rng.random((p.size, K)) < p[:, None]).astype(float).ravel()
    return pd.DataFrame({"task_id": np.repeat([f"t{i:03d}" for i in range(p.size)], K),
                         "domain": np.repeat(DOMS, K), "sample": np.tile(np.arange(K), p.size),
                         "agent": "m", "reward": reward, "status": "ok"})  # fmt: skip


@pytest.fixture(scope="module")
def world():
    runs = {"base": trials(0.0, 0), "broad": trials(0.3, 1), "sci": trials(np.where(DOMS == "sciences", 0.45, 0.0), 2),
            "null1": trials(0.0, 3), "null2": trials(0.0, 4)}  # fmt: skip
    teams = {k: v for k, v in runs.items() if k != "base"}
    scores = score_table(teams, runs["base"], n_resamples=1000, cap=0.2)
    meta = pd.DataFrame([("base", None, None), ("broad", "+".join(D), "fam-a"), ("sci", "sciences", "unit-convert"),
                         ("null1", "cybersecurity", "web-attack-type"), ("null2", "sciences+finance", "fam-a")],
                        columns=["run", "train_domains", "family"])  # fmt: skip
    return runs, scores, meta


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_forest_plot_one_point_per_team_and_tie_bands(world):
    _, scores, _ = world
    fig = forest_plot(scores, baseline="base", cap=0.2)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.containers) == 4  # one errorbar per team
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("broad  (1)")  # best on top
    assert sum("(2=)" in lab for lab in labels) >= 2  # null1 / null2 tie (their CIs overlap)
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("tie group 2") for t in texts)
    assert any("MDE" in t for t in texts)
    assert "percentage points" in ax.get_xlabel() and "baseline base" in ax.get_xlabel()
    assert "overall" in ax.get_title(loc="left")
    # a domain view, one team highlighted (bold tick), others faded
    fig = forest_plot(scores, domain="sciences", highlight="sci")
    ax = fig.axes[0]
    assert "Sciences" in ax.get_title(loc="left")
    bold = [t.get_text().split()[0] for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["sci"]
    with pytest.raises(ValueError, match="score_table"):
        forest_plot(scores.drop(columns="mde"))


def test_domain_bars_one_bar_per_team_and_domain(world):
    _, scores, _ = world
    fig = domain_bars(scores)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 4 * 8
    dom = scores[scores["domain"] != OVERALL]
    n_insig = int(((dom["ci_low"] <= 0) & (dom["ci_high"] >= 0)).sum())
    assert sum(bool(b.get_hatch()) for b in bars) == n_insig  # CI includes 0: hatched
    assert [t.get_text() for t in ax.get_legend().get_texts()][:4] == ["broad", "sci", "null1", "null2"]
    assert "Sciences" in [t.get_text() for t in ax.get_xticklabels()]
    fig = domain_bars(scores, teams=["sci"], metric="reward")
    assert len(fig.axes[0].patches) == 8 and "mean reward" in fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match="no scores for team"):
        domain_bars(scores, teams=["ghost"])


def test_transfer_heatmap_marks_cells_whose_ci_excludes_zero(world):
    runs, _, meta = world
    t = transfer_table(runs, meta, n_resamples=500)
    fig = transfer_heatmap(t)
    ax = fig.axes[0]
    n_rows = t["train_domain"].nunique()
    assert ax.images[0].get_array().shape == (n_rows, 8)
    solid = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_linewidth() > 1.5]
    sig = int(((t["ci_low"] > 0) | (t["ci_high"] < 0)).sum())
    assert sig > 0 and len(solid) == sig
    bold = [x for x in ax.texts if x.get_fontweight() == "bold"]
    assert len(bold) == sig and len(ax.texts) == n_rows * 8
    assert "all 8 domains" in [x.get_text() for x in ax.get_yticklabels()]
    assert ax.get_xlabel().startswith("evaluated on")
    f = family_table(runs, meta, n_resamples=500)
    fig = transfer_heatmap(f)
    assert fig.axes[0].images[0].get_array().shape == (f["family"].nunique(), 8)
    assert "family" in fig.axes[0].get_ylabel()
    # web-attack-type (home: cybersecurity) did not lift its own domain: that cell is outlined dotted
    dotted = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_linestyle() == ":"]
    assert len(dotted) == 1 and dotted[0].get_xy()[0] == pytest.approx(D.index("cybersecurity") - 0.48)


def test_learnability_histograms_one_panel_per_domain(world):
    runs, _, _ = world
    tl = task_learnability(runs["base"], band=(0.1, 0.9))
    fig = learnability_histograms(tl, band=(0.1, 0.9), bins=5)
    axes = visible_axes(fig)
    assert len(axes) == 8
    for ax in axes:
        assert len(ax.patches) == len(LEARN_CLASSES) * 5 + 1  # stacked bars + the shaded band
        assert "tasks" in ax.get_title() and "in band" in ax.get_title()
    heights = sum(p.get_height() for p in axes[0].patches[1:])
    assert heights == PER  # every task of the domain is counted once
    three = tl[tl["domain"].isin(D[:3])]
    assert len(visible_axes(learnability_histograms(three))) == 3
    with pytest.raises(ValueError, match="task_learnability"):
        learnability_histograms(tl.drop(columns="outside_band"))


def contamination_rows(n_flagged, n_plain=2):
    rows = []
    for i in range(n_flagged + n_plain):
        f = i < n_flagged
        rows.append({"task_id": f"t{i}", "source": "team", "match_task_id": f"h{i}", "match_source": "heldout",
                     "kind": "heldout", "ngram13": 0.5 if f else 0.01, "ngram8": 0.6 if f else 0.02,
                     "jaccard": 0.4 if f else 0.0, "score": 0.6 if f else 0.02, "flagged": f,
                     "n_flagged": int(f), "reason": "ngram13" if f else None})  # fmt: skip
    return pd.DataFrame(rows)


def test_contamination_figure_shows_flagged_rows():
    fig = contamination_figure(contamination_rows(3))
    ax = fig.axes[0]
    cells = ax.tables[0].get_celld()
    assert len(cells) == (3 + 1) * len(CONTAMINATION_COLUMNS)
    assert "3 task(s) flagged" in ax.get_title(loc="left")
    fig = contamination_figure(contamination_rows(30), max_rows=10)
    assert len(fig.axes[0].tables[0].get_celld()) == 11 * len(CONTAMINATION_COLUMNS)
    assert "20 more flagged row(s)" in fig.get_supxlabel()
    fig = contamination_figure(contamination_rows(0, 8))
    assert "no near-duplicate" in fig.axes[0].get_title(loc="left")
    assert len(fig.axes[0].tables[0].get_celld()) == 6 * len(CONTAMINATION_COLUMNS)  # the 5 closest


def test_save_figure_writes_png_and_svg_with_stable_bytes(world, tmp_path):
    _, scores, _ = world
    a = save_figure(forest_plot(scores), tmp_path / "a" / "forest")
    b = save_figure(forest_plot(scores), tmp_path / "b" / "forest")
    assert [p.suffix for p in a] == [".png", ".svg"] and all(p.stat().st_size > 1000 for p in a)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    svg = a[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert a[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_labels_name_metric_and_units():
    assert delta_label("pass", "ref") == "Δ pass rate vs baseline ref (percentage points)"
    assert "reward points" in delta_label("reward")
    with pytest.raises(ValueError, match="metric"):
        delta_label("accuracy")
