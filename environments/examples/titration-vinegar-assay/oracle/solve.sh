#!/bin/bash
# Reference solution for titration-vinegar-assay: numpy derivative + np.polyfit parabola for the
# end point, np.interp for the half-equivalence pH, then the assay arithmetic from run_sheet.json.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import glob
import json
import os

import numpy as np

ws = os.environ["WS"]
lab = os.path.join(ws, "lab")
sheet = json.load(open(os.path.join(lab, "run_sheet.json")))


def load(path):
    vols, phs = [], []
    with open(path) as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    for ln in lines[1:]:
        v, p = ln.strip().split(",")
        if p:
            vols.append(float(v))
            phs.append(float(p))
    return np.array(vols), np.array(phs)


def endpoint(v, ph):
    d = np.diff(ph) / np.diff(v)
    m = (v[:-1] + v[1:]) / 2
    k = int(np.argmax(d))
    if k == 0 or k == len(d) - 1:
        v_eq = m[k]
    else:
        a, b, _ = np.polyfit(m[k - 1:k + 2], d[k - 1:k + 2], 2)
        v_eq = -b / (2 * a)
    return float(v_eq), float(np.interp(v_eq / 2, v, ph))


runs = {}
for path in sorted(glob.glob(os.path.join(lab, "titrations", "*.csv"))):
    name = os.path.basename(path)[:-4]
    v_eq, ph_half = endpoint(*load(path))
    runs[name] = {"v_eq_ml": v_eq, "ph_half_eq": ph_half}

std = sheet["standardization"]
naoh = (std["khp_mass_g"] / std["khp_molar_mass_g_mol"]) / (runs["standardization_KHP"]["v_eq_ml"] / 1000)

reps = sorted(n for n in runs if n.startswith("vinegar_"))
med = float(np.median([runs[n]["v_eq_ml"] for n in reps]))
for n in reps:
    runs[n]["accepted"] = bool(abs(runs[n]["v_eq_ml"] - med) / med <= 0.010)
accepted = [n for n in reps if runs[n]["accepted"]]

s = sheet["sample"]
aliquot = np.array([naoh * runs[n]["v_eq_ml"] / s["aliquot_ml"] for n in accepted])
vinegar = float(aliquot.mean() * s["diluted_to_ml"] / s["vinegar_volume_ml"])

report = {
    "naoh_molarity": naoh,
    "runs": runs,
    "accepted_replicates": accepted,
    "vinegar_molarity": vinegar,
    "acetic_acid_percent_wv": vinegar * sheet["acetic_acid_molar_mass_g_mol"] / 10,
    "apparent_pka": float(np.mean([runs[n]["ph_half_eq"] for n in accepted])),
}
with open(os.path.join(ws, "assay_report.json"), "w") as fh:
    json.dump(report, fh, indent=2)
print(json.dumps(report, indent=2))
PY
