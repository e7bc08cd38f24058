#!/usr/bin/env python3
"""Authoring-time generator for checkpoint-early-stop-select's seed data.

    python3 environment/generate_data.py            # writes environment/run/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it knows the planted faults.

A fine-tuning run's artefacts: the training log (JSONL, every 50 steps), the evaluation log
(CSV, every 250 steps), and 12 checkpoints with a manifest of SHA-256 digests.  Planted: a crash
at step 2600 resumed from the step-2500 checkpoint (duplicate train/eval records and a re-saved
step-2500 checkpoint: the later entries are the valid ones), a failed evaluation at step 2000,
a missing checkpoint file (1500), a corrupted one (3500, which also has the best accuracy),
validation loss that plateaus after step 3000 (early stopping), and a divergence (NaN loss)
at step 5150.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
from pathlib import Path

SEED = 31337
CRASH, RESUME_FROM = 2600, 2500
DIVERGE = 5150
MISSING, CORRUPT = 1500, 3500
NO_EVAL = 2000


def val_curve(step: int, rng: random.Random) -> tuple[float, float]:
    """Validation loss falls until ~3000 then creeps up; accuracy saturates later."""
    x = step / 1000
    loss = 0.42 + 1.9 * math.exp(-1.45 * x) + (0.05 * (x - 3.0) ** 2 if x > 3.0 else 0.0)
    acc = 0.87 - 0.62 * math.exp(-1.25 * x)
    return loss + rng.uniform(-0.0006, 0.0006), acc + rng.uniform(-0.0015, 0.0015)


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    train, evals = [], []

    def train_rec(step: int, resumed: bool) -> str:
        lr = 3e-4 * min(1.0, step / 300) * (0.5 * (1 + math.cos(math.pi * step / 6000)))
        loss = 0.35 + 2.3 * math.exp(-step / 900) + rng.uniform(-0.02, 0.02)
        if step >= DIVERGE:
            loss = float("nan") if step % 100 != 50 or step == DIVERGE else float("inf")
        gn = 0.6 + rng.uniform(0, 0.5) if step < DIVERGE - 100 else 40.0 + (step - DIVERGE + 100) * 3
        return json.dumps({"step": step, "loss": round(loss, 5) if math.isfinite(loss) else loss,
                           "lr": round(lr, 8), "grad_norm": round(gn, 4), "resumed": resumed})  # fmt: skip

    def eval_rec(step: int) -> str:
        if step >= DIVERGE:
            return f"{step},nan,nan"
        loss, acc = val_curve(step, rng)
        if step == 3000:
            loss -= 0.004  # the last real improvement
        if step == CORRUPT:
            acc += 0.011  # the tempting one
        return f"{step},{loss:.6f},{acc:.6f}"

    for step in range(50, CRASH + 1, 50):
        train.append(train_rec(step, False))
        if step % 250 == 0 and step != NO_EVAL:
            evals.append(eval_rec(step))
    # resumed from the 2500 checkpoint: re-evaluates 2500, re-logs 2550..2600, then continues
    evals.append(eval_rec(RESUME_FROM))
    for step in range(RESUME_FROM + 50, 6001, 50):
        train.append(train_rec(step, True))
        if step % 250 == 0:
            evals.append(eval_rec(step))

    files: dict[str, bytes] = {}
    manifest = []
    steps = list(range(500, 6001, 500))
    for step in steps[: steps.index(RESUME_FROM) + 1] + [RESUME_FROM] + steps[steps.index(RESUME_FROM) + 1 :]:
        blob = rng.randbytes(1536)
        name = f"checkpoints/ckpt-{step:05d}.bin"
        manifest.append(
            {"step": step, "file": name, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob)}
        )
        if step == CORRUPT:
            blob = blob[:700] + bytes([blob[700] ^ 0x5A]) + blob[701:]
        if step != MISSING:
            files[name] = blob  # the re-saved 2500 overwrites the first one on disk
    files["train_log.jsonl"] = ("\n".join(train) + "\n").encode()
    files["eval_log.csv"] = ("step,val_loss,val_accuracy\n" + "\n".join(evals) + "\n").encode()
    files["checkpoints/manifest.json"] = (json.dumps({"run": "ft-qwen-sft-0417", "checkpoints": manifest}, indent=2)
                                          + "\n").encode()  # fmt: skip
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "run", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
