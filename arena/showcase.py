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
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import shutil
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from arena.engines import Engine

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "environments" / "reference"
TEAMS_DIR = REPO / "environments" / "teams"
HELDOUT = REPO / "data" / "heldout"
NOTEBOOKS = REPO / "notebooks"
TEAMS = ("polymath", "bluefence", "hasty", "parrot")
#: the memorizing demo team: its checkpoint is also evaluated on its own training tasks (the probe)
MEMORIZER = "parrot"
#: runs whose SFT-only checkpoint is evaluated too (eval/<run>@sft): GRPO's own contribution
SFT_ONLY = ("baseline", "polymath", "bluefence")
PRESET = "tiny-showcase"
STAGES = ("validate", "corpora", "train", "eval", "learnability", "report", "notebooks", "summary")
#: the run a team's lift is checked on first (the narrow entry on its own domain)
PRIMARY = ("bluefence", "cybersecurity")
SCHEMA = 1


class ShowcaseError(RuntimeError):
    """The showcase cannot go on; the message says what to do."""


# ---------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Plan:
    """How big each stage is.  ``default`` is the documented run; ``quick`` the test-sized one."""

    mode: str
    recipe: str = PRESET
    #: recipe fields replaced in quick mode (identical for every run of the showcase)
    recipe_overrides: dict = field(default_factory=dict)
    #: dynamic ladder: None = every task; N = hasty whole + N tasks of each other corpus
    ladder_sample: int | None = None
    #: oracle runs per task in the ladder (organizers: at least 3; `arena validate` uses 3 too).  6 until
    #: 2026-11-29, when bluefence grew to 200 tasks and the ladder's ~3,000 trials slowed training
    oracle_runs: int = 3
    #: single-domain corpora: tasks per training family (two families per domain)
    single_per_family: int = 12
    #: held-out tasks per domain to evaluate on (None = the whole suite)
    heldout_per_domain: int | None = None
    eval_samples: int = 1
    #: learnability: team-corpus tasks per domain sampled K times (None = every task); 24 keeps
    #: polymath and hasty whole and samples bluefence's 200 cyber tasks (its generation runs on the
    #: training thread: 67 s for the whole corpus)
    learn_per_domain: int | None = 24
    resamples: int = 10_000
    workers: int = 8
    budget_sec: float = 600.0
    notebook_timeout_sec: float = 600.0

    def to_dict(self) -> dict:
        return asdict(self)


def plan_for(quick: bool) -> Plan:
    if not quick:
        return Plan("default")
    return Plan(
        "quick",
        recipe_overrides={
            "sft": {"max_steps": 12, "per_device_train_batch_size": 8, "warmup_steps": 2, "save_steps": 12},
            "grpo": {"max_steps": 1, "per_device_train_batch_size": 8, "num_generations": 4, "save_steps": 1},
        },
        ladder_sample=2,
        single_per_family=3,
        heldout_per_domain=3,
        learn_per_domain=2,
        resamples=1000,
        budget_sec=120.0,
    )


def showcase_recipe(plan: Plan, seed: int):
    """The recipe every run of the showcase uses (the A/A control adds 1 to ``seed``)."""
    from arena.train.recipe import load_recipe, parse_recipe

    base = load_recipe(plan.recipe)
    doc = base.model_dump(mode="json")
    for section, values in plan.recipe_overrides.items():
        doc[section] = {**doc[section], **values}
    doc["seed"] = seed
    return parse_recipe(doc, f"{plan.recipe} ({plan.mode}, seed {seed})")


def run_names() -> list[str]:
    from arena.domains import DOMAIN_IDS

    return ["baseline", "baseline-reseed", *TEAMS, *(f"single-{d}" for d in DOMAIN_IDS)]


# ---------------------------------------------------------------------------------- progress


