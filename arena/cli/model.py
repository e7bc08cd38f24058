"""``arena model tiny``: write a tiny random-init Qwen3 + local BPE tokenizer (CPU training target).
``arena model base``: pretrain the CPU arena's fixed base model on the generic skill curriculum."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error

HELP = """Write a tiny causal language model that trains on CPU in seconds.

  arena model tiny --out models/tiny [--seed 0] [--size tiny|small]

The folder holds a random-init Qwen3ForCausalLM (tiny: hidden 64, 2 layers, ~0.15M parameters;
small: hidden 128, 4 layers, ~1M) and a ~768-token byte-level BPE tokenizer trained here on the
procedural families' training prompts (digits split into single tokens), with a Qwen-style chat
template that supports assistant-only loss and tool calls.  Load it with
AutoModelForCausalLM.from_pretrained(DIR) / AutoTokenizer.from_pretrained(DIR); no download.

The same --seed and --size always give byte-identical files (the printed digest shows it).
Use the folder as `model.path` in a training recipe (the tiny-cpu preset builds one itself).
"""


def add_parser(sub) -> None:
    p = sub.add_parser("model", help="make a CPU model: a tiny random-init one, or pretrain the base model",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    msub = p.add_subparsers(dest="model_command", metavar="ACTION")
    t = msub.add_parser("tiny", help="write a tiny random-init Qwen3 + tokenizer", description=HELP,
                        formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    t.add_argument("--out", required=True, metavar="DIR", help="folder to write (created; must be empty or absent)")
    t.add_argument("--seed", type=int, default=0, metavar="S", help="weight-init seed (default 0)")
    t.add_argument("--size", choices=("tiny", "small"), default="tiny", help="model size (default tiny)")
    t.add_argument("--force", action="store_true", help="overwrite a non-empty --out folder")
    t.add_argument("--json", action="store_true", help="print the summary as JSON")
    t.set_defaults(func=run_tiny)
    b = msub.add_parser("base", help="pretrain the fixed base model on the generic skill curriculum",
                        description=BASE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    b.add_argument("--out", required=True, metavar="DIR", help="folder to write (model files, model_card.json, chunks/)")
    b.add_argument("--resume", action="store_true", help="continue from the last chunk checkpoint in --out")
    b.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="cpu (fp32) or cuda (bf16 autocast)")
    b.add_argument("--steps", type=int, default=8000, metavar="N", help="training steps (default 8000)")
    b.add_argument("--seed", type=int, default=0, metavar="S", help="init, tokenizer and data seed (default 0)")
    b.add_argument("--size", choices=BASE_SIZES, default="base", help="model shape (default base)")
    b.add_argument("--init", metavar="MODEL_DIR", default=None,
                   help="continue pretraining a finished base model (its weights and tokenizer; --seed then only "
                        "draws the data: use another seed than its own); the card keeps the lineage")
    b.add_argument("--batch-size", type=int, default=32, metavar="B", help="examples per step (default 32)")
    b.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (default 3e-3)")
    b.add_argument("--chunk", type=int, default=250, metavar="K", help="checkpoint every K steps (default 250)")
    b.add_argument("--threads", type=int, default=None, metavar="T", help="torch threads (default: torch's choice)")
    b.add_argument("--eval-n", type=int, default=50, metavar="N", help="fresh instances per skill in the profile")
    b.add_argument("--export-checkpoint", metavar="DEST", default=None,
                   help="write the latest chunk checkpoint of --out as a model folder DEST (no training)")
    b.add_argument("--force", action="store_true", help="start over in a non-empty --out (without --resume)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    b.add_argument("--json", action="store_true", help="print the model card as JSON")
    b.set_defaults(func=run_base)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


BASE_SIZES = ("base", "base-small", "test")  # arena.train.basemodel.SIZES (no torch import here)

BASE_HELP = """Pretrain the CPU arena's fixed base model: a small Qwen3 + a locally trained tokenizer.

  arena model base --out DIR [--resume] [--device cpu|cuda] [--steps N] [--seed S] [--size base]

The curriculum (arena/train/curriculum/) is procedurally generated documents and questions on
generic skills (copy a span, find a field, count, add/subtract/compare, max, sort; int / key=value
/ list / token answers; an answer-file instruction) plus reasoning-gym items; never the arena
families' templates or entity pools.  The build first checks a sample of it against the
families' training tasks and the held-out suite and refuses any overlap.  Checkpoints every
--chunk steps under DIR/chunks/ (--resume continues from the last one, same bytes as an
uninterrupted run); at the end DIR holds config.json, model.safetensors, the tokenizer and
model_card.json (recipe digest, steps, tokens, loss curve, skill profile, wall time, hardware).
Nothing is downloaded.  Same seed, steps and threads on CPU: byte-identical weights.
"""


def run_base(args) -> int:
    import json
    import os
    from pathlib import Path

    # torch's OpenMP threads wait passively: spinning threads on a shared 2-core machine made a
    # step 5-10x slower (measured while building models/arena-base-2m); set before torch loads
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    out = Path(args.out)
    if args.export_checkpoint:
        if not (out / "chunks" / "state.pt").exists():
            return usage_error(f"{out} has no chunk checkpoint (chunks/state.pt) to export")
    elif out.exists() and any(out.iterdir()) and not (args.resume or args.force):
        return usage_error(f"{out} is not empty; pass --resume to continue it, --force to start over, or another --out")
    if args.steps < 1 or args.batch_size < 1 or args.chunk < 1:
        return usage_error("--steps, --batch-size and --chunk must be positive")
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            return usage_error("--device cuda: no CUDA device is visible to torch")
    from arena.train import basemodel
    from arena.train.curriculum import CurriculumOverlapError

    if args.export_checkpoint:
        card = basemodel.export_checkpoint(out, args.export_checkpoint, eval_n=args.eval_n)
    else:
        if args.force and not args.resume and (out / basemodel.STATE).exists():
            (out / basemodel.STATE).unlink()
        try:
            card = basemodel.build(out, steps=args.steps, seed=args.seed, size=args.size, device=args.device,
                                   batch_size=args.batch_size, lr=args.lr, chunk=args.chunk, resume=args.resume,
                                   threads=args.threads, eval_n=args.eval_n, progress=not args.no_progress,
                                   init_from=args.init)  # fmt: skip
        except CurriculumOverlapError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_FAIL
        except ValueError as e:
            return usage_error(str(e))
    if args.json:
        emit_json(card)
    else:
        prof = card.get("skill_profile") or {}
        print(f"wrote {card['name']}: {card['parameters']:,} parameters, {card['steps']} of {card['steps_planned']} steps, "
              f"{card['tokens_seen']:,} tokens, final loss {card['loss_summary'].get('final')}, {card['wall_s']} s")  # fmt: skip
        print("skill profile (exact match, fresh instances): " + json.dumps(prof))
    return EXIT_OK


def run_tiny(args) -> int:
    from pathlib import Path

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        return usage_error(f"{out} is not empty; choose another --out or pass --force")
    from arena.train.tiny import make_tiny_model

    summary = make_tiny_model(out, seed=args.seed, size=args.size)
    if args.json:
        emit_json(summary)
    else:
        print(f"wrote {summary['size']} Qwen3 model to {summary['path']}: {summary['parameters']:,} parameters, "
              f"vocab {summary['vocab_size']}, seed {summary['seed']}")  # fmt: skip
        print(f"digest {summary['digest']}")
    return EXIT_OK
