"""A synthetic results folder in the showcase layout, with planted effects (for analysis tests)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from arena.domains import DOMAIN_IDS

TASKS_PER_DOMAIN = 16


def _trials(name: str, rates: dict[str, float], seed: int, samples: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for d in DOMAIN_IDS:
        for i in range(TASKS_PER_DOMAIN):
            tid = f"{d}-task-{i:02d}"
            for s in range(samples):
                passed = rng.random() < rates.get(d, rates["_"])
                rows.append({"task_id": tid, "task_digest": hashlib.sha1(tid.encode()).hexdigest(), "domain": d,
                             "sample": s, "agent": "model", "reward": 1.0 if passed else float(rng.choice([0.0, 0.1])),
                             "status": "ok", "trial_key": f"{tid}/model/{s}", "family": f"fam-{d}"})  # fmt: skip
    return pd.DataFrame(rows)


#: the memorization probe's planted pass counts: team -> (domains, tasks per domain, train passes, fresh passes)
PROBE = {
    "parrot": (("sciences", "finance-economics", "ai-ml-agentic", "software-engineering"), 14, 13, 3),
    "polymath": (tuple(DOMAIN_IDS), 12, 5, 4),
}


def _probe_trials(domains: tuple[str, ...], n: int, passes: int, split: str) -> pd.DataFrame:
    """Exactly ``passes`` of the ``n`` tasks of every domain pass (one sample each)."""
    rows = []
    for d in domains:
        for i in range(n):
            tid = f"{split}-{d}-{i:02d}"
            rows.append({"task_id": tid, "task_digest": hashlib.sha1(tid.encode()).hexdigest(), "domain": d,
                         "sample": 0, "agent": "model", "reward": 1.0 if i < passes else 0.1, "status": "ok",
                         "trial_key": f"{tid}/model/0"})  # fmt: skip
    return pd.DataFrame(rows)


def make_results(root: Path) -> Path:
    """baseline 0.25 everywhere; bluefence 0.85 on cybersecurity; polymath +0.1 everywhere;
    parrot = the baseline's rates with other noise (the memorizer: no held-out gain);
    baseline-reseed = the baseline's rates with other noise; single-<d>: 0.8 on d.
    probe/<team>/{train,fresh}/: the planted counts of PROBE (held-out: the team's eval run)."""
    specs = {
        "baseline": ({"_": 0.25}, 1, {}),
        "baseline-reseed": ({"_": 0.25}, 2, {"control": "baseline"}),
        "bluefence": ({"_": 0.25, "cybersecurity": 0.85}, 3, {"team": "bluefence"}),
        "polymath": ({"_": 0.35}, 4, {"team": "polymath"}),
        "parrot": ({"_": 0.25}, 5, {"team": "parrot"}),
    }
    for d in DOMAIN_IDS:
        specs[f"single-{d}"] = ({"_": 0.25, d: 0.8}, 10 + DOMAIN_IDS.index(d), {"train_domains": [d]})
    for name, (rates, seed, meta) in specs.items():
        out = root / "eval" / name
        out.mkdir(parents=True)
        _trials(name, rates, seed).to_parquet(out / "trials.parquet", index=False)
        (out / "run.json").write_text(json.dumps({"kind": "eval", **meta}))
    for team, (doms, n, train, fresh) in PROBE.items():
        for split, passes in (("train", train), ("fresh", fresh)):
            out = root / "probe" / team / split
            out.mkdir(parents=True)
            _probe_trials(doms, n, passes, split).to_parquet(out / "trials.parquet", index=False)
        (root / "probe" / team / "probe.json").write_text(json.dumps({"kind": "probe", "team": team}))
    rows = [{"run": f"single-{d}", "train_domains": d, "family": f"fam-{d}", "start": "base", "control": ""}
            for d in DOMAIN_IDS]  # fmt: skip
    pd.DataFrame(rows).to_csv(root / "transfer_meta.csv", index=False)
    lt = _trials("learn", {"_": 0.5, "sciences": 0.0}, 99, samples=4)
    (root / "learnability" / "polymath").mkdir(parents=True)
    lt.to_parquet(root / "learnability" / "polymath" / "trials.parquet", index=False)
    (root / "validate").mkdir()
    (root / "validate" / "validate.json").write_text(json.dumps({
        "findings": [{"path": "environments/teams/hasty/envs/t1/task.md", "rule": "validate.nop-passes",
                      "severity": "error", "message": "m", "fix": "f"}],
        "tasks": [{"task_id": "t1", "domain": "sciences", "passed": False}], "summary": {}}))  # fmt: skip
    return root
