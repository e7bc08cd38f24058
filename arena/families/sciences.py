"""Sciences: unit conversion, atom counting in a reaction mixture, radioactive halving (far probe)."""

from __future__ import annotations

import re

from arena.families.base import Family, Instance, pool

_ELEMENT_ORDER = ("C", "H", "N", "O")
_FORMULA_RE = re.compile(r"([A-Z][a-z]?)(\d*)")


def atoms(formula: str) -> dict[str, int]:
    """Element -> count for a simple formula like C2H6 (no brackets)."""
    out: dict[str, int] = {}
    for el, n in _FORMULA_RE.findall(formula):
        out[el] = out.get(el, 0) + (int(n) if n else 1)
    return out


class UnitConvert(Family):
    name = "unit-convert"
    domain = "sciences"
    description = "convert one sample's measurement to a smaller unit (x10, x60, x100, x1000)"
    fmt = "int"
    skills = ("extraction", "arithmetic", "answer-int", "unit-conversion")
    tags = ("units", "measurement")
    pools = {
        "sample": pool(
            "alpha bravo cobalt delta ember flint garnet helix iris jade lotus maple",
            "kappa lumen magma nova onyx pyrite quartz rho sigma topaz umbra vega",
        )
    }
    intros = {
        "train": ("Lab sheet of sample measurements:", "Measurements logged by the lab:"),
        "heldout": ("The bench notebook lists these readings:", "Quantities recorded for each sample:"),
    }
    asks = {
        "one": {
            "train": (
                "What is the value of sample {target} in {unit}?",
                "Convert sample {target} to {unit}.",
            ),
            "heldout": (
                "Express sample {target} in {unit}.",
                "How much is sample {target} when written in {unit}?",
            ),
        },
        "sum": {
            "train": ("What do samples {a} and {b} add up to, in {unit}?",),
            "heldout": ("Give the combined amount of samples {a} and {b} in {unit}.",),
        },
    }
    CONVERSIONS = (
        ("km", "m", 1000),
        ("m", "cm", 100),
        ("cm", "mm", 10),
        ("kg", "g", 1000),
        ("g", "mg", 1000),
        ("h", "min", 60),
        ("min", "s", 60),
        ("L", "mL", 1000),
    )

    def make(self, rng, level, split):
        n = 3 + level
        names = rng.sample(self.pool("sample", split), n)
        top = (9, 99, 20)[level]
        rows = []
        for _ in range(n):
            src, _dst, _f = rng.choice(self.CONVERSIONS)
            rows.append([src, rng.randint(1 if level == 0 else 2, top)])
        if level < 2:
            t = rng.randrange(n)
            src, dst, f = rng.choice(self.CONVERSIONS)
            rows[t][0] = src
            other = rng.choice([i for i in range(n) if i != t])
            rows[other][0] = src  # a second sample in the same unit: extraction must pick the right one
            answer = rows[t][1] * f
            slots = {"target": names[t], "unit": dst}
            shortcuts = {"raw-value": str(rows[t][1]), "other-sample": str(rows[other][1] * f)}
            mode = "one"
        else:
            a, b = rng.sample(range(n), 2)
            src, dst, f = rng.choice(self.CONVERSIONS)
            rows[a] = [src, rng.randint(1, 20)]
            rows[b] = [dst, rng.randint(1, f - 1)]
            answer = rows[a][1] * f + rows[b][1]
            slots = {"a": names[a], "b": names[b], "unit": dst}
            shortcuts = {"raw-sum": str(rows[a][1] + rows[b][1]), "raw-value": str(rows[a][1] * f)}
            mode = "sum"
        data = "\n".join(f"{nm}: {v} {u}" for nm, (u, v) in zip(names, rows))
        return Instance(
            data,
            str(answer),
            slots,
            mode,
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts=shortcuts,
        )


class StoichAtoms(Family):
    name = "stoich-atoms"
    domain = "sciences"
    description = "count the atoms of each element in a reaction mixture (coefficient x subscript)"
    fmt = "kv"
    skills = ("counting", "arithmetic", "extraction", "answer-kv", "chemical-formula")
    tags = ("chemistry", "stoichiometry")
    pools = {
        "molecule": pool(
            "H2O CO2 CH4 O2 NH3 N2 H2 C2H6 CO NO2",
            "C3H8 H2O2 N2O C2H4 HNO3 CH4O C2H2 NO O3 HCN",
        )
    }
    intros = {
        "train": ("A reaction vessel is charged with:", "Reactants loaded for the run:"),
        "heldout": ("The flask initially holds this mixture:", "Starting mixture for the synthesis:"),
    }
    asks = {
        "main": {
            "train": (
                "Count the atoms of each element in this mixture.",
                "How many atoms of each element does the mixture contain?",
            ),
            "heldout": (
                "Tally every element's atoms across the whole mixture.",
                "Give the total atom count per element for the mixture.",
            ),
        }
    }

    def make(self, rng, level, split):
        species = rng.sample(self.pool("molecule", split), level + 1)
        coef = [rng.randint(1, 3 + level) for _ in species]
        total: dict[str, int] = {}
        naive: dict[str, int] = {}
        for s, c in zip(species, coef):
            for el, k in atoms(s).items():
                total[el] = total.get(el, 0) + c * k
                naive[el] = naive.get(el, 0) + k
        keys = tuple(el for el in _ELEMENT_ORDER if el in total)
        data = "Mixture: " + " + ".join(f"{c} {s}" if c > 1 else s for s, c in zip(species, coef))
        answer = "\n".join(f"{el}={total[el]}" for el in keys)
        shortcuts = {"ignore-coefficients": "\n".join(f"{el}={naive[el]}" for el in keys)}
        return Instance(
            data,
            answer,
            {},
            keys=keys,
            candidates=tuple(species),
            entities=tuple(species),
            shortcuts=shortcuts,
        )


class DecayHalving(Family):
    name = "decay-halving"
    domain = "sciences"
    description = "mass left of an isotope after whole half-lives"
    fmt = "int"
    skills = ("extraction", "arithmetic", "answer-int", "half-life")
    tags = ("radioactivity",)
    reserved = True
    pools = {
        "isotope": pool(
            "Na-24 P-32 S-35 Ca-45 Fe-59 Sr-90 Au-198 K-42",
            "I-131 Co-60 Cs-137 Tc-99 Rn-222 Xe-133 Ir-192 Ra-226",
        )
    }
    intros = {
        "train": ("Isotope inventory of the hot lab:", "Radioactive samples on the shelf:"),
        "heldout": ("Source register of the isotope store:", "Sealed sources currently held:"),
    }
    asks = {
        "main": {
            "train": ("How many grams of {target} remain after {t} days?",),
            "heldout": ("What mass of {target}, in grams, is left once {t} days have passed?",),
        }
    }

    def make(self, rng, level, split):
        n = 1 + level
        names = rng.sample(self.pool("isotope", split), n)
        rows = []
        for _ in names:
            halvings = rng.randint((1, 2, 2)[level], (3, 4, 5)[level])
            rows.append((rng.randint(2, 8), rng.randint(1, (12, 12, 30)[level]) * 2**halvings, halvings))
        t = rng.randrange(n)
        h, m0, j = rows[t]
        data = "\n".join(f"{nm}: half-life {hh} d, start {m} g" for nm, (hh, m, _) in zip(names, rows))
        return Instance(
            data,
            str(m0 // 2**j),
            {"target": names[t], "t": str(h * j)},
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"one-halving": str(m0 // 2), "start-mass": str(m0)},
        )
