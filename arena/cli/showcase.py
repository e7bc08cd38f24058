"""``arena showcase``: validate -> train -> evaluate -> report -> notebooks on the bundled corpora."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, emit_json

HELP = """Run the whole PostTrain Arena story on the bundled corpora, on this CPU, in one process:

  1 validate      static checks of environments/reference and the four demo teams, then the
                  dynamic ladder (oracle x3 + nop) on every task that passes them; hasty's planted
                  defects are caught and listed, and its failing tasks never reach training
  2 corpora       single-domain training corpora (one per domain) generated from the families
  3 train         one recipe (tiny-showcase: the committed base model models/arena-base-2m,
                  SFT then GRPO) for every run: single-<domain> x 8 (while the ladder runs),
                  baseline (reference corpus), baseline-reseed (A/A control: same corpus, seed
                  + 1), polymath, bluefence, hasty (its validated tasks only), parrot (the
                  memorization control: near-duplicates of 8 instances)
  4 eval          every checkpoint on the held-out suite (greedy); the SFT-only models of
                  baseline, polymath and bluefence too (GRPO's own Δ); parrot's probe (its own
                  tasks and fresh instances of their families); learnability: the baseline
                  checkpoint sampled K times (K = num_generations) on up to 24 tasks per domain
                  of each team's corpus
  5 report        transfer_meta.csv + `arena report` (tables, figures) -> OUT/report; the figures
                  (PNG + SVG) are copied to --figures
  6 notebooks     notebooks/01…06 executed with results=OUT (skipped when there are none)
  7 summary       OUT/showcase.json: stage timings, wall time, headline numbers (each team's Δ
                  and CI, per-domain Δ, the A/A control's Δ and CI), the story numbers (GRPO
                  zero-variance groups, Δ(SFT→GRPO), parrot's own-task pass rate) and the
                  acceptance checks (arena/showcase_checks.py)

OUT layout: validate/ corpora/ train/<run>/ eval/<run>/ learnability/<team>/ transfer_meta.csv
report/ notebooks/ showcase.json.  Sandboxed trials run in the local (bubblewrap) runtime on a
background thread while the next model trains.  Same --seed, same tables (and same weights).
An existing OUT is refused unless --resume, which skips every finished stage and run and
continues the rest (a run killed mid-training continues from its last checkpoint).

Measured on 2 cores (2026-11-29, seed 0, the earlier random-init 0.15M tiny model): 522 s (training 440 s of it), --quick ~1 min.  Headline:
bluefence (200 cybersecurity tasks, most of them web attack triage) lifts held-out cybersecurity
by +28.6 pp [+9.5, +47.6] over the baseline (6 of 21 tasks vs 0); the A/A control is +0.0 [0, 0].
showcase.json's acceptance checks record which of the story's checks hold; the summary marks each
([x] holds, [ ] does not) and ends with how many hold.  On the base-model recipe most do not yet
(README: "The showcase, measured"); --strict makes a check that does not hold exit 1.

--quick is the test-sized version (~1-2 min): a few SFT steps, a sample of the ladder, 3
held-out tasks per domain, 1,000 bootstrap resamples.  Its numbers demonstrate the plumbing,
not the science.

examples:
  arena showcase                                   # runs/showcase, figures/ (~10 min, 2 cores)
  arena showcase --out /tmp/sc --figures /tmp/sc-figs --quick
  arena showcase --resume                          # after an interruption
  arena showcase --seed 1 --out runs/showcase-s1 --no-figures --json

exit: 0 the showcase ran (with --strict: and every acceptance check holds), 1 a stage failed
(or, with --strict, a check does not hold), 2 usage error
"""


def add_parser(sub) -> None:
    p = sub.add_parser("showcase", help="the whole story on the bundled corpora: validate, train, eval, report",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument(
        "--out", default="runs/showcase", metavar="DIR", help="results folder (default runs/showcase)"
    )
    p.add_argument("--figures", default="figures", metavar="DIR",
                   help="where the report's figures (PNG + SVG) are copied (default figures/)")  # fmt: skip
    p.add_argument("--no-figures", action="store_true", help="do not copy the figures anywhere")
    p.add_argument(
        "--seed", type=int, default=0, help="recipe, corpus generation and bootstrap seed (default 0)"
    )
    p.add_argument(
        "--quick", action="store_true", help="test-sized run (~1-2 min); numbers show plumbing only"
    )
    p.add_argument(
        "--resume", action="store_true", help="continue the showcase in --out, skipping finished work"
    )
    p.add_argument("--no-notebooks", action="store_true", help="skip executing the notebooks")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print showcase.json instead of the summary")
    p.add_argument("--strict", action="store_true", help="exit 1 when an acceptance check does not hold (CI gates)")
    p.set_defaults(func=run)


def _fmt_ci(entry: dict | None) -> str:
    if not entry or entry.get("delta") is None:
        return "n/a"
    lo, hi = entry["ci"]
    return f"{entry['delta'] * 100:+.1f} pp [{lo * 100:+.1f}, {hi * 100:+.1f}]"


def summary_text(doc: dict) -> str:
    h, a = doc["headline"], doc["acceptance"]
    lines = [f"showcase: {doc['wall_sec']:.0f}s wall ({doc['config']['plan']['mode']}, seed {doc['config']['seed']}, "
             f"recipe {doc['recipe']['name']} {doc['recipe']['digest'][:12]})"]  # fmt: skip
    for name, t in doc["stage_times"].items():
        lines.append(f"  {name:<22} {t['busy_sec']:>7.1f}s busy" + (f", {t['window_sec']:.1f}s window"
                                                                    if t["window_sec"] is not None else ""))  # fmt: skip
    v = doc.get("validation") or {}
    if v:
        lines.append(
            f"validation: hasty's planted defects caught {v['planted_caught']}/{v['planted_total']}; "
            + ", ".join(f"{n} trained on {c['trained_on']}/{c['tasks']}" for n, c in v["corpora"].items())
        )
    lines.append("Δ pass rate vs baseline (95% CI):")
    for team, e in h["teams"].items():
        lines.append(f"  {team:<16} {_fmt_ci(e)}")
    lines.append(f"  {'A/A control':<16} {_fmt_ci(h['control'])}")
    lifts = (
        ", ".join(f"{x['run']} on {x['domain']} {x['delta'] * 100:+.1f} pp" for x in h["in_domain_lifts"])
        or "none"
    )
    lines.append(f"in-domain lifts with CI above 0: {lifts}")
    for name, c in a.items():
        if isinstance(c, dict):
            lines.append(f"  [{'x' if c['holds'] else ' '}] {name}")
    held = [c["holds"] for c in a.values() if isinstance(c, dict)]
    lines.append(f"{sum(held)} of {len(held)} acceptance checks hold (showcase.json: the numbers behind each)")
    lines.append(f"results: {doc.get('out', '')}")
    return "\n".join(lines)


def run(args) -> int:
    from arena.showcase import ShowcaseError, run_showcase

    if args.no_figures and args.figures != "figures":
        print("arena: error: --figures and --no-figures contradict each other", file=sys.stderr)
        return EXIT_USAGE
    try:
        doc = run_showcase(args.out, figures=None if args.no_figures else args.figures, seed=args.seed,
                           quick=args.quick, resume=args.resume, progress=not (args.quiet or args.json),
                           notebooks=not args.no_notebooks)  # fmt: skip
    except ShowcaseError as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    doc = {**doc, "out": args.out}
    if args.json:
        emit_json(doc)
    else:
        print(summary_text(doc))
    return EXIT_FAIL if args.strict and not doc["acceptance"]["all_hold"] else EXIT_OK
