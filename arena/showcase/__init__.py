"""``arena showcase``: the whole PostTrain Arena story on the bundled corpora, in one process.

    from arena.showcase import run_showcase
    summary = run_showcase("runs/showcase", figures="figures", seed=0)      # ~10 min on 2 cores
    summary = run_showcase("/tmp/sc", quick=True, figures=None)             # ~1-2 min (tests)

Stages (each timed; ``resume=True`` skips the finished ones):

1. **validate** — static checks of ``environments/reference`` and the four demo teams, and the
   dynamic ladder on every task that passes them (``--quick``: hasty whole, a sample of the
   others): the oracle 3 times (``Plan.oracle_runs``: the organizers' minimum, as ``arena
   validate``; a 1-in-4 flaky oracle like hasty's slips through with probability 1/64 — the 6 runs
   used until 2026-11-29 made that 1/4096 but slowed training once bluefence grew to 200 tasks)
   and the nop agent once.  hasty's planted defects (``DEFECTS.yaml``) are matched against the
   findings.  A task with an error finding never reaches training: the corpus a team is trained
   on is its validated tasks (``corpora/<team>/`` when anything was excluded) and every exclusion
   is recorded with its rules.
2. **corpora** — the single-domain training corpora of the transfer matrix, generated from the
   procedural families: per domain, 12 tasks of each of its two training families (4 easy, 4
   medium, 4 hard; train split, seeds 700 + 10·seed + difficulty).  Generated rather than sliced
   from the reference corpus (10 per domain) so a single-domain run sees more of its domain than
   the baseline did and shares no task with it; the train split keeps them off the held-out
   suite's entity pools and prompt templates.
3. **train** — the one recipe (``tiny-showcase``) for every run: ``single-<domain>`` x 8 first
   (they need no validation result, so the ladder runs meanwhile), then ``baseline`` (reference
   corpus), ``baseline-reseed`` (the A/A control: the same corpus, recipe ``seed`` + 1 — the only
   difference, see ``digest_without_seed`` in showcase.json), ``polymath``, ``bluefence``,
   ``hasty`` (its validated tasks), ``parrot`` (the memorizing control).  The recipe starts from the
   committed base model ``models/arena-base-2m``.
4. **eval** — every checkpoint on the held-out suite (:func:`arena.evaluate.evaluate`, greedy,
   one sample), handed to the background as soon as the checkpoint exists; the SFT-only model of
   each ``SFT_ONLY`` run (``eval/<run>@sft``: GRPO's own Δ); parrot's memorization probe
   (``probe/parrot/``: its own tasks and fresh instances of their families); **learnability**: the
   baseline checkpoint sampled K times (K = the recipe's ``grpo.num_generations``) on every task
   of each team's training corpus, as soon as the baseline exists.
5. **report** — ``transfer_meta.csv`` and ``arena report`` (tables + figures; the validation
   exclusions as flags, the team corpora against the held-out suite for contamination) into
   ``report/``; the figures (PNG + SVG) are copied to ``--figures``.
6. **notebooks** — ``notebooks/0[1-6]_*.ipynb`` executed with ``results=<out>`` (skipped, with a
   note, when the folder holds none).
7. **summary** — ``showcase.json``: stage timings (busy time and window per stage; CPU time and
   load average, since other work on the same cores slows every stage), wall time, how well each
   run fit its own corpus, the headline numbers and the acceptance checks.

Layout of ``out`` (the notebooks read it)::

    validate/               a run folder (trials.parquet) + validate.json (ValidationReport.to_dict())
    corpora/                single-<domain>/ and every filtered team corpus (hasty/)
    train/<run>/            arena train output (model_card.json, checkpoint/, ...)
    eval/<run>/             arena eval output on the held-out suite (trials.parquet, run.json)
    learnability/<team>/    eval run folders: the baseline checkpoint on each team corpus, K samples
    transfer_meta.csv       run, train_domains, family, start, control
    report/                 arena report output (tables/, figures/, report.md)
    notebooks/              executed notebooks + HTML
    showcase.json           timings, headline numbers, acceptance checks

Everything that uses torch runs on the calling thread, in a fixed order; sandboxed trials
(validation ladder, scoring the evaluation answers) run on one background thread meanwhile.
The answers of an evaluation are generated on the main thread before its trials are handed to
the background (:class:`PrecomputedEngine`), so the torch RNG sees the same sequence of calls in
every run: same seed, same tables.

The package, one module per concept: ``plan`` (names, sizes, the recipe), ``state`` (showcase.json
as an :class:`arena.stagestate.StageState`, the stage clock), ``display`` (progress), ``host``
(priorities, OpenMP, stderr, CPU time), ``engine`` (precomputed completions), one module per stage
(``validate``, ``corpora``, ``train``, ``evaluation``: eval + learnability, ``report``,
``notebooks``, ``summary``), ``headline`` (the numbers and the acceptance checks) and ``runner``
(:class:`Showcase`: runs the stages in order).  The seed and the plan reach every library call as
values (``build_report(ReportOptions(seed=…, resamples=…))``, ``evaluate(…, seed=…)``), never as
a command line; runs and corpora are named by the library's ``NAME=PATH`` specs (arena.runs.split_spec).
"""

from __future__ import annotations

from arena.showcase.engine import PrecomputedEngine, precompute_for_eval
from arena.showcase.headline import acceptance, headline_numbers
from arena.showcase.plan import (
    MEMORIZER,
    SFT_ONLY,
    STAGES,
    TEAMS,
    Plan,
    ShowcaseError,
    plan_for,
    run_names,
    showcase_recipe,
)
from arena.showcase.runner import Showcase, run_showcase

__all__ = ["MEMORIZER", "SFT_ONLY", "STAGES", "TEAMS", "Plan", "PrecomputedEngine", "Showcase", "ShowcaseError",
           "acceptance", "headline_numbers", "plan_for", "precompute_for_eval", "run_names", "run_showcase",
           "showcase_recipe"]  # fmt: skip
