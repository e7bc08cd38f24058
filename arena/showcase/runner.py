"""The showcase run: :class:`Showcase` holds what every stage reads (settings, plan, recipe, state,
display, runtime, the background thread) and runs the stages in their order; each stage is a
module of this package taking the showcase."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from arena.showcase import corpora, evaluation, report, summary, train, validate
from arena.showcase import notebooks as notebooks_stage
from arena.showcase.display import EXPECTED_SECONDS, Display
from arena.showcase.host import (
    arena_errors,
    background_priority,
    cpu_seconds,
    loadavg,
    passive_openmp_wait,
    quiet_libraries,
)
from arena.showcase.plan import SCHEMA, ShowcaseError, plan_for, showcase_recipe
from arena.showcase.state import StageClock, open_state


class Showcase:
    def __init__(self, out: str | Path, *, figures: str | Path | None = "figures", seed: int = 0, quick: bool = False,
                 resume: bool = False, progress: bool = True, runtime=None, notebooks: bool = True,
                 rich: bool | None = None):  # fmt: skip
        self.out = Path(out)
        self.figures = Path(figures) if figures else None
        self.seed = seed
        self.plan = plan_for(quick)
        self.resume = resume
        self.run_notebooks = notebooks
        self.runtime = runtime
        self.progress = progress
        self.rich = rich
        self.state = None  # showcase.json, once _open ran
        self.clock = StageClock()

    @property
    def train_threads(self) -> int | None:
        """2 torch threads for the default run (None = the pipeline's 1 for tiny models; quick mode, the tests).

        The pipeline's 1 guards a *busy* 2-core machine (2 spinning threads ran 3-10x slower there).  In
        the showcase the other core is mostly idle while a run trains (trials come in short bursts),
        and 2 threads measured faster: 586-603 s wall against 799 s for the same run with 1 thread,
        same tables (2 cores, 2026-11-28).  They must not spin while they wait, or a trial on the
        other core stalls both: run_showcase sets OMP_WAIT_POLICY=PASSIVE (522 s, 2026-11-29).
        ARENA_TORCH_THREADS, when set, still wins."""
        return None if self.plan.mode == "quick" else min(2, os.cpu_count() or 1)

    def config(self) -> dict:
        return {"seed": self.seed, "plan": self.plan.to_dict(), "schema": SCHEMA}

    def _open(self) -> None:
        self.state = open_state(self.out, self.config(), resume=self.resume)

    def _get_runtime(self):
        if self.runtime is not None:
            return self.runtime
        from arena.sandbox import get_runtime

        rt = get_runtime("local")
        why = rt.unavailable_reason()
        if why:
            raise ShowcaseError(f"the showcase runs its trials in the local (bubblewrap) sandbox, which cannot run "
                                f"here: {why}; install bubblewrap (scripts/install.sh does)")  # fmt: skip
        self.runtime = rt
        return rt

    def run(self) -> dict:
        t_wall = time.perf_counter()
        load0 = loadavg()
        cpu0 = cpu_seconds()
        self._open()
        self.recipe = showcase_recipe(self.plan, self.seed)
        self.recipe_reseed = showcase_recipe(self.plan, self.seed + 1)
        self._get_runtime()
        expected = EXPECTED_SECONDS[self.plan.mode]
        self.display = Display(self.progress, expected, rich=self.rich)
        self.bg = ThreadPoolExecutor(1, thread_name_prefix="showcase-trials", initializer=background_priority)
        try:
            self.display.say(f"{self.plan.mode} run into {self.out} (seed {self.seed}, recipe {self.recipe.name} "
                             f"{self.recipe.digest[:12]}, runtime {self.runtime.name})")  # fmt: skip
            with quiet_libraries(), arena_errors():
                validation: Future = self.submit("validate", validate.run, self)
                corpora.run(self)
                jobs: list[Future] = []
                train.run(self, validation, jobs)
                for f in jobs:
                    f.result()
                evaluation.finish(self)
                report.run(self)
                notebooks_stage.run(self)
        finally:
            self.bg.shutdown(wait=True, cancel_futures=True)
            self.display.close()
        wall = time.perf_counter() - t_wall
        self.cpu_sec = round(cpu_seconds() - cpu0, 1)
        return summary.run(self, wall, load0)

    def submit(self, stage: str, fn, *args) -> Future:
        """Run a trial job on the background thread; its time counts for ``stage``."""

        def job():
            t = time.perf_counter()
            try:
                return fn(*args)
            finally:
                self.clock.window(stage, t, time.perf_counter())

        return self.bg.submit(job)

    # what the tests and notebooks ask a showcase without running it

    def notebook_parameters(self, stem: str) -> dict:
        return notebooks_stage.notebook_parameters(self, stem)

    def story_numbers(self, headline: dict) -> dict:
        return summary.story_numbers(self, headline)


def run_showcase(out: str | Path = "runs/showcase", *, figures: str | Path | None = "figures", seed: int = 0,
                 quick: bool = False, resume: bool = False, progress: bool = True, runtime=None,
                 notebooks: bool = True, rich: bool | None = None) -> dict:  # fmt: skip
    """Run (or resume) the showcase into ``out``; returns showcase.json's content."""
    passive_openmp_wait()
    return Showcase(out, figures=figures, seed=seed, quick=quick, resume=resume, progress=progress, runtime=runtime,
                    notebooks=notebooks, rich=rich).run()  # fmt: skip


__all__ = ["Showcase", "run_showcase"]