class Display:
    """Stage progress: a rich live display on a terminal, plain lines otherwise (logs, CI).

    Each stage shows done/total, elapsed time and its ETA (from its own pace); the top row is the
    whole showcase, whose ETA is the expected time of the stages still on the critical path
    (``EXPECTED_SECONDS``), scaled by how the finished ones compared with their expectation.
    Plain lines: one per step for small stages (runs), at most one per ``every`` seconds for large
    ones (trials).  Thread-safe: the background thread reports too."""

    def __init__(
        self, enabled: bool, expected: dict[str, float], *, rich: bool | None = None, every: float = 5.0
    ):
        self.enabled = enabled
        self.expected = dict(expected)
        self.every = every
        self.lock = threading.RLock()
        self.t0 = time.perf_counter()
        self.rows: dict[str, dict] = {}
        self.progress = None
        if enabled and (sys.stderr.isatty() if rich is None else rich):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("[bold]{task.description:<13}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[note]}"),
                console=Console(stderr=True), refresh_per_second=4,
            )  # fmt: skip
            self.overall = self.progress.add_task("showcase", total=len(expected), note="")
            self.progress.start()

    def eta_total(self) -> float:
        """Seconds left on the critical path, scaled by the pace of the finished stages."""
        now = time.perf_counter()
        fin = [
            (n, r)
            for n, r in self.rows.items()
            if r["end"] is not None and n in OWN_PACE and n in self.expected
        ]
        exp_done = sum(self.expected[n] for n, _ in fin)
        pace = sum(r["end"] - r["start"] for _, r in fin) / exp_done if exp_done else 1.0
        left = 0.0
        for n, exp in self.expected.items():
            r = self.rows.get(n)
            if r is None:
                left += exp * pace
            elif r["end"] is None:
                el = now - r["start"]
                if n in OWN_PACE and 0 < r["done"] < r["total"]:  # a sequential stage under way: its own pace
                    left += el / r["done"] * (r["total"] - r["done"])
                else:
                    left += max(exp * pace - el, 0.0)
        return left

    def start(self, stage: str, total: int, note: str = "") -> None:
        with self.lock:
            self.rows[stage] = {
                "start": time.perf_counter(),
                "end": None,
                "done": 0,
                "total": total,
                "printed": 0.0,
            }
            if self.progress is not None:
                self.rows[stage]["task"] = self.progress.add_task(stage, total=max(total, 1), note=note)
            elif self.enabled:
                self._line(stage, note or "started")

    def advance(self, stage: str, note: str = "", n: int = 1) -> None:
        with self.lock:
            row = self.rows[stage]
            row["done"] += n
            if self.progress is not None:
                self.progress.update(row["task"], advance=n, note=note)
                self.progress.update(self.overall, note=f"~{self.eta_total():.0f}s left")
            elif self.enabled:
                small = row["total"] <= 30
                if small or row["done"] >= row["total"] or time.perf_counter() - row["printed"] >= self.every:
                    self._line(stage, note if small else "")

    def finish(self, stage: str, note: str = "") -> None:
        with self.lock:
            row = self.rows.get(stage) or {
                "start": time.perf_counter(),
                "done": 0,
                "total": 0,
                "printed": 0.0,
            }
            self.rows[stage] = row
            row["end"] = time.perf_counter()
            if self.progress is not None:
                if "task" in row:
                    self.progress.update(row["task"], completed=max(row["total"], 1), note=note or "done")
                ended = sum(
                    1 for n, r in self.rows.items() if r.get("end") is not None and n in self.expected
                )
                self.progress.update(self.overall, completed=ended, note=f"~{self.eta_total():.0f}s left")
            elif self.enabled:
                self._line(stage, f"done in {row['end'] - row['start']:.1f}s" + (f": {note}" if note else ""))

    def _line(self, stage: str, note: str) -> None:
        row = self.rows[stage]
        now = time.perf_counter()
        row["printed"] = now
        el = now - row["start"]
        eta = ""
        if row["end"] is None and 0 < row["done"] < row["total"]:
            eta = f", ETA {el / row['done'] * (row['total'] - row['done']):.0f}s"
        count = f" {row['done']}/{row['total']}" if row["total"] and row["end"] is None else ""
        tail = f" | showcase {now - self.t0:.0f}s, ~{self.eta_total():.0f}s left"
        print(f"[showcase] {stage:<12}{count} {note} ({el:.1f}s{eta}){tail}", file=sys.stderr, flush=True)

    def say(self, msg: str) -> None:
        if not self.enabled:
            return
        if self.progress is not None:
            self.progress.console.print(f"[showcase] {msg}", markup=False, highlight=False)
        else:
            print(f"[showcase] {msg}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def paused(self):
        """Stop redrawing while something else owns the terminal's stderr."""
        if self.progress is None:
            yield
            return
        self.progress.stop()
        try:
            yield
        finally:
            self.progress.start()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# ----------------------------------------------------------------------------- precomputed engine


def _conv_key(conv: list[dict]) -> str:
    return json.dumps(conv, sort_keys=True, ensure_ascii=False)


class PrecomputedEngine(Engine):
    """Completions generated ahead of time by another engine, handed out by conversation.

    ``PrecomputedEngine(inner, conversations, max_new_tokens=…, temperature=…, n=…, seed=…)`` calls
    ``inner.chat`` once, on the calling thread, with exactly the batch ``arena.evaluate`` would
    send; a later ``chat`` with the same settings returns those completions (any subset of the
    conversations, in the order asked).  Asking for anything else is an error, never a silent
    fresh generation on another thread."""

    def __init__(self, inner: Engine, conversations: list[list[dict]], **settings):
        self.settings = {
            "tools": None,
            "max_new_tokens": 64,
            "temperature": 0.0,
            "n": 1,
            "seed": None,
            **settings,
        }
        outs = inner.chat(conversations, **self.settings)
        n = self.settings["n"]
        self.by_conv = {_conv_key(c): outs[i * n : (i + 1) * n] for i, c in enumerate(conversations)}
        self.name = inner.name
        self._describe = inner.describe()

    def describe(self) -> dict:
        return {**self._describe, "precomputed": True}

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        asked = {
            "tools": tools,
            "max_new_tokens": max_new_tokens,
            "temperature": temperature,
            "n": n,
            "seed": seed,
        }
        if asked != self.settings:
            raise ShowcaseError(f"precomputed completions were made with {self.settings}, asked for {asked}")
        out = []
        for c in conversations:
            got = self.by_conv.get(_conv_key(c))
            if got is None:
                raise ShowcaseError(
                    "a conversation was not precomputed (the suite changed under the showcase?)"
                )
            out += got
        return out


def precompute_for_eval(checkpoint: Path, suite: Path, *, samples: int, seed: int, max_new_tokens: int = 64):
    """The engine ``evaluate(checkpoint, suite=suite, samples=samples, seed=seed)`` would build,
    with every completion generated now (fresh evaluation: all tasks, suite order)."""
    from arena.agents.model import task_messages
    from arena.corpus import load_tasks
    from arena.engines import TransformersEngine
    from arena.evaluate import resolve_checkpoint

    tasks, _ = load_tasks([suite])
    inner = TransformersEngine(resolve_checkpoint(checkpoint).model_path, device="cpu")
    temp = 0.0 if samples == 1 else 1.0
    convs = [task_messages(t) for t in tasks]
    return PrecomputedEngine(
        inner, convs, max_new_tokens=max_new_tokens, temperature=temp, n=samples, seed=seed
    )


# ------------------------------------------------------------------------------------ helpers


def _write_json(path: Path, doc) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, default=str, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _tasks_by_domain(root: Path) -> dict[str, list[Path]]:
    """Task folders under ``root`` by domain, each list in folder order."""
    from arena.corpus import load_tasks

    tasks, _ = load_tasks([root])
    out: dict[str, list[Path]] = {}
    for t in sorted(tasks, key=lambda t: t.id):
        out.setdefault(t.domain or "unknown", []).append(t.root)
    return out


def _sample(root: Path, per_domain: int) -> list[Path]:
    """The first ``per_domain`` tasks (by id) of every domain of a corpus."""
    return [p for paths in _tasks_by_domain(root).values() for p in paths[:per_domain]]


def _copy_tasks(paths: list[Path], dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for p in paths:
        shutil.copytree(p, tmp / p.name)
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)


def _within(path: str, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def team_root(team: str) -> Path:
    return TEAMS_DIR / team


# ----------------------------------------------------------------------------------- showcase


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
        self.doc: dict = {}
        self.timings: dict[str, dict] = {}
        self.lock = threading.Lock()

    # -- state ----------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.out / "showcase.json"

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
        if self.state_path.exists():
            old = json.loads(self.state_path.read_text(encoding="utf-8"))
            if not self.resume:
                raise ShowcaseError(f"{self.out} already holds a showcase (showcase.json); pass --resume to continue "
                                    "it, or choose another --out / remove the folder")  # fmt: skip
            if old.get("config") != self.config():
                raise ShowcaseError(f"{self.out} holds a showcase made with other settings "
                                    f"(seed {old.get('config', {}).get('seed')}, mode "
                                    f"{old.get('config', {}).get('plan', {}).get('mode')}); --resume needs the same "
                                    "--seed and --quick, or choose another --out")  # fmt: skip
            self.doc = old
        elif self.out.exists() and any(self.out.iterdir()) and not self.resume:
            raise ShowcaseError(f"{self.out} exists and is not empty; choose another --out, remove it, or pass "
                                "--resume to continue a showcase that was killed before its first stage ended")  # fmt: skip
        self.out.mkdir(parents=True, exist_ok=True)
        self.doc.setdefault("config", self.config())
        self.doc.setdefault("stages", {})
        self.doc["complete"] = False
        self._save()

    def _save(self) -> None:
        with self.lock:
            _write_json(self.state_path, self.doc)

    def done(self, stage: str, item: str | None = None) -> bool:
        st = self.doc["stages"].get(stage, {})
        if item is None:
            return st.get("status") == "done"
        return item in st.get("items_done", [])

    def _mark_item(self, stage: str, item: str) -> None:
        with self.lock:
            st = self.doc["stages"].setdefault(stage, {})
            items = st.setdefault("items_done", [])
            if item not in items:
                items.append(item)
        self._save()

    def _timed(self, stage: str, seconds: float) -> None:
        with self.lock:
            t = self.timings.setdefault(stage, {"seconds": 0.0, "start": None, "end": None})
            t["seconds"] += seconds

    def _mark_stage(self, stage: str, **info) -> None:
        with self.lock:
            st = self.doc["stages"].setdefault(stage, {})
            st.update(status="done", **info)
        self._save()

    # -- runtime ----------------------------------------------------------------------------

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

    # -- main -------------------------------------------------------------------------------

    def run(self) -> dict:
        t_wall = time.perf_counter()
        load0 = _loadavg()
        cpu0 = _cpu_seconds()
        self._open()
        self.recipe = showcase_recipe(self.plan, self.seed)
        self.recipe_reseed = showcase_recipe(self.plan, self.seed + 1)
        self._get_runtime()
        expected = EXPECTED_SECONDS[self.plan.mode]
        self.display = Display(self.progress, expected, rich=self.rich)
        self.bg = ThreadPoolExecutor(1, thread_name_prefix="showcase-trials", initializer=_background_priority)
        try:
            self.display.say(f"{self.plan.mode} run into {self.out} (seed {self.seed}, recipe {self.recipe.name} "
                             f"{self.recipe.digest[:12]}, runtime {self.runtime.name})")  # fmt: skip
            with _quiet_libraries(), _arena_errors():
                validation: Future = self._submit("validate", self.stage_validate)
                self.stage_corpora()
                jobs: list[Future] = []
                self.stage_train(validation, jobs)
                for f in jobs:
                    f.result()
                self._finish_eval()
                self.stage_report()
                self.stage_notebooks()
        finally:
            self.bg.shutdown(wait=True, cancel_futures=True)
            self.display.close()
        wall = time.perf_counter() - t_wall
        self.cpu_sec = round(_cpu_seconds() - cpu0, 1)
        return self.stage_summary(wall, load0)

    def _submit(self, stage: str, fn, *args) -> Future:
        """Run a trial job on the background thread; its time counts for ``stage``."""

        def job():
            t = time.perf_counter()
            try:
                return fn(*args)
            finally:
                now = time.perf_counter()
                self._timed(stage, now - t)
                with self.lock:
                    w = self.timings[stage]
                    w["start"] = t if w["start"] is None else min(w["start"], t)
                    w["end"] = now if w["end"] is None else max(w["end"], now)

        return self.bg.submit(job)

    def _window(self, stage: str, t: float, now: float) -> None:
        with self.lock:
            w = self.timings.setdefault(stage, {"seconds": 0.0, "start": None, "end": None})
            w["start"] = t if w["start"] is None else min(w["start"], t)
            w["end"] = now if w["end"] is None else max(w["end"], now)
            w["seconds"] += now - t

    # -- 1 validate -------------------------------------------------------------------------

    def stage_validate(self) -> dict:
        """Static checks + the dynamic ladder; returns {team: [task paths to train on]} + exclusions."""
        from arena.corpus import check_paths
        from arena.validate import ValidationReport, validate_paths

        out = self.out / "validate"
        roots = {"reference": REFERENCE, **{t: team_root(t) for t in TEAMS}}
        if self.done("validate") and (out / "selection.json").exists():
            self.display.start("validate", 0, "done (resumed)")
            self.display.finish("validate", "resumed")
            return json.loads((out / "selection.json").read_text())
        if self.plan.ladder_sample is None:
            paths = [str(p) for p in roots.values()]
            scope = f"every task of the four corpora (oracle x{self.plan.oracle_runs} + nop each)"
        else:
            k = self.plan.ladder_sample
            paths = [str(roots["hasty"])] + [str(p) for name, root in roots.items() if name != "hasty"
                                             for p in _sample(root, k)]  # fmt: skip
            scope = (f"quick: hasty whole, {k} task(s) per domain of reference/polymath/bluefence (oracle "
                     f"x{self.plan.oracle_runs} + nop each); their other tasks are trained on after the static check "
                     "only")  # fmt: skip
        static = check_paths([str(p) for p in roots.values()])
        n_ladder = sum(1 for tr in check_paths(paths).tasks if tr.ok)
        self.display.start("validate", n_ladder * (self.plan.oracle_runs + 1), f"ladder on {n_ladder} tasks")
        rep = validate_paths(paths, runtime=self.runtime, workers=self.plan.workers, out_dir=out, progress=False,
                             oracle_runs=self.plan.oracle_runs,
                             executor=_CountingPool(self.plan.workers, lambda: self.display.advance("validate", n=1)))  # fmt: skip
        if self.plan.ladder_sample is not None:  # the static findings of the tasks outside the sample too
            seen = {(f.rule, f.path, f.message) for f in rep.findings}
            extra = [f for f in static.findings if (f.rule, f.path, f.message) not in seen]
            rep = ValidationReport(findings=rep.findings + extra, rows=rep.rows, results=rep.results)
        doc = rep.to_dict()
        _write_json(out / "validate.json", doc)
        selection = self._select(roots, static, rep, scope)
        _write_json(out / "selection.json", selection)
        self._mark_stage("validate", scope=scope, tasks_laddered=n_ladder, summary=doc["summary"])
        self.display.finish("validate", f"{doc['summary']['tasks_passed']}/{doc['summary']['tasks']} passed")
        return selection

    def _select(self, roots: dict[str, Path], static, rep, scope: str) -> dict:
        """Per corpus: the tasks to train on and the excluded ones (with their error rules)."""
        import yaml

        errors = [f for f in rep.findings if f.severity == "error"]
        by_corpus: dict = {}
        for name, root in roots.items():
            tasks = [Path(tr.path) for tr in static.tasks if _within(tr.path, root)]
            keep, excluded = [], {}
            for p in sorted(tasks, key=lambda p: p.name):
                rules = sorted({f.rule for f in errors if _within(f.path, p)})
                if rules:
                    excluded[p.name] = rules
                else:
                    keep.append(str(p))
            by_corpus[name] = {"root": str(root), "tasks": len(tasks), "kept": keep, "excluded": excluded}
        planted = yaml.safe_load((roots["hasty"] / "DEFECTS.yaml").read_text(encoding="utf-8")) or {}
        hasty_ex = by_corpus["hasty"]["excluded"]
        caught = []
        for task, d in sorted(planted.items()):
            want = {d["rule"], *d.get("also", [])}
            found = hasty_ex.get(task, [])
            caught.append({"task": task, "rule": d["rule"], "kind": d["kind"], "what": d["what"], "found": found,
                           "caught": bool(want & set(found))})  # fmt: skip
        unexpected = {t: r for t, r in hasty_ex.items() if t not in planted}
        return {
            "scope": scope,
            "corpora": by_corpus,
            "planted_defects": caught,
            "unexpected_exclusions": unexpected,
        }

    # -- 2 corpora --------------------------------------------------------------------------

    def stage_corpora(self) -> None:
        from arena import families
        from arena.domains import DOMAIN_IDS
        from arena.families.base import write_generated

        t = time.perf_counter()
        root = self.out / "corpora"
        self.display.start("corpora", len(DOMAIN_IDS))
        n = self.plan.single_per_family
        for dom in DOMAIN_IDS:
            dest = root / f"single-{dom}"
            if not (self.done("corpora", dom) and dest.is_dir()):
                gens = []
                for fam in families.names(reserved=False, domain=dom):
                    for k, difficulty in enumerate(("easy", "medium", "hard")):
                        count = n // 3 + (1 if k < n % 3 else 0)
                        gens += families.instances(fam, count, seed=700 + 10 * self.seed + k, difficulty=difficulty,
                                                   split="train")  # fmt: skip
                tmp = dest.with_name(dest.name + ".tmp")
                shutil.rmtree(tmp, ignore_errors=True)
                tmp.mkdir(parents=True)
                for g in gens:
                    write_generated(g, tmp)
                shutil.rmtree(dest, ignore_errors=True)
                os.replace(tmp, dest)
                self._mark_item("corpora", dom)
            self.display.advance("corpora", dom)
        self._mark_stage(
            "corpora", single_per_family=n, source="procedural families, train split, seeds 700+"
        )
        self.display.finish("corpora")
        self._window("corpora", t, time.perf_counter())

    def corpus_of(self, run: str) -> Path:
        """The corpus a run trains on: its validated tasks (the original folder when nothing was
        excluded, else corpora/<name>/ with the kept tasks), or a generated single-domain corpus."""
        if run.startswith("single-"):
            return self.out / "corpora" / run
        name = "reference" if run.startswith("baseline") else run
        root = REFERENCE if name == "reference" else team_root(name)
        sel = self.selection["corpora"][name]
        if not sel["excluded"]:
            return root
        dest = self.out / "corpora" / name
        if not (dest / ".complete").exists():
            _copy_tasks([Path(p) for p in sel["kept"]], dest)
            (dest / "README.md").write_text(_filtered_readme(name, sel), encoding="utf-8")
            (dest / ".complete").write_text("")
        return dest

    # -- 3 train + 4 eval -------------------------------------------------------------------

    def stage_train(self, validation: Future, jobs: list[Future]) -> None:
        """Train every run (single-domain ones first: they need no validation result), and hand
        each checkpoint's evaluation to the background as soon as it exists; the learnability
        samples are drawn as soon as the baseline exists, so their trials overlap training too."""
        from arena.train.pipeline import train

        names = run_names()
        order = [r for r in names if r.startswith("single-")] + [
            r for r in names if not r.startswith("single-")
        ]
        self.display.start("train", len(order))
        self.display.start("eval", len(order) + len(SFT_ONLY) + 1)  # + the SFT-only models, the probe
        base_src = None
        self.selection = None
        for run in order:
            if not run.startswith("single-") and self.selection is None:
                t = time.perf_counter()
                self.selection = validation.result()  # organizers train only on validated tasks
                self._window("wait-for-validate", t, time.perf_counter())
            corpus = self.corpus_of(run)
            dest = self.out / "train" / run
            recipe = self.recipe_reseed if run == "baseline-reseed" else self.recipe
            if not (self.done("train", run) and (dest / "model_card.json").exists()):
                t = time.perf_counter()
                if base_src is not None and not (dest / "base" / "config.json").exists():
                    # the generated base model is byte-identical for every run (same size and seed): copy it
                    shutil.copytree(base_src, dest / "base", dirs_exist_ok=True)
                train(recipe, [str(corpus)], dest, resume=True, progress=False, runtime=self.runtime,
                      threads=self.train_threads)
                self._window("train", t, time.perf_counter())
                self._mark_item("train", run)
            if base_src is None and (dest / "base" / "config.json").exists():
                base_src = dest / "base"
            self.display.advance("train", run)
            jobs.append(self._eval(run))
            if run in SFT_ONLY:
                jobs.append(self._eval(run, stage="sft"))
            if run == MEMORIZER:
                jobs.append(self._probe(run))
            if run == "baseline":
                jobs += self.stage_learnability()
        self._mark_stage("train", runs=order, recipe=self.recipe.name, recipe_digest=self.recipe.digest,
                         recipe_digest_reseed=self.recipe_reseed.digest)  # fmt: skip
        self.display.finish("train", f"{len(order)} runs")

    def _suite(self) -> Path:
        """The held-out suite (quick: a per-domain sample copied to corpora/heldout-quick)."""
        k = self.plan.heldout_per_domain
        if k is None:
            return HELDOUT
        dest = self.out / "corpora" / "heldout-quick"
        if not (dest / ".complete").exists():
            _copy_tasks(_sample(HELDOUT, k), dest)
            (dest / ".complete").write_text("")
        return dest

    def _eval(self, run: str, stage: str | None = None) -> Future:
        """``run``'s checkpoint on the held-out suite; ``stage="sft"``: its SFT-only model (sft/final)."""
        from arena.evaluate import evaluate

        name = f"{run}@{stage}" if stage else run
        dest = self.out / "eval" / name
        ckpt = self.out / "train" / run / (f"{stage}/final" if stage else "")
        if self.done("eval", name) and (dest / "run.json").exists():
            self.display.advance("eval", f"{name} (resumed)")
            return _done_future()
        t = time.perf_counter()
        suite = self._suite()
        engine = precompute_for_eval(ckpt, suite, samples=self.plan.eval_samples, seed=self.seed)
        self._window("eval-generate", t, time.perf_counter())

        def job():
            evaluate(ckpt, suite=suite, out=dest, samples=self.plan.eval_samples, runtime=self.runtime,
                     workers=self.plan.workers, seed=self.seed, engine_obj=engine, progress=False, team=name)  # fmt: skip
            self._mark_item("eval", name)
            self.display.advance("eval", name)

        return self._submit("eval", job)

    def _probe(self, run: str) -> Future:
        """The memorization probe of ``run`` (probe/<run>/): its checkpoint on its own training tasks
        and on fresh train-split instances of their families (the held-out set is eval/<run>)."""
        from arena.agents.model import task_messages
        from arena.corpus import load_tasks
        from arena.engines import TransformersEngine
        from arena.evaluate import resolve_checkpoint
        from arena.probe import fresh_suite, run_probe

        dest = self.out / "probe" / run
        if self.done("eval", f"{run}@probe") and (dest / "probe.json").exists():
            self.display.advance("eval", f"{run} probe (resumed)")
            return _done_future()
        ckpt = self.out / "train" / run
        corpus = self.corpus_of(run)
        t = time.perf_counter()
        fresh_suite(corpus, self.out / "corpora" / f"fresh-{run}", seed=self.seed)  # run_probe writes the same
        tasks, _ = load_tasks([corpus, self.out / "corpora" / f"fresh-{run}"])
        inner = TransformersEngine(resolve_checkpoint(ckpt).model_path, device="cpu")
        engine = PrecomputedEngine(inner, [task_messages(x) for x in tasks], max_new_tokens=64, temperature=0.0,
                                   n=1, seed=self.seed)  # fmt: skip
        self._window("eval-generate", t, time.perf_counter())

        def job():
            run_probe(ckpt, corpus, dest, heldout=False, team=run, seed=self.seed, runtime=self.runtime,
                      workers=self.plan.workers, engine_obj=engine, progress=False)  # fmt: skip
            self._mark_item("eval", f"{run}@probe")
            self.display.advance("eval", f"{run} probe")

        return self._submit("eval", job)

    def _finish_eval(self) -> None:
        self._mark_stage("eval", suite=str(self._suite()), samples=self.plan.eval_samples)
        self.display.finish("eval")

    def stage_learnability(self) -> list[Future]:
        from arena.evaluate import evaluate

        k = int(self.recipe.grpo.get("num_generations", 8))
        self.display.start("learnability", len(TEAMS), f"K={k}")
        futures = []
        for team in TEAMS:
            dest = self.out / "learnability" / team
            if self.done("learnability", team) and (dest / "run.json").exists():
                self.display.advance("learnability", f"{team} (resumed)")
                continue
            corpus = self.corpus_of(team)
            if self.plan.learn_per_domain is not None:
                sample_dir = self.out / "corpora" / f"learn-{team}"
                if not (sample_dir / ".complete").exists():
                    _copy_tasks(_sample(corpus, self.plan.learn_per_domain), sample_dir)
                    (sample_dir / ".complete").write_text("")
                corpus = sample_dir
            t = time.perf_counter()
            ckpt = self.out / "train" / "baseline"
            engine = precompute_for_eval(ckpt, corpus, samples=k, seed=self.seed)
            self._window("learnability-generate", t, time.perf_counter())

            def job(team=team, corpus=corpus, dest=dest, engine=engine, ckpt=ckpt):
                evaluate(ckpt, suite=corpus, out=dest, samples=k, runtime=self.runtime, workers=self.plan.workers,
                         seed=self.seed, engine_obj=engine, progress=False, team=f"baseline@{team}")  # fmt: skip
                self._mark_item("learnability", team)
                self.display.advance("learnability", team)

            futures.append(self._submit("learnability", job))

        def close():
            self._mark_stage("learnability", samples=k, checkpoint="train/baseline",
                             tasks_per_domain=self.plan.learn_per_domain)  # fmt: skip
            self.display.finish("learnability", f"K={k}")

        futures.append(self.bg.submit(close))
        return futures

    # -- 5 report ---------------------------------------------------------------------------

    def transfer_meta(self) -> Path:
        from arena import families

        rows = []
        for run in run_names():
            card = json.loads((self.out / "train" / run / "model_card.json").read_text())
            doms = sorted(card["corpus"]["by_domain"])
            fam = ""
            if run.startswith("single-"):
                fam = "+".join(families.names(reserved=False, domain=run.removeprefix("single-")))
            rows.append({"run": run, "train_domains": "+".join(doms), "family": fam, "start": "base",
                         "control": "baseline" if run == "baseline-reseed" else ""})  # fmt: skip
        path = self.out / "transfer_meta.csv"
        buf = io.StringIO()
        w = csv.DictWriter(
            buf, fieldnames=["run", "train_domains", "family", "start", "control"], lineterminator="\n"
        )
        w.writeheader()
        w.writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
        return path

    def stage_report(self) -> None:
        from arena.report import ReportError, ReportOptions, build_report, read_scores

        if self.done("report") and (self.out / "report" / "report.json").exists():
            self.display.start("report", 0)
            self.display.finish("report", "resumed")
            self.scores = read_scores(self.out / "report")
            self._copy_figures()
            return
        t = time.perf_counter()
        self.display.start("report", 1, "tables + figures")
        meta = self.transfer_meta()
        report = self.out / "report"
        report.mkdir(parents=True, exist_ok=True)
        flags = report / "validation_flags.csv"  # an input of the report, kept beside it
        self._flags(flags)
        corpora = [
            f"{n}={self.corpus_of('baseline' if n == 'reference' else n)}" for n in ("reference", *TEAMS)
        ]
        opts = ReportOptions(
            runs=[f"{r}={self.out / 'eval' / r}" for r in run_names() if r != "baseline"],
            baseline=f"baseline={self.out / 'eval' / 'baseline'}", out=report, transfer_meta=str(meta),
            seed=self.seed, resamples=self.plan.resamples, flags=str(flags), corpus=corpora,
            learnability=f"baseline@polymath={self.out / 'learnability' / 'polymath'}", heldout=str(self._suite()),
            probe=[f"{MEMORIZER}={self.out / 'probe' / MEMORIZER}"]
            if (self.out / "probe" / MEMORIZER / "probe.json").is_file() else [],
        )  # fmt: skip
        try:
            result = build_report(opts)
        except ReportError as exc:
            raise ShowcaseError(f"the report cannot be written: {exc}") from None
        (report / "report.log").write_text(
            "".join(f"{line}\n" for line in result.summary_lines()) + "".join(f"warning: {w}\n" for w in result.warnings),
            encoding="utf-8",
        )  # fmt: skip
        self.scores = result.scores
        self._copy_figures()
        self._mark_stage("report", options={k: str(v) if isinstance(v, Path) else v for k, v in asdict(opts).items()})
        self.display.finish("report")
        self._window("report", t, time.perf_counter())

    def _flags(self, path: Path) -> None:
        """Validation flags per team (team, flag, count, detail) for the award tables."""
        from arena.validation_tables import exclusion_flags

        excluded = {team: self.selection["corpora"][team]["excluded"] for team in TEAMS}
        exclusion_flags(excluded).to_csv(path, index=False, lineterminator="\n")

    def _copy_figures(self) -> None:
        if self.figures is None:
            return
        src = self.out / "report" / "figures"
        self.figures.mkdir(parents=True, exist_ok=True)
        for f in sorted(src.glob("*")):
            if f.suffix in (".png", ".svg"):
                shutil.copy2(f, self.figures / f.name)

    # -- 6 notebooks ------------------------------------------------------------------------

    def stage_notebooks(self) -> None:
        t = time.perf_counter()
        found = sorted(NOTEBOOKS.glob("0[1-6]_*.ipynb")) if NOTEBOOKS.is_dir() else []
        if not self.run_notebooks:
            self.display.start("notebooks", 0)
            self._mark_stage("notebooks", ran=[], note="skipped: notebooks=False")
            self.display.finish("notebooks", "skipped")
            return
        if not found:
            self.display.start("notebooks", 0)
            note = f"skipped: {NOTEBOOKS} holds no 01…06 notebooks yet"
            self._mark_stage("notebooks", ran=[], note=note)
            self.display.finish("notebooks", note)
            return
        try:
            from arena.notebooks import run_notebook
        except ImportError as exc:  # pragma: no cover - arena.notebooks ships with arena
            raise ShowcaseError(f"cannot run notebooks: {exc}") from None
        self.display.start("notebooks", len(found))
        ran, failed = [], []
        for nb in found:
            if self.done("notebooks", nb.stem) and (self.out / "notebooks" / nb.name).exists():
                self.display.advance("notebooks", f"{nb.stem} (resumed)")
                continue
            try:
                (self.out / "notebooks").mkdir(parents=True, exist_ok=True)
                with self.display.paused(), _stderr_to(self.out / "notebooks" / "kernels.log"):
                    r = run_notebook(str(nb), self.notebook_parameters(nb.stem), out_dir=self.out / "notebooks",
                                     html=True, cwd=REPO)  # fmt: skip
                ran.append(
                    {"notebook": nb.stem, "seconds": round(r.seconds, 1), "records": sorted(r.records)}
                )
                self._mark_item("notebooks", nb.stem)
            except Exception as exc:  # noqa: BLE001 - a failing notebook is reported, the summary still written
                failed.append({"notebook": nb.stem, "error": str(exc)[:2000]})
            self.display.advance("notebooks", nb.stem)
        self._mark_stage("notebooks", ran=ran, failed=failed)
        self.display.finish("notebooks", f"{len(ran)} ran, {len(failed)} failed")
        self._window("notebooks", t, time.perf_counter())

    def notebook_parameters(self, stem: str) -> dict:
        """The results folder for every notebook; notebook 03 (training) gets the showcase's own
        training run instead (the baseline: its recipe, loss curves and model card)."""
        if stem.startswith("03_"):
            run = (self.out / "train" / "baseline").resolve()
            return {"results": str(run), "recipe": str(run / "recipe.json")}
        return {"results": str(self.out.resolve())}

    # -- 7 summary --------------------------------------------------------------------------

    def stage_summary(self, wall: float, load0: dict) -> dict:
        headline = headline_numbers(self.scores, self._train_domains())
        story = self.story_numbers(headline)
        checks = acceptance(headline, wall, self.plan, story)
        stage_times = {}
        for name, w in sorted(self.timings.items()):
            stage_times[name] = {"busy_sec": round(w["seconds"], 2),
                                 "window_sec": round(w["end"] - w["start"], 2) if w["start"] is not None else None}  # fmt: skip
        self.doc.update({
            "complete": True,
            "wall_sec": round(wall, 1),
            "stage_times": stage_times,
            "loadavg": {"start": load0, "end": _loadavg()},
            "cpu_sec": getattr(self, "cpu_sec", None),  # this process + its sandboxes and kernels: load-independent
            "cpus": os.cpu_count(),
            "recipe": {"name": self.recipe.name, "digest": self.recipe.digest, "seed": self.recipe.seed,
                       "reseed_digest": self.recipe_reseed.digest, "reseed_seed": self.recipe_reseed.seed,
                       "digest_without_seed": _digest_without_seed(self.recipe),
                       "reseed_digest_without_seed": _digest_without_seed(self.recipe_reseed),
                       "num_generations": int(self.recipe.grpo.get("num_generations", 0))},
            "validation": _validation_summary(self.selection),
            "runs": {r: {"corpus": str(self.corpus_of(r)), "train_domains": self._train_domains().get(r, []),
                         "fit": train_fit(self.out / "train" / r)} for r in run_names()},
            "headline": headline,
            "story": story,
            "acceptance": checks,
        })  # fmt: skip
        self._save()
        return self.doc

    def story_numbers(self, headline: dict) -> dict:
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
            p = self.out / "train" / r / "rollouts.parquet"
            if p.is_file():
                df = pd.read_parquet(p, columns=["attempt", "step", "task_id", "domain", "reward"])
                for (_, _, _, dom), g in df.groupby(["attempt", "step", "task_id", "domain"], sort=True):
                    groups.append((r, dom, [float(x) for x in g["reward"]]))
        grpo_delta = {}
        for r in SFT_ONLY:
            a, b = self.out / "eval" / r, self.out / "eval" / f"{r}@sft"
            if (a / "run.json").exists() and (b / "run.json").exists():
                cmp = load_comparison([f"{r}={a}"], f"{r}@sft={b}")
                t = score_table(cmp.team_trials, cmp.baseline.trials, n_resamples=self.plan.resamples, seed=self.seed)
                o = t[(t["team"] == r) & (t["domain"] == "overall")].iloc[0]
                grpo_delta[r] = {"delta": _num(o["delta"]), "ci": [_num(o["ci_low"]), _num(o["ci_high"])],
                                 "sft_pass_rate": _num(o["ref_value"]), "grpo_pass_rate": _num(o["team_value"])}  # fmt: skip
        probe = self.out / "probe" / MEMORIZER / "probe.json"
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
            "memorizer": {"team": MEMORIZER, "train_pass_rate": _num((summary.get("train") or {}).get("pass_rate")),
                          "fresh_pass_rate": _num((summary.get("fresh") or {}).get("pass_rate")),
                          "heldout_pass_rate": mem.get("pass_rate"), "heldout_delta_ci": mem.get("ci")},
            "shared_traits": explain,
        }  # fmt: skip

    def _train_domains(self) -> dict[str, list[str]]:
        out = {}
        for r in run_names():
            p = self.out / "train" / r / "model_card.json"
            if p.exists():
                out[r] = sorted(json.loads(p.read_text())["corpus"]["by_domain"])
        return out


# ------------------------------------------------------------------------------ small pieces


#: critical-path stages whose remaining time is extrapolated from their own progress (the others
#: overlap them on the background thread)
OWN_PACE = ("train", "notebooks")
#: wall seconds each stage adds to the critical path on 2 idle cores (validation and most of the
#: evaluation run in the background while models train); the display's overall ETA
EXPECTED_SECONDS = {
    "default": {"corpora": 1, "train": 420, "learnability": 5, "eval": 10, "report": 10, "notebooks": 25},
    "quick": {"corpora": 1, "train": 50, "learnability": 2, "eval": 5, "report": 5, "notebooks": 25},
}


@contextlib.contextmanager
def _quiet_libraries():
    """transformers/TRL deprecation chatter (one per trainer) would bury the stage display."""
    import warnings

    with warnings.catch_warnings():
        for mod in ("transformers", "trl", "accelerate", "torch"):
            warnings.filterwarnings("ignore", category=FutureWarning, module=mod)
            warnings.filterwarnings("ignore", category=UserWarning, module=mod)
        yield


@contextlib.contextmanager
def _arena_errors():
    """A failing stage surfaces as a ShowcaseError that says which stage and why (resumable)."""
    from arena.engines import EngineError
    from arena.evaluate import EvalError
    from arena.sandbox.base import SandboxError
    from arena.train.pipeline import TrainError
    from arena.train.recipe import RecipeError

    try:
        yield
    except (TrainError, EvalError, EngineError, RecipeError, SandboxError) as exc:
        raise ShowcaseError(
            f"{type(exc).__name__}: {exc}\n(fix the cause, then continue with --resume)"
        ) from exc


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send file descriptor 2 (child processes included: notebook kernels) to ``path``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as f:
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


class _CountingPool:
    """arena.executors.LocalPool that also ticks a counter per finished trial (the progress display)."""

    def __init__(self, workers: int, tick):
        from arena.executors import LocalPool

        self.inner = LocalPool(workers)
        self.tick = tick

    def map_unordered(self, fn, items, on_error=None):
        for res in self.inner.map_unordered(fn, items, on_error=on_error):
            self.tick()
            yield res

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _background_priority() -> None:
    """Lower the calling thread's scheduling priority (nice 10; Linux nice values are per thread).

    The background thread runs the trials (ladder, evaluations, learnability); training on the main
    thread is the critical path.  Threads and processes started from here (the trial pool's workers,
    bubblewrap) inherit the value, so trials fill the CPU that training leaves idle instead of taking
    a share of its cores.  Best effort: where it is not allowed, nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _passive_openmp_wait() -> None:
    """OMP_WAIT_POLICY=PASSIVE (unless the user set it) when torch is not loaded yet: its OpenMP
    threads then sleep instead of spinning while they wait.  The showcase trains while its trials
    run, and a spinning thread stalls its partner whenever a trial takes the other core.  Measured
    on 2 cores (bench/bench_train_beside_trials.py): a 2-thread matmul loop beside sandbox
    launches ran 16.5 iterations/s spinning vs 31.9 passive (alone: 46.5 vs 41.8), and the
    launches ran 1.6x faster.  The thread count, hence the arithmetic and the tables, is the same.
    Process-wide and read once, by OpenMP's start-up: it has no effect once torch is loaded."""
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _done_future() -> Future:
    f: Future = Future()
    f.set_result(None)
    return f


def _loadavg() -> dict:
    try:
        one, five, fifteen = os.getloadavg()
        return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2)}
    except OSError:  # pragma: no cover - platforms without getloadavg
        return {}


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children (sandboxes, kernels)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _digest_without_seed(recipe) -> str:
    import hashlib

    doc = recipe.canonical()
    doc.pop("seed", None)
    return hashlib.sha256(
        json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def _filtered_readme(name: str, sel: dict) -> str:
    lines = [f"# {name}: the validated tasks only", "",
             f"{len(sel['kept'])} of {sel['tasks']} tasks of {sel['root']}: the ones with no error finding in the "
             "showcase's validation (static checks + the oracle / nop ladder).  Organizers train only on "
             "validated tasks; the excluded ones and the rules that excluded them:", ""]  # fmt: skip
    lines += [f"- `{t}`: {', '.join(r)}" for t, r in sorted(sel["excluded"].items())]
    return "\n".join(lines) + "\n"


def _validation_summary(selection: dict | None) -> dict:
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


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else round(v, 4)


def headline_numbers(scores, train_domains: dict[str, list[str]]) -> dict:
    """From the report's score table: each run's overall Δ + CI, per-domain Δ + CI, and the lifts
    whose CI lies above 0 on a domain the run trained on."""
    out: dict = {"baseline": None, "teams": {}, "control": None, "single_domain": {}, "in_domain_lifts": []}
    for run, g in scores.groupby("team", sort=False):
        rows = {r["domain"]: r for r in g.to_dict("records")}
        o = rows.get("overall", {})
        entry = {"delta": _num(o.get("delta")), "ci": [_num(o.get("ci_low")), _num(o.get("ci_high"))],
                 "pass_rate": _num(o.get("team_value")),
                 "per_domain": {d: {"delta": _num(r["delta"]), "ci": [_num(r["ci_low"]), _num(r["ci_high"])],
                                    "pass_rate": _num(r.get("team_value"))}
                                for d, r in rows.items() if d != "overall"}}  # fmt: skip
        if out["baseline"] is None:  # the baseline's own levels (the same in every team's rows)
            out["baseline"] = {"pass_rate": _num(o.get("ref_value")),
                               "per_domain": {d: _num(r.get("ref_value")) for d, r in rows.items() if d != "overall"}}  # fmt: skip
        for d, r in entry["per_domain"].items():
            lo = r["ci"][0]
            if lo is not None and lo > 0 and d in train_domains.get(run, []):
                out["in_domain_lifts"].append({"run": run, "domain": d, "delta": r["delta"], "ci": r["ci"]})
        if run == "baseline-reseed":
            out["control"] = entry
        elif run.startswith("single-"):
            out["single_domain"][run] = entry
        else:
            out["teams"][run] = entry
    return out


def train_fit(run_dir: Path) -> dict:
    """How well a run learned its own corpus: the final SFT loss and the GRPO rollouts (sampled at
    temperature 1 on the corpus's own prompts) that the verifier scored a pass, against which the
    held-out pass rate shows what transferred."""
    import pandas as pd

    card = json.loads((run_dir / "model_card.json").read_text())
    sft = card.get("metrics", {}).get("sft", {})
    out = {"sft_last_loss": _num(sft.get("last_loss")), "sft_steps": sft.get("steps")}
    p = run_dir / "rollouts.parquet"
    if p.is_file():
        r = pd.read_parquet(p, columns=["reward"])["reward"].dropna()
        out.update(grpo_rollouts=int(len(r)), grpo_pass_rate=_num((r >= 1.0).mean()) if len(r) else None,
                   grpo_mean_reward=_num(r.mean()) if len(r) else None)  # fmt: skip
    return out


def acceptance(headline: dict, wall: float, plan: Plan, story: dict | None = None) -> dict:
    """The issue's checks (arena.showcase_checks), each with whether it holds and the numbers behind it."""
    from arena import showcase_checks as sc

    story = story or {}
    team_lifts = [x for x in headline["in_domain_lifts"] if x["run"] in TEAMS]
    primary = headline["teams"].get(PRIMARY[0], {}).get("per_domain", {}).get(PRIMARY[1])
    overall, per_domain = sc.control_null(headline)
    explain = {tuple(k.split("->")): v for k, v in story.get("shared_traits", {}).items()}
    mem = story.get("memorizer") or {}
    checks = {
        "wall_time": {"holds": wall <= plan.budget_sec, "wall_sec": round(wall, 1), "budget_sec": plan.budget_sec},
        "team_in_domain_lift": {"holds": bool(team_lifts), "lifts": team_lifts,
                                "primary": {"run": PRIMARY[0], "domain": PRIMARY[1], **(primary or {})}},
        "baseline_band": sc.baseline_band(headline),
        "in_domain_lifts": sc.in_domain_lifts(headline),
        "transfer_cells": sc.transfer_cells(headline, explain),
        "grpo_zero_variance": sc.grpo_zero_variance(story.get("zero_variance", {})),
        "grpo_contribution": sc.grpo_contribution(story.get("grpo_delta", {}), [t for t in SFT_ONLY if t in TEAMS]),
        "memorizing_team": sc.memorizing_team(mem.get("team", MEMORIZER), mem.get("train_pass_rate"),
                                              mem.get("heldout_pass_rate"), mem.get("heldout_delta_ci")),
        "control_null_overall": overall,
        "control_null_per_domain": per_domain,
    }  # fmt: skip
    checks["all_hold"] = all(v["holds"] for v in checks.values() if isinstance(v, dict))
    return checks


def run_showcase(out: str | Path = "runs/showcase", *, figures: str | Path | None = "figures", seed: int = 0,
                 quick: bool = False, resume: bool = False, progress: bool = True, runtime=None,
                 notebooks: bool = True, rich: bool | None = None) -> dict:  # fmt: skip
    """Run (or resume) the showcase into ``out``; returns showcase.json's content."""
    _passive_openmp_wait()
    return Showcase(out, figures=figures, seed=seed, quick=quick, resume=resume, progress=progress, runtime=runtime,
                    notebooks=notebooks, rich=rich).run()  # fmt: skip


__all__ = ["Plan", "PrecomputedEngine", "Showcase", "ShowcaseError", "acceptance", "headline_numbers", "plan_for",
           "run_names", "run_showcase", "showcase_recipe"]  # fmt: skip
