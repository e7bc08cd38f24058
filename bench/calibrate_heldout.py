"""Calibration: does SFT on a corpus lift held-out exact match for the tiny model?  (issue #6)

The showcase needs one team whose held-out lift on its own domain has a CI above 0.  This script
is the fast loop for finding a model/recipe/corpus that gets there: it trains in one process,
without sandboxes, with the same TRL SFT settings as the ``tiny-showcase`` recipe (assistant-only
loss, cosine schedule, batch 32), on the oracle answers of each corpus's tasks (the answer in
``verifier/expected.json``, which the oracle writes), then greedily answers every task of the
held-out suite and prints exact matches per domain.  Exact match = the verifier's reward 1.0.

    python bench/calibrate_heldout.py                                  # baseline vs bluefence
    python bench/calibrate_heldout.py --steps 600 --heads 4 --head-dim 16
    python bench/calibrate_heldout.py --base path/to/pretrained/model  # warm start

Measured on 2 shared cores, 2026-11-28 (this script and one-off variants of it; exact matches):

  from scratch, 4 heads x 16, 150 SFT steps: baseline (reference, 80 tasks) 0/168;
      198 generated cyber instances 2/168 (0 of 21 cyber); 600 steps: loss 0.36, 3/168, 0 cyber
  2 cyber families x 600 fresh easy instances, 300 steps, on new instances of the same families:
      failed-login-ips 0/30 (train templates) and 0/30 (held-out); log-level-count (since replaced) 8/30, 6/30
      (about the prior of its small integer answers); the `small` size (0.89M) the same: 0, 8, 8
  one family (unit-convert), 6,000 fresh instances, 800 steps (loss 0.86): easy 6/30, medium
      1/30, hard 0/30 on new train-template instances, 0/90 held-out
  16 training families x 100 easy instances, 400 steps: 17/320 on new train-template instances,
      1/320 held-out
  warm starts, then 120 steps: a base pretrained 2,000 steps on 64k generic skill drills (drill
      accuracy 5/64 after it): baseline 3/168, bluefence 3/168; a base pretrained 3,000 steps as a
      language model on 48k family prompts (loss 0.32): baseline 2/168, bluefence 1/168

What the model gets wrong (unit-convert, 400 steps at lr 1.5e-2, loss 0.43): the answer's shape is
learned (digits then the right number of zeros: '3000' for '6000', '300' for '200') but not which
sample's value to copy: the lookup/copy step does not form within these budgets.

So at <= 200 distinct tasks per corpus (the submission bound) the tiny model memorizes its
corpus (loss 0.3) and answers no held-out cyber task; neither pretraining tried here changed it.

What changed it (2026-11-29): a family whose answer does not have to be copied, and a held-out
suite that paraphrases the question but not the answer contract.
  web-attack-type (one of five labels named in the question, read off the attack payload in 1-3
      web requests; hosts, paths and parameters from split entity pools), 120 steps, evaluated on
      90 fresh instances: 32 training instances: 23/90 held-out (chance is 18), 42/90 on new
      train-template instances; 200 instances: 46-54/90 held-out (easy 27/30), 200 steps 53/90
  what broke the held-out instances (32-instance model, 90 instances, train-template baseline
      42): held-out entities alone 25, held-out answer-format line alone 25, answer-file line 32,
      intro 39, ask 47: the lines just before the answer matter most, so the contract lines are now
      the same in both splits (arena/families/base.py)
  this script on the rebuilt corpora (log-level-count replaced by web-attack-type; bluefence =
      168 web-attack-type + 32 failed-login-ips, the 200-task maximum): baseline 1/168 (0 cyber),
      bluefence 7/168, all 7 in cybersecurity

On the committed base model (models/arena-base-2m: Qwen3 1.77M, pretrained on the generic skill
curriculum; 2026-12-04, 2 shared cores at load 6-23 from other sessions, so seconds are upper
bounds; exact matches on the 168-task held-out suite, 21 per domain):
  the base as it is (--steps 0): 4/168 (ai-ml 2, sciences 2); it writes the right answer shape
      (an int, key=value lines, a comma list) but not the right values: entity names it never saw
      in pretraining (the curriculum rejects every family pool name) come out garbled
      ('Wes,Nia' -> 'ACK,KII,KIIO'), numbers are off ('72' -> '794')
  base + reference corpus (80 tasks), SFT batch 16: 20 steps lr 1e-3 (22-47 s, loss 2.59) 0/168;
      40 steps lr 2e-3 (331 s at load ~20, loss 1.48) 2/168 (office 1, cyber 1; the 72 easy tasks
      0/72); 60 steps lr 2e-3 (381 s, 164k tokens, ~430 tokens/s at load ~20; loss 1.09) 3/168
      (ai-ml 1, cyber 1, office 1); 40 steps lr 3e-4 (381 s, loss 2.54) 3/168 (ai-ml 2,
      sciences 1: the base's own level, its answers barely moved)
  no domain reaches 2/21 (the 5% floor of the baseline band) in any of these, so the band check
      (>= 6 of 8 domains in [5%, 60%]) fails by the whole band, not at its edge: the families'
      held-out tasks ask for copying unseen entities the 1.77M base cannot copy yet.  What would
      move it (not done in this session): a base that copies made-up names of the families' shape
      (short capitalised names, dotted keys, IPs, tags like FT-204), or easier families.
  full showcase on the base (seed 0, tiny-showcase: SFT 24 steps of 16 at lr 2e-3, GRPO 4 steps of
      2 x 8; 14 runs; 1066 s wall, 711 s CPU, load average 10-15 from other sessions throughout):
      baseline 3/168 held-out (office 3/21; every other domain 0/21), so 1 of 8 domains in the
      band; bluefence cybersecurity +9.5 pp [0.0, +23.8] (2/21 vs 0), no in-domain lift or
      transfer cell with a CI above 0; GRPO zero-variance groups 4/8 for the baseline (0.50, the
      limit is < 0.50; partial-credit rewards give most groups some variance: 0.00-0.75 over the
      14 runs), Δ(SFT→GRPO) baseline +0.6 pp [0.0, +1.8], polymath +0.6 [0.0, +1.8], bluefence
      -0.6 [-1.8, 0.0]; parrot 1.00 on its own 56 tasks, 0.07 on fresh instances, 0.006 held-out,
      Δ -1.2 pp [-3.6, +1.2]; the A/A control +0.0 [-1.8, +1.8], no domain excluding 0
  seeds 1 and 2 (same recipe, no notebooks; 827 s / 829 s wall, 632 / 653 s CPU): baseline 3/168
      and 1/168 held-out (1 and 0 domains in the band); GRPO zero-variance share of the baseline
      0.25 and 0.375 (below 0.50 there, 0.50 at seed 0); parrot 1.00 on its own tasks in all
      three, held-out Δ CI covering 0; A/A control CI covering 0 everywhere; no in-domain lift with
      a CI above 0 (bluefence cybersecurity [0.0, +23.8], [0.0, 0.0]).  bench/bench_showcase_seeds.py:
      stable signs for bluefence's overall Δ (+1.8, +0.6, +2.4 pp), hasty's (-), the memorizer gap
      (+99 points) and the control (covers 0); polymath's and parrot's overall Δ and every
      Δ(SFT→GRPO) change sign between seeds (each is 0-2 tasks of 168)
  the memorization control works on this base: parrot (8 instances x 7 near-duplicates), quick
      showcase recipe (12 SFT steps of 8): 0.82 on its own 56 tasks, 0.04 on fresh instances of
      the same families, 0.00 held-out
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load(root: Path) -> list[tuple[str, str, str]]:
    """(prompt, answer, domain) of every answer-mode task under ``root``."""
    from arena.task import load_task

    out = []
    for md in sorted(root.rglob("task.md")):
        task, _ = load_task(md.parent)
        exp = md.parent / "verifier" / "expected.json"
        if task is None or not exp.is_file():
            continue
        e = json.loads(exp.read_text())
        out.append((task.spec.prompt, e["answer"], e["domain"]))
    return out


def sft(base: str, rows, steps: int, lr: float, out: Path, seed: int, batch: int = 32):
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base)
    if steps == 0:  # the base model as it is
        return model.eval(), tok, 0.0, None
    ds = Dataset.from_list([{"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": a}]}
                            for p, a, _ in rows])  # fmt: skip
    args = SFTConfig(output_dir=str(out), max_steps=steps, per_device_train_batch_size=batch, learning_rate=lr,
                     lr_scheduler_type="cosine", warmup_steps=10, weight_decay=0.0, max_length=512,
                     assistant_only_loss=True, gradient_checkpointing=False, logging_steps=10_000,
                     save_strategy="no", report_to=[], use_cpu=True, bf16=False, dataloader_num_workers=0,
                     seed=seed, disable_tqdm=True)  # fmt: skip
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok)
    t0 = time.perf_counter()
    trainer.train()
    loss = trainer.state.log_history[-1].get("train_loss")
    return model.eval(), tok, time.perf_counter() - t0, loss


def exact_by_domain(model, tok, suite) -> collections.Counter:
    import torch

    hits: collections.Counter = collections.Counter()
    for i in range(0, len(suite), 56):
        batch = suite[i : i + 56]
        texts = [tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
                 for p, _, _ in batch]  # fmt: skip
        enc = tok(texts, return_tensors="pt", padding=True)
        with torch.no_grad():
            out = model.generate(**enc, max_new_tokens=48, do_sample=False)
        for o, (_, answer, domain) in zip(out, batch, strict=True):
            text = tok.decode(o[enc["input_ids"].shape[1] :], skip_special_tokens=True).strip()
            hits[domain] += text == answer
    return hits


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", default=str(REPO / "environments" / "reference"))
    p.add_argument("--team", action="append", help="team corpus folder (repeatable; default bluefence; 'none': the baseline only)")
    p.add_argument("--suite", default=str(REPO / "data" / "heldout" / "tasks"))
    p.add_argument("--base", help="start from this model folder (default: a fresh tiny model)")
    p.add_argument("--size", default="tiny", help="tiny model size when --base is not given")
    p.add_argument("--heads", type=int, help="override the number of attention heads (with --head-dim)")
    p.add_argument("--head-dim", type=int, default=16)
    p.add_argument("--steps", type=int, default=120)
    p.add_argument("--lr", type=float, default=5e-3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", default="/tmp/arena-calibrate")
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import datasets
    import torch

    datasets.disable_progress_bars()
    torch.set_num_threads(a.threads)
    work = Path(a.work)
    base = a.base
    if base is None:
        from arena.train import tiny

        size = a.size
        if a.heads:
            tiny.SIZES["calibrate"] = {**tiny.SIZES[a.size], "num_attention_heads": a.heads, "head_dim": a.head_dim,
                                       "num_key_value_heads": max(1, a.heads // 2)}  # fmt: skip
            size = "calibrate"
        info = tiny.make_tiny_model(work / "base", seed=a.seed, size=size)
        base = info["path"]
        print(f"fresh tiny model: {info['parameters']:,} parameters")
    suite = load(Path(a.suite))
    teams = a.team or [str(REPO / "environments" / "teams" / "bluefence")]
    runs = {"baseline": Path(a.baseline), **({} if a.team == ["none"] else {Path(t).name: Path(t) for t in teams})}
    print(f"suite: {len(suite)} tasks; {a.steps} SFT steps per run")
    for name, root in runs.items():
        rows = load(root)
        model, tok, secs, loss = sft(base, rows, a.steps, a.lr, work / name, a.seed, a.batch)
        t0 = time.perf_counter()
        hits = exact_by_domain(model, tok, suite)
        per = " ".join(f"{d[:4]}={hits[d]}" for d in sorted({d for _, _, d in suite}))
        loss_s = f"{loss:.3f}" if loss is not None else "-"
        print(f"{name:>12}: {len(rows)} rows, sft {secs:.0f} s, eval {time.perf_counter() - t0:.0f} s, final loss "
              f"{loss_s}; held-out exact {sum(hits.values())}/{len(suite)} {per}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
