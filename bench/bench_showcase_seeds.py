"""Three-seed stability of the showcase's headline findings (issue #13): the sign of every finding.

    python bench/bench_showcase_seeds.py                       # runs seeds 0, 1, 2 (three showcases)
    python bench/bench_showcase_seeds.py --out /tmp/seeds      # where the showcase folders go
    python bench/bench_showcase_seeds.py --existing 0=/tmp/sc0 1=/tmp/sc1 2=/tmp/sc2   # no training

A finding is a number the showcase's story rests on: every team's overall Δ, every in-domain lift
and every off-diagonal transfer cell with a CI above 0 in any seed, the A/A control's Δ, the
memorizing team's train-minus-held-out gap and each Δ(SFT→GRPO); the A/A control's finding is
that its CI covers 0 (shown as 0), else its Δ.  One task of the 168 moves a Δ by ~0.006, above
the 0.005 taken as 0, so a one-task difference has a sign here.  The table prints its sign per
seed (+, -, 0 for |x| < 0.005, ? when missing) with the value, and whether the sign agrees over
the seeds; the exit code is 0 when every finding's sign agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def findings(doc: dict) -> dict[str, float | None]:
    h, story = doc.get("headline") or {}, doc.get("story") or {}
    out: dict[str, float | None] = {}
    for team, e in sorted((h.get("teams") or {}).items()):
        out[f"team {team} overall Δ"] = e.get("delta")
    for x in h.get("in_domain_lifts", []):
        if x["run"] != "baseline-reseed":
            out[f"lift {x['run']} on {x['domain']}"] = x["delta"]
    for c in (doc.get("acceptance") or {}).get("transfer_cells", {}).get("cells", []):
        out[f"transfer {c['run']} on {c['domain']}"] = c["delta"]
    ctrl = h.get("control") or {}
    ci = ctrl.get("ci") or [None, None]
    covers = None not in ci and ci[0] <= 0 <= ci[1]
    out["A/A control overall Δ (0 = CI covers 0)"] = 0.0 if covers else ctrl.get("delta")
    mem = story.get("memorizer") or {}
    if mem.get("train_pass_rate") is not None and mem.get("heldout_pass_rate") is not None:
        out[f"memorizer {mem['team']} train - held-out"] = mem["train_pass_rate"] - mem["heldout_pass_rate"]
    for run, d in sorted((story.get("grpo_delta") or {}).items()):
        out[f"Δ(SFT→GRPO) {run}"] = d.get("delta")
    return out


def lookup(doc: dict, key: str) -> float | None:
    """A finding named in another seed's table, looked up in this seed's headline (a lift or cell
    that is not significant here still has a Δ)."""
    got = findings(doc)
    if key in got:
        return got[key]
    h = doc.get("headline") or {}
    for prefix in ("lift ", "transfer "):
        if key.startswith(prefix):
            run, dom = key[len(prefix):].split(" on ")
            entry = (h.get("teams") or {}).get(run) or (h.get("single_domain") or {}).get(run) or {}
            return (entry.get("per_domain", {}).get(dom) or {}).get("delta")
    return None


def sign(x: float | None) -> str:
    if x is None:
        return "?"
    return "0" if abs(x) < 0.005 else ("+" if x > 0 else "-")


def table(docs: dict[int, dict]) -> tuple[list[str], bool]:
    keys: list[str] = []
    for doc in docs.values():
        keys += [k for k in findings(doc) if k not in keys]
    lines, stable = [], True
    width = max((len(k) for k in keys), default=10)
    lines.append(f"{'finding':<{width}}  " + "  ".join(f"seed {s:<8}" for s in docs) + "  same sign")
    for k in keys:
        vals = {s: lookup(d, k) for s, d in docs.items()}
        signs = {sign(v) for v in vals.values()}
        same = len(signs) == 1 and "?" not in signs
        stable &= same
        cells = "  ".join(f"{sign(v)} {v:+.3f}  " if v is not None else "?          " for v in vals.values())
        lines.append(f"{k:<{width}}  {cells}  {'yes' if same else 'NO'}")
    return lines, stable


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="/tmp/arena-showcase-seeds")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--existing", nargs="+", metavar="SEED=DIR", help="read finished showcase folders instead")
    a = p.parse_args(argv)
    docs: dict[int, dict] = {}
    if a.existing:
        for spec in a.existing:
            s, d = spec.split("=", 1)
            docs[int(s)] = json.loads((Path(d) / "showcase.json").read_text())
    else:
        from arena.showcase import run_showcase

        for s in a.seeds:
            t = time.perf_counter()
            dest = Path(a.out) / f"seed{s}"
            docs[s] = run_showcase(dest, figures=None, seed=s, resume=dest.exists(), progress=False, notebooks=False)
            print(f"seed {s}: {time.perf_counter() - t:.0f} s, checks hold: {docs[s]['acceptance']['all_hold']}",
                  flush=True)  # fmt: skip
    lines, stable = table(docs)
    print("\n".join(lines))
    print(f"\nevery finding's sign the same over seeds {sorted(docs)}: {'yes' if stable else 'NO'}")
    return 0 if stable else 1


if __name__ == "__main__":
    sys.exit(main())
