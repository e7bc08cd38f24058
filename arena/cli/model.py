"""``arena model tiny``: write a tiny random-init Qwen3 + local BPE tokenizer (CPU training target)."""

from __future__ import annotations

import argparse

from arena.cli.common import EXIT_OK, emit_json, usage_error

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
    p = sub.add_parser("model", help="make a tiny CPU model (for training demos and tests)",
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
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


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
