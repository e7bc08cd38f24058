#!/bin/bash
# Reference solution for checkpoint-early-stop-select: checksums with coreutils' sha256sum,
# logs deduplicated with pandas (keep="last"), then the early-stopping walk and the choice.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS
cd "$WS/run"
sha256sum checkpoints/*.bin > /tmp/ckpt_sums.txt

python3 - <<'PY'
import json
import math
import os

import pandas as pd

ws = os.environ["WS"]
run = os.path.join(ws, "run")

train = pd.DataFrame([json.loads(l) for l in open(os.path.join(run, "train_log.jsonl")) if l.strip()])
train = train.drop_duplicates("step", keep="last").sort_values("step")
bad = train[~train["loss"].apply(lambda v: math.isfinite(float(v)))]
divergence = int(bad["step"].iloc[0])

ev = pd.read_csv(os.path.join(run, "eval_log.csv"))
ev = ev.drop_duplicates("step", keep="last").sort_values("step").set_index("step")

best, wait, best_step, stop = float("inf"), 0, None, int(ev.index.max())
for step, row in ev.iterrows():
    if pd.notna(row.val_loss) and row.val_loss < best - 0.002:
        best, wait, best_step = row.val_loss, 0, int(step)
    else:
        wait += 1
        if wait >= 4:
            stop = int(step)
            break

sums = {}
for line in open("/tmp/ckpt_sums.txt"):
    digest, name = line.split()
    sums[name] = digest

manifest = {}
for c in json.load(open(os.path.join(run, "checkpoints", "manifest.json")))["checkpoints"]:
    manifest[c["step"]] = c  # later entries win

table = []
for step in sorted(manifest):
    c = manifest[step]
    reasons = set()
    if c["file"] not in sums:
        reasons.add("missing_file")
    elif sums[c["file"]] != c["sha256"]:
        reasons.add("checksum_mismatch")
    if step not in ev.index:
        reasons.add("no_eval")
    if step > stop:
        reasons.add("after_early_stop")
    if step >= divergence:
        reasons.add("diverged")
    table.append({"step": step, "status": "rejected" if reasons else "eligible", "reasons": sorted(reasons)})

ok = ev.loc[[t["step"] for t in table if not t["reasons"]]].reset_index()
ok = ok.sort_values(["val_accuracy", "val_loss", "step"], ascending=[False, True, True])
pick = ok.iloc[0]
chosen = int(pick["step"])
for t in table:
    if t["step"] == chosen:
        t["status"] = "selected"

doc = {
    "divergence_step": divergence,
    "early_stop_step": stop,
    "early_stop_best_step": best_step,
    "selected": {"step": chosen, "file": manifest[chosen]["file"], "val_loss": float(pick["val_loss"]),
                 "val_accuracy": float(pick["val_accuracy"])},
    "checkpoints": table,
}
with open(os.path.join(ws, "selection.json"), "w") as fh:
    json.dump(doc, fh, indent=2)
print(json.dumps(doc, indent=2))
PY
