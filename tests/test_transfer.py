"""arena.transfer: zero-shot matrix, pivot, diagonal summary, family view, warm-start gains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arena.domains import DOMAIN_IDS
from arena.transfer import (
    family_table,
    train_set,
    transfer_pivot,
    transfer_summary,
    transfer_table,
    warm_start_table,
)

D = list(DOMAIN_IDS[:4])  # sciences, industrial-energy, cybersecurity, finance-economics
PER, K = 40, 8
DOMS = np.repeat(D, PER)
Q = np.random.default_rng(0).uniform(0.1, 0.6, DOMS.size)


def trials(p, seed):
    rng = np.random.default_rng(seed)
    n = len(p)
    reward = (rng.random((n, K)) < np.asarray(p)[:, None]).astype(float).ravel()
    return pd.DataFrame({"task_id": np.repeat([f"t{i:03d}" for i in range(n)], K),
                         "domain": np.repeat(DOMS, K), "sample": np.tile(np.arange(K), n),
                         "agent": "m", "reward": reward, "status": "ok"})  # fmt: skip


def lifted(train, own=0.25, other=0.0):
    """True pass probabilities after training on ``train``: +own on those domains, +other elsewhere."""
    return Q + np.where(np.isin(DOMS, train), own, other)


@pytest.fixture(scope="module")
def world():
    runs = {"base": trials(Q, 1)}
    meta = [("base", None, None, "base")]
    for i, d in enumerate(D):
        runs[f"z-{d}"] = trials(lifted([d]), 10 + i)
        meta.append((f"z-{d}", d, f"fam{i % 2}", "base"))
    runs["z-pair"] = trials(lifted([D[0], D[2]]), 30)
    meta.append(("z-pair", f"{D[2]}, {D[0]}", None, ""))  # string form, order-insensitive
    runs["z-sci-seed2"] = trials(lifted([D[0]]), 31)  # a second seed of the sciences recipe
    meta.append(("z-sci-seed2", ["science"], "fam0", "base"))  # alias of sciences
    # fine-tuned on industrial-energy starting from the sciences model; a +0.15 head start
    runs["warm"] = trials(lifted([D[1]], own=0.40), 40)
    meta.append(("warm", D[1], None, f"z-{D[0]}"))
    return runs, pd.DataFrame(meta, columns=["run", "train_domains", "family", "start"])


def test_train_set_canonicalizes():
    assert train_set(None) == () and train_set("") == () and train_set([]) == ()
    assert train_set("finance+science") == ("sciences", "finance-economics")
    assert train_set(["swe", "security"]) == ("cybersecurity", "software-engineering")
    with pytest.raises(KeyError):
        train_set("astrology")


def test_zero_shot_matrix_finds_the_planted_diagonal(world):
    runs, meta = world
    t = transfer_table(runs, meta, n_resamples=2000)
    assert list(t.columns) == ["train_domain", "eval_domain", "delta", "ci_low", "ci_high", "n", "n_runs", "diagonal"]
    assert t["train_domain"].unique().tolist() == [*D, f"{D[0]}+{D[2]}"]  # singles first, DOMAIN_IDS order
    assert (t["n"] == PER).all()
    diag, off = t[t["diagonal"]], t[~t["diagonal"]]
    assert (diag["ci_low"] > 0).all() and np.allclose(diag["delta"], 0.25, atol=0.08)
    assert ((off["ci_low"] <= 0) & (off["ci_high"] >= 0)).mean() >= 0.8  # true off-diagonal effect 0
    assert t.loc[t["train_domain"] == D[0], "n_runs"].eq(2).all()  # the two seeds were pooled
    piv = transfer_pivot(t)
    assert piv.shape == (5, 4) and list(piv.columns) == D
    assert piv.loc[D[1], D[1]] == pytest.approx(t.query("train_domain == @D[1] and eval_domain == @D[1]")["delta"].item())
    assert (transfer_pivot(t, "n") == PER).all().all()


def test_diagonal_summary_gap_has_a_ci(world):
    runs, meta = world
    s = transfer_summary(runs, meta, n_resamples=2000).set_index("kind")
    assert s.loc["diagonal", "n_cells"] == 6 and s.loc["off_diagonal", "n_cells"] == 14
    assert s.loc["gap", "mean"] == pytest.approx(s.loc["diagonal", "mean"] - s.loc["off_diagonal", "mean"])
    assert s.loc["gap", "ci_low"] > 0.15
    assert s.loc["off_diagonal", "ci_low"] < 0 < s.loc["off_diagonal", "ci_high"]  # true effect 0


def test_family_view_averages_runs_per_family(world):
    runs, meta = world
    f = family_table(runs, meta, n_resamples=1000)
    assert f["family"].unique().tolist() == ["fam0", "fam1"]
    # fam0: sciences (two seeds) + cybersecurity; fam1: industrial-energy + finance
    assert f.loc[f["family"] == "fam0", "n_runs"].eq(3).all()
    lift = f.set_index(["family", "eval_domain"])["delta"]
    assert lift[("fam0", D[0])] > lift[("fam0", D[1])] and lift[("fam1", D[1])] > lift[("fam1", D[0])]


def test_warm_start_gain_is_measured_against_the_same_corpus_from_base(world):
    runs, meta = world
    w = warm_start_table(runs, meta, n_resamples=2000)
    assert len(w) == 1
    row = w.iloc[0]
    assert (row["run"], row["control"], row["start_run"], row["train_domain"], row["eval_domain"]) == (
        "warm", f"z-{D[1]}", f"z-{D[0]}", D[0], D[1])  # fmt: skip
    assert row["ci_low"] > 0 and row["gain"] == pytest.approx(0.15, abs=0.08)
    explicit = warm_start_table(runs, meta.assign(control=[None] * (len(meta) - 1) + ["base"]), n_resamples=500)
    assert explicit.iloc[0]["control"] == "base" and explicit.iloc[0]["gain"] > row["gain"]


def test_inputs_are_checked(world):
    runs, meta = world
    with pytest.raises(ValueError, match="no trials"):
        transfer_table({"base": runs["base"]}, meta)
    two_bases = pd.concat([meta, pd.DataFrame([("base2", "", None, "base")], columns=meta.columns)])
    with pytest.raises(ValueError, match="exactly one untrained"):
        transfer_table({**runs, "base2": runs["base"]}, two_bases)
    assert len(transfer_table({**runs, "base2": runs["base"]}, two_bases, baseline="base", n_resamples=100)) == 20
    with pytest.raises(ValueError, match="no warm-start"):
        warm_start_table(runs, meta[meta["run"] != "warm"])


def test_same_seed_same_tables(world):
    runs, meta = world
    pd.testing.assert_frame_equal(transfer_table(runs, meta, n_resamples=500, seed=2),
                                  transfer_table(runs, meta, n_resamples=500, seed=2))  # fmt: skip
