#!/usr/bin/env python3
"""The committed base model's skill profile: exact match per generic skill on fresh curriculum
instances (greedy decoding), beside a random-init model of the same shape and tokenizer.

  python bench/bench_base_skills.py [--model models/arena-base-2m] [--n 50] [--seed 2000] [--threads 2]

The instances come from ``arena.train.curriculum.fresh`` with ``--seed`` (the model card's profile
used seed + 1000 of the build; training never draws from the ``fresh`` namespace), so this is a
new sample each seed.  Loads the folder with ``AutoModelForCausalLM.from_pretrained`` (the code
path arena's recipes use) and prints one row per skill plus the mean.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def default_model() -> Path | None:
    cards = sorted((REPO / "models").glob("*/model_card.json"))
    return cards[0].parent if cards else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--model", type=Path, default=default_model(), help="model folder (default: the one under models/)"
    )
    ap.add_argument("--n", type=int, default=50, help="fresh instances per skill (default 50)")
    ap.add_argument("--seed", type=int, default=2000, help="instance seed (default 2000)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the two profiles as JSON")
    args = ap.parse_args(argv)
    if args.model is None or not (args.model / "config.json").exists():
        print("no base model folder (pass --model DIR)", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from arena.train import curriculum
    from arena.train.basemodel import skill_profile

    torch.set_num_threads(args.threads)
    hf_logging.disable_progress_bar()
    tok = AutoTokenizer.from_pretrained(args.model)
    t0 = time.time()
    trained = AutoModelForCausalLM.from_pretrained(args.model)
    prof = skill_profile(trained, tok, n=args.n, seed=args.seed)
    t_trained = time.time() - t0
    torch.manual_seed(0)
    rand = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(args.model))
    rand.generation_config = trained.generation_config
    base = skill_profile(rand, tok, n=args.n, seed=args.seed)
    card = (
        json.loads((args.model / "model_card.json").read_text())
        if (args.model / "model_card.json").exists()
        else {}
    )
    if args.json:
        print(
            json.dumps(
                {
                    "model": str(args.model),
                    "n": args.n,
                    "seed": args.seed,
                    "trained": prof,
                    "random_init": base,
                }
            )
        )
        return 0
    n_params = sum(p.numel() for p in trained.parameters())
    print(f"{args.model.name}: {n_params:,} parameters, {card.get('steps', '?')} steps, "
          f"{card.get('tokens_seen', 0):,} tokens; {args.n} fresh instances per skill, seed {args.seed}")  # fmt: skip
    print(f"{'skill':28s} {'format':10s} {'trained':>8s} {'random':>8s}")
    for s in curriculum.SKILLS:
        fmts = "/".join(sorted({e.fmt for e in curriculum.fresh(s, args.n, seed=args.seed)}))
        print(f"{s:28s} {fmts:10s} {prof[s]:8.2f} {base[s]:8.2f}")
    own = curriculum.OWN_SKILLS
    print(f"{'mean (arena drills)':28s} {'':10s} {sum(prof[s] for s in own) / len(own):8.3f} "
          f"{sum(base[s] for s in own) / len(own):8.3f}")  # fmt: skip
    print(
        f"{'mean (all)':28s} {'':10s} {sum(prof.values()) / len(prof):8.3f} {sum(base.values()) / len(base):8.3f}"
    )
    print(f"({t_trained:.0f} s for the trained model's profile)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
