#!/usr/bin/env python3
"""Authoring-time generator for titration-vinegar-assay's seed data.

    python3 environment/generate_data.py            # writes environment/lab/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it holds the true NaOH molarity and the planted air-bubble replicate.

The curves come from the exact charge balance of the titration (acetic acid: monoprotic; KHP:
potassium hydrogen phthalate, the middle form of a diprotic acid), e.g. for KHP
[K+] + [Na+] + [H+] = [OH-] + [HP-] + 2[P2-], solved for [H+] by bisection on log10[H+], plus electrode noise
(sd 0.006 pH), rounded like a bench meter (0.01 pH) and a burette (0.01 mL).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 41_2207
KW = 1.0e-14
NAOH_TRUE = 0.10137  # mol/L, what the standardization should recover
KHP_MASS_G = 0.4123
KHP_MOLAR_MASS = 204.22
KHP_KAS = (10**-2.95, 10**-5.41)  # phthalic acid pKa1, pKa2
ACETIC_KAS = (10**-4.76,)
VINEGAR_TRUE_M = 0.8612  # mol/L acetic acid in the undiluted vinegar
VINEGAR_ML, FLASK_ML, ALIQUOT_ML = 10.00, 100.0, 25.00
# replicate -> extra titrant delivered unnoticed (mL): R3 had an air bubble in the burette tip
BUBBLE = {"R1": 0.0, "R2": 0.0, "R3": 0.62, "R4": 0.0}
# rows whose pH the meter failed to log (index into the run's volume schedule)
DROPOUTS = {
    "standardization_KHP": [7],
    "vinegar_R1": [],
    "vinegar_R2": [12, 30],
    "vinegar_R3": [],
    "vinegar_R4": [18],
}


def ph_of(
    acid_mmol: float, kas: tuple[float, ...], protons_removed: int, v_acid_ml: float, naoh_ml: float
) -> float:
    """pH of the flask; ``protons_removed`` = 1 when the acid is added as its K+ salt (KHP)."""
    total_l = (v_acid_ml + naoh_ml) / 1000.0
    ca = acid_mmol / 1000.0 / total_l
    cations = NAOH_TRUE * naoh_ml / 1000.0 / total_l + protons_removed * ca

    def balance(log_h: float) -> float:
        h = 10.0**log_h
        terms = [1.0]  # relative abundance of H_nA, H_(n-1)A-, ...
        for ka in kas:
            terms.append(terms[-1] * ka / h)
        anion_charge = sum(i * t for i, t in enumerate(terms)) / sum(terms)
        return cations + h - KW / h - ca * anion_charge

    lo, hi = -14.0, 0.0  # balance(lo) < 0 < balance(hi)
    for _ in range(80):
        mid = (lo + hi) / 2
        if balance(mid) > 0:
            hi = mid
        else:
            lo = mid
    return -(lo + hi) / 2


def schedule(rng: random.Random, v_eq: float) -> list[float]:
    """Burette readings: coarse far from the end point, 0.10 mL steps within 1.5 mL of it."""
    vols, v = [0.0], 0.0
    while v < v_eq + 8.0:
        if abs(v - v_eq) < 1.5:
            step = 0.10
        elif abs(v - v_eq) < 4.0:
            step = 0.50
        else:
            step = 2.00
        v += step
        vols.append(v)
    out = [0.0]
    for v in vols[1:]:
        jitter = rng.choice((-0.01, 0.0, 0.0, 0.01))
        out.append(round(max(out[-1] + 0.05, v + jitter), 2))
    return out


def run_csv(name, rng, acid_mmol, kas, protons_removed, v_acid_ml, bubble) -> str:
    # the acid is neutralised at the true equivalence; the recorded reading is off by the bubble
    v_eq_true = acid_mmol * (len(kas) - protons_removed) / NAOH_TRUE
    lines = [
        f"# run: {name}",
        "# instrument: pH meter PHM-220 (3-point calibrated 4.01/7.00/10.01), combination electrode",
        "# titrant: NaOH, nominal 0.1 M; burette 50 mL class A",
        "volume_ml,ph",
    ]
    for i, v_read in enumerate(schedule(rng, v_eq_true + bubble)):
        delivered = max(0.0, v_read - bubble)
        ph = ph_of(acid_mmol, kas, protons_removed, v_acid_ml, delivered) + rng.gauss(0.0, 0.006)
        ph_txt = "" if i in DROPOUTS[name] else f"{ph:.2f}"
        lines.append(f"{v_read:.2f},{ph_txt}")
    return "\n".join(lines) + "\n"


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    files: dict[str, str] = {}
    khp_mmol = KHP_MASS_G / KHP_MOLAR_MASS * 1000.0
    files["titrations/standardization_KHP.csv"] = run_csv(
        "standardization_KHP", rng, khp_mmol, KHP_KAS, 1, 50.0, 0.0
    )
    aliquot_mmol = VINEGAR_TRUE_M * VINEGAR_ML / FLASK_ML * ALIQUOT_ML
    for rep, bubble in BUBBLE.items():
        name = f"vinegar_{rep}"
        files[f"titrations/{name}.csv"] = run_csv(name, rng, aliquot_mmol, ACETIC_KAS, 0, ALIQUOT_ML, bubble)
    sheet = {
        "analyst": "J. Okafor",
        "date": "2024-10-08",
        "titrant": "NaOH, nominal 0.1 M, to be standardized against KHP",
        "standardization": {
            "file": "titrations/standardization_KHP.csv",
            "khp_mass_g": KHP_MASS_G,
            "khp_molar_mass_g_mol": KHP_MOLAR_MASS,
            "dissolved_in_ml": 50.0,
        },
        "sample": {
            "description": "white wine vinegar, lot 24-117",
            "vinegar_volume_ml": VINEGAR_ML,
            "diluted_to_ml": FLASK_ML,
            "aliquot_ml": ALIQUOT_ML,
            "replicates": [f"titrations/vinegar_{r}.csv" for r in BUBBLE],
        },
        "acetic_acid_molar_mass_g_mol": 60.052,
    }
    files["run_sheet.json"] = json.dumps(sheet, indent=2) + "\n"
    return {k: v.encode() for k, v in files.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "lab", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
