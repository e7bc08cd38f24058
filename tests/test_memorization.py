"""The memorization probe on planted evaluation rows: known pass counts in, exact rates and gaps out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arena.memorization import label_splits, memorization_table, probe_rows, task_scores


def _rows(team: str, domain: str, split: str, passes: int, n: int, prefix: str = "") -> list[dict]:
    return [{"team": team, "domain": domain, "split": split, "task_id": f"{prefix}{domain}-{split}-{i}",
             "reward": 1.0 if i < passes else 0.1, "status": "ok"} for i in range(n)]  # fmt: skip


@pytest.fixture
def planted() -> pd.DataFrame:
    rows = []
    # "memo" passes 9/10 of its training tasks, 3/10 fresh instances, 2/10 held-out (cybersecurity)
    rows += _rows("memo", "cybersecurity", "train", 9, 10)
    rows += _rows("memo", "cybersecurity", "fresh", 3, 10)
    rows += _rows("memo", "cybersecurity", "heldout", 2, 10)
    # and in sciences 4/4, 2/4, 1/4
    rows += _rows("memo", "sciences", "train", 4, 4)
    rows += _rows("memo", "sciences", "fresh", 2, 4)
    rows += _rows("memo", "sciences", "heldout", 1, 4)
    # "general" passes half of everything in one domain: no gap at all
    for split in ("train", "fresh", "heldout"):
        rows += _rows("general", "sciences", split, 5, 10, prefix="g-")
    return pd.DataFrame(rows)


def test_planted_rates_and_gaps(planted):
    t = memorization_table(planted, n_resamples=500, seed=1).set_index(["team", "domain"])
    cyber = t.loc[("memo", "cybersecurity")]
    assert (cyber["n_train"], cyber["n_fresh"], cyber["n_heldout"]) == (10, 10, 10)
    assert cyber["pass_train"] == pytest.approx(0.9)
    assert cyber["pass_fresh"] == pytest.approx(0.3)
    assert cyber["pass_heldout"] == pytest.approx(0.2)
    assert cyber["memorization_gap"] == pytest.approx(0.6)
    assert cyber["generalization_gap"] == pytest.approx(0.1)
    assert cyber["train_heldout_gap"] == pytest.approx(0.7)
    # overall pools the two domains task-weighted: (9+4)/14, (3+2)/14, (2+1)/14
    ov = t.loc[("memo", "overall")]
    assert ov["pass_train"] == pytest.approx(13 / 14)
    assert ov["pass_fresh"] == pytest.approx(5 / 14)
    assert ov["pass_heldout"] == pytest.approx(3 / 14)
    assert ov["memorization_gap"] == pytest.approx(8 / 14)
    # a real 60-point memorization gap on 10 + 10 tasks: its CI excludes 0 and holds the estimate
    assert 0 < cyber["memorization_gap_low"] <= 0.6 <= cyber["memorization_gap_high"]
    # no gap: estimate 0 and a CI around it
    gen = t.loc[("general", "sciences")]
    assert gen["memorization_gap"] == 0 and gen["memorization_gap_low"] < 0 < gen["memorization_gap_high"]
    assert [d for g, d in t.index if g == "memo"] == ["cybersecurity", "sciences", "overall"]
    assert [g for g, _ in t.index] == ["general", "general", "memo", "memo", "memo"]


def test_ci_degenerate_and_deterministic(planted):
    same = planted[planted["team"] == "general"].assign(reward=1.0)
    t = memorization_table(same, n_resamples=200)
    row = t[t["domain"] == "sciences"].iloc[0]
    assert (row["memorization_gap_low"], row["memorization_gap_high"]) == (0.0, 0.0)
    a = memorization_table(planted, n_resamples=300, seed=7)
    b = memorization_table(planted, n_resamples=300, seed=7)
    pd.testing.assert_frame_equal(a, b)


def test_samples_exclusions_and_three_sets():
    rows = pd.DataFrame([
        # one task, 4 samples: 3 pass, 1 infra error (excluded) -> 3/3 ... plus a failing sample -> 3/4
        {"run": "r", "domain": "d", "task_id": "t1", "reward": 1.0, "status": "ok"},
        {"run": "r", "domain": "d", "task_id": "t1", "reward": 1.0, "status": "ok"},
        {"run": "r", "domain": "d", "task_id": "t1", "reward": 1.0, "status": "ok"},
        {"run": "r", "domain": "d", "task_id": "t1", "reward": 0.0, "status": "ok"},
        {"run": "r", "domain": "d", "task_id": "t1", "reward": None, "status": "infra_error"},
        {"run": "r", "domain": "d", "task_id": "t2", "reward": 0.5, "status": "ok"},
    ])  # fmt: skip
    held = pd.DataFrame([{"run": "r", "domain": "d", "task_id": "h1", "reward": 1.0, "status": "ok"}])
    t = memorization_table(train=rows, heldout=held, group="run", n_resamples=100)
    row = t[t["domain"] == "d"].iloc[0]
    assert row["pass_train"] == pytest.approx((0.75 + 0.0) / 2)
    assert row["pass_heldout"] == 1.0
    assert row["n_fresh"] == 0 and np.isnan(row["pass_fresh"]) and np.isnan(row["memorization_gap_low"])
    assert row["train_heldout_gap"] == pytest.approx(0.375 - 1.0)
    s = task_scores(probe_rows(train=rows), group="run")
    assert s.set_index("task_id").loc["t1", "n"] == 4


def test_label_splits_and_errors():
    rows = pd.DataFrame({"task_id": ["a", "b", "c"], "reward": [1, 0, 1]})
    out = label_splits(rows, train_ids=["a"], heldout_ids=["c"])
    assert list(out["split"]) == ["train", "fresh", "heldout"]
    with pytest.raises(ValueError, match="both training and held-out"):
        label_splits(rows, train_ids=["a"], heldout_ids=["a"])
    with pytest.raises(ValueError, match="lack column"):
        memorization_table(rows.assign(split="train"))
    with pytest.raises(ValueError, match="unknown split"):
        task_scores(rows.assign(split="dev", team="x", domain="d"))
