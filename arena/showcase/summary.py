"""Stage 7, summary: showcase.json's timings, recipe, validation, per-run fit, headline numbers,
story numbers and acceptance checks."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from arena.namedpath import NamedPath
from arena.showcase.corpora import corpus_of
from arena.showcase.headline import acceptance, headline_numbers, num
from arena.showcase.host import loadavg
from arena.showcase.plan import MEMORIZER, SFT_ONLY, run_names


def run(sc, wall: float, load0: dict) -> dict:
    """Complete showcase.json and return it."""
    headline = headline_numbers(sc.scores, train_domains(sc))
    story = story_numbers(sc, headline)
    checks = acceptance(headline, wall, sc.plan, story)
    sc.state.doc.update({
        "complete": True,
        "wall_sec": round(wall, 1),
        "stage_times": sc.clock.to_dict(),
        "loadavg": {"start": load0, "end": loadavg()},
        "cpu_sec": getattr(sc, "cpu_sec", None),  # this process + its sandboxes and kernels: load-independent
        "cpus": os.cpu_count(),
        "recipe": {"name": sc.recipe.name, "digest": sc.recipe.digest, "seed": sc.recipe.seed,
                   "reseed_digest": sc.recipe_reseed.digest, "reseed_seed": sc.recipe_reseed.seed,
                   "digest_without_seed": digest_without_seed(sc.recipe),
                   "reseed_digest_without_seed": digest_without_seed(sc.recipe_reseed),
                   "num_generations": int(sc.recipe.grpo.get("num_generations", 0))},
        "validation": validation_summary(sc.selection),
        "runs": {r: {"corpus": str(corpus_of(sc, r)), "train_domains": train_domains(sc).get(r, []),
                     "fit": train_fit(sc.out / "train" / r)} for r in run_names()},
        "headline": headline,
        "story": story,
        "acceptance": checks,
    })  # fmt: skip
    sc.state.save()
    return sc.state.doc


def story_numbers(sc, headline: dict) -> dict:
    """What the story checks need besides the score table: GRPO's zero-variance groups per run and
    domain, Δ(SFT→GRPO) per SFT_ONLY run (paired, held-out), the memorizing team's own-task pass
    rate, and what each pair of domains' families share (the transfer cells' explanation)."""
    import pandas as pd

    from arena import families
    from arena.runs import load_comparison
    from arena.showcase_checks import shared_traits, zero_variance_shares
    from arena.stats import score_table

    groups = []
    for r in run_names():
        p = sc.out / "train" / r / "rollouts.parquet"
        if p.is_file():
            df = pd.read_parquet(p, columns=["attempt", "step", "task_id", "domain", "reward"])
            for (_, _, _, dom), g in df.groupby(["attempt", "step", "task_id", "domain"], sort=True):
                groups.append((r, dom, [float(x) for x in g["reward"]]))
    grpo_delta = {}
    for r in SFT_ONLY:
        a, b = sc.out / "eval" / r, sc.out / "eval" / f"{r}@sft"
        if (a / "run.json").exists() and (b / "run.json").exists():
            cmp = load_comparison([NamedPath(r, a)], NamedPath(f"{r}@sft", b))
            t = score_table(cmp.team_trials, cmp.baseline.trials, n_resamples=sc.plan.resamples, seed=sc.seed)
            o = t[(t["team"] == r) & (t["domain"] == "overall")].iloc[0]
            grpo_delta[r] = {"delta": num(o["delta"]), "ci": [num(o["ci_low"]), num(o["ci_high"])],
                             "sft_pass_rate": num(o["ref_value"]), "grpo_pass_rate": num(o["team_value"])}  # fmt: skip
    probe = sc.out / "probe" / MEMORIZER / "probe.json"
    summary = json.loads(probe.read_text()).get("summary", {}) if probe.is_file() else {}
    mem = headline["teams"].get(MEMORIZER) or {}
    fams = {n: {"skills": list(f.skills), "format": f.fmt, "domain": f.domain, "reserved": f.reserved}
            for n, f in families.FAMILIES.items()}  # fmt: skip
    doms = sorted({f["domain"] for f in fams.values()})
    explain = {}
    for src in doms:
        train = [f for f in fams.values() if f["domain"] == src and not f["reserved"]]
        for dst in doms:
            if dst != src:
                explain[f"{src}->{dst}"] = shared_traits(train, [f for f in fams.values() if f["domain"] == dst])
    return {
        "zero_variance": zero_variance_shares(groups),
        "grpo_delta": grpo_delta,
        "memorizer": {"team": MEMORIZER, "train_pass_rate": num((summary.get("train") or {}).get("pass_rate")),
                      "fresh_pass_rate": num((summary.get("fresh") or {}).get("pass_rate")),
                      "heldout_pass_rate": mem.get("pass_rate"), "heldout_delta_ci": mem.get("ci")},
        "shared_traits": explain,
    }  # fmt: skip


def train_domains(sc) -> dict[str, list[str]]:
    out = {}
    for r in run_names():
        p = sc.out / "train" / r / "model_card.json"
        if p.exists():
            out[r] = sorted(json.loads(p.read_text())["corpus"]["by_domain"])
    return out


def digest_without_seed(recipe) -> str:
    doc = recipe.canonical()
    doc.pop("seed", None)
    return hashlib.sha256(
        json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def validation_summary(selection: dict | None) -> dict:
    if not selection:
        return {}
    return {
        "scope": selection["scope"],
        "corpora": {
            n: {"tasks": c["tasks"], "trained_on": len(c["kept"]), "excluded": c["excluded"]}
            for n, c in selection["corpora"].items()
        },  # fmt: skip
        "planted_defects": selection["planted_defects"],
        "planted_caught": sum(d["caught"] for d in selection["planted_defects"]),
        "planted_total": len(selection["planted_defects"]),
        "unexpected_exclusions": selection["unexpected_exclusions"],
    }


def train_fit(run_dir: Path) -> dict:
    """How well a run learned its own corpus: the final SFT loss and the GRPO rollouts (sampled at
    temperature 1 on the corpus's own prompts) that the verifier scored a pass, against which the
    held-out pass rate shows what transferred."""
    import pandas as pd

    card = json.loads((run_dir / "model_card.json").read_text())
    sft = card.get("metrics", {}).get("sft", {})
    out = {"sft_last_loss": num(sft.get("last_loss")), "sft_steps": sft.get("steps")}
    p = run_dir / "rollouts.parquet"
    if p.is_file():
        r = pd.read_parquet(p, columns=["reward"])["reward"].dropna()
        out.update(grpo_rollouts=int(len(r)), grpo_pass_rate=num((r >= 1.0).mean()) if len(r) else None,
                   grpo_mean_reward=num(r.mean()) if len(r) else None)  # fmt: skip
    return out
