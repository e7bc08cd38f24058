"""Stage 3, train: every run with the one recipe, each checkpoint's evaluations handed to the
background as soon as it exists."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import Future

from arena.showcase.corpora import corpus_of
from arena.showcase.evaluation import evaluate_run, learnability, probe
from arena.showcase.plan import MEMORIZER, SFT_ONLY, run_names


def run(sc, validation: Future, jobs: list[Future]) -> None:
    """Train every run (single-domain ones first: they need no validation result), and hand
    each checkpoint's evaluation to the background as soon as it exists; the learnability
    samples are drawn as soon as the baseline exists, so their trials overlap training too."""
    from arena.train.pipeline import train

    names = run_names()
    order = [r for r in names if r.startswith("single-")] + [
        r for r in names if not r.startswith("single-")
    ]
    sc.display.start("train", len(order))
    sc.display.start("eval", len(order) + len(SFT_ONLY) + 1)  # + the SFT-only models, the probe
    base_src = None
    sc.selection = None
    for run in order:
        if not run.startswith("single-") and sc.selection is None:
            t = time.perf_counter()
            sc.selection = validation.result()  # organizers train only on validated tasks
            sc.clock.window("wait-for-validate", t, time.perf_counter())
        corpus = corpus_of(sc, run)
        dest = sc.out / "train" / run
        recipe = sc.recipe_reseed if run == "baseline-reseed" else sc.recipe
        if not (sc.state.done("train", run) and (dest / "model_card.json").exists()):
            t = time.perf_counter()
            if base_src is not None and not (dest / "base" / "config.json").exists():
                # the generated base model is byte-identical for every run (same size and seed): copy it
                shutil.copytree(base_src, dest / "base", dirs_exist_ok=True)
            train(recipe, [str(corpus)], dest, resume=True, progress=False, runtime=sc.runtime,
                  threads=sc.train_threads)
            sc.clock.window("train", t, time.perf_counter())
            sc.state.mark_item("train", run)
        if base_src is None and (dest / "base" / "config.json").exists():
            base_src = dest / "base"
        sc.display.advance("train", run)
        jobs.append(evaluate_run(sc, run))
        if run in SFT_ONLY:
            jobs.append(evaluate_run(sc, run, stage="sft"))
        if run == MEMORIZER:
            jobs.append(probe(sc, run))
        if run == "baseline":
            jobs += learnability(sc)
    sc.state.finish("train", runs=order, recipe=sc.recipe.name, recipe_digest=sc.recipe.digest,
                     recipe_digest_reseed=sc.recipe_reseed.digest)  # fmt: skip
    sc.display.finish("train", f"{len(order)} runs")
