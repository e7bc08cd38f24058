"""Stage 4, eval and learnability: checkpoints on the held-out suite (and the SFT-only models),
the memorizer's probe, and the baseline sampled K times on each team's corpus.  Answers are
generated here, on the training thread; their trials run on the background thread."""

from __future__ import annotations

import time
from concurrent.futures import Future

from arena.showcase.corpora import copy_tasks, corpus_of, heldout_suite, sample_per_domain
from arena.showcase.engine import PrecomputedEngine, precompute_for_eval
from arena.showcase.host import done_future
from arena.showcase.plan import TEAMS


def evaluate_run(sc, run: str, stage: str | None = None) -> Future:
    """``run``'s checkpoint on the held-out suite; ``stage="sft"``: its SFT-only model (sft/final)."""
    from arena.evaluate import evaluate

    name = f"{run}@{stage}" if stage else run
    dest = sc.out / "eval" / name
    ckpt = sc.out / "train" / run / (f"{stage}/final" if stage else "")
    if sc.state.done("eval", name) and (dest / "run.json").exists():
        sc.display.advance("eval", f"{name} (resumed)")
        return done_future()
    t = time.perf_counter()
    suite = heldout_suite(sc)
    engine = precompute_for_eval(ckpt, suite, samples=sc.plan.eval_samples, seed=sc.seed)
    sc.clock.window("eval-generate", t, time.perf_counter())

    def job():
        evaluate(ckpt, suite=suite, out=dest, samples=sc.plan.eval_samples, runtime=sc.runtime,
                 workers=sc.plan.workers, seed=sc.seed, engine_obj=engine, progress=False, team=name)  # fmt: skip
        sc.state.mark_item("eval", name)
        sc.display.advance("eval", name)

    return sc.submit("eval", job)


def probe(sc, run: str) -> Future:
    """The memorization probe of ``run`` (probe/<run>/): its checkpoint on its own training tasks
    and on fresh train-split instances of their families (the held-out set is eval/<run>)."""
    from arena.agents.model import task_messages
    from arena.corpus import load_tasks
    from arena.engines import TransformersEngine
    from arena.evaluate import resolve_checkpoint
    from arena.probe import fresh_suite, run_probe

    dest = sc.out / "probe" / run
    if sc.state.done("eval", f"{run}@probe") and (dest / "probe.json").exists():
        sc.display.advance("eval", f"{run} probe (resumed)")
        return done_future()
    ckpt = sc.out / "train" / run
    corpus = corpus_of(sc, run)
    t = time.perf_counter()
    fresh_suite(corpus, sc.out / "corpora" / f"fresh-{run}", seed=sc.seed)  # run_probe writes the same
    tasks, _ = load_tasks([corpus, sc.out / "corpora" / f"fresh-{run}"])
    inner = TransformersEngine(resolve_checkpoint(ckpt).model_path, device="cpu")
    engine = PrecomputedEngine(inner, [task_messages(x) for x in tasks], max_new_tokens=64, temperature=0.0,
                               n=1, seed=sc.seed)  # fmt: skip
    sc.clock.window("eval-generate", t, time.perf_counter())

    def job():
        run_probe(ckpt, corpus, dest, heldout=False, team=run, seed=sc.seed, runtime=sc.runtime,
                  workers=sc.plan.workers, engine_obj=engine, progress=False)  # fmt: skip
        sc.state.mark_item("eval", f"{run}@probe")
        sc.display.advance("eval", f"{run} probe")

    return sc.submit("eval", job)


def finish(sc) -> None:
    """Every evaluation ended: the eval stage is done."""
    sc.state.finish("eval", suite=str(heldout_suite(sc)), samples=sc.plan.eval_samples)
    sc.display.finish("eval")


def learnability(sc) -> list[Future]:
    """The baseline checkpoint sampled K times (the recipe's num_generations) on each team's corpus
    (``plan.learn_per_domain`` tasks per domain) into learnability/<team>/."""
    from arena.evaluate import evaluate

    k = int(sc.recipe.grpo.get("num_generations", 8))
    sc.display.start("learnability", len(TEAMS), f"K={k}")
    futures = []
    for team in TEAMS:
        dest = sc.out / "learnability" / team
        if sc.state.done("learnability", team) and (dest / "run.json").exists():
            sc.display.advance("learnability", f"{team} (resumed)")
            continue
        corpus = corpus_of(sc, team)
        if sc.plan.learn_per_domain is not None:
            sample_dir = sc.out / "corpora" / f"learn-{team}"
            if not (sample_dir / ".complete").exists():
                copy_tasks(sample_per_domain(corpus, sc.plan.learn_per_domain), sample_dir)
                (sample_dir / ".complete").write_text("")
            corpus = sample_dir
        t = time.perf_counter()
        ckpt = sc.out / "train" / "baseline"
        engine = precompute_for_eval(ckpt, corpus, samples=k, seed=sc.seed)
        sc.clock.window("learnability-generate", t, time.perf_counter())

        def job(team=team, corpus=corpus, dest=dest, engine=engine, ckpt=ckpt):
            evaluate(ckpt, suite=corpus, out=dest, samples=k, runtime=sc.runtime, workers=sc.plan.workers,
                     seed=sc.seed, engine_obj=engine, progress=False, team=f"baseline@{team}")  # fmt: skip
            sc.state.mark_item("learnability", team)
            sc.display.advance("learnability", team)

        futures.append(sc.submit("learnability", job))

    def close():
        sc.state.finish("learnability", samples=k, checkpoint="train/baseline",
                         tasks_per_domain=sc.plan.learn_per_domain)  # fmt: skip
        sc.display.finish("learnability", f"K={k}")

    futures.append(sc.bg.submit(close))
    return futures
