"""Evaluate a checkpoint on a suite: K samples per task through real sandboxed trials.

The output is a run folder like every other (``trials.parquet`` + journal + per-trial logs) plus
``run.json`` saying what was evaluated (checkpoint, its model card's recipe/corpus digests, the
suite's digest, samples, seed), so ``arena score`` can pair it with other runs.  Re-running the
same command resumes: finished trials are neither regenerated nor re-verified.  Infrastructure
failures are retried a bounded number of times and counted apart from the model's failures.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from arena.runfolder import FailureKind, RunStore, Status, counts, suite_digest

DEFAULT_SUITE = Path(__file__).resolve().parent.parent / "data" / "heldout"


class EvalError(RuntimeError):
    pass


@dataclass
class Checkpoint:
    model_path: str  # what from_pretrained loads (a folder or a hub id)
    card: dict = field(default_factory=dict)  # the training run's model_card.json, when there is one
    source: str = ""


def resolve_checkpoint(ref: str | Path) -> Checkpoint:
    """A folder made by `arena train` (model_card.json + checkpoint/), a model folder, or a hub id."""
    p = Path(ref)
    if (p / "model_card.json").is_file():
        card = json.loads((p / "model_card.json").read_text())
        model = p / card.get("checkpoint", "checkpoint")
        if not model.is_dir() and "checkpoint" not in card and (p / "config.json").is_file():
            model = p  # a model folder that carries its card (models/arena-base-2m: the pretrained base)
        if not model.is_dir():
            raise EvalError(f"{p}/model_card.json names checkpoint {model}, which does not exist; re-run `arena train`")
        return Checkpoint(str(model), card, str(p))
    if p.is_dir():
        if not (p / "config.json").is_file():
            raise EvalError(f"{p} is neither a training run (model_card.json) nor a model folder (config.json)")
        return Checkpoint(str(p), {}, str(p))
    if p.exists():
        raise EvalError(f"{p} is a file; pass a training run folder, a model folder or a hub id")
    return Checkpoint(str(ref), {}, str(ref))  # a hub id: from_pretrained decides (offline here)


def evaluate(
    checkpoint: str | Path, *, suite: str | Path | None = None, out: str | Path, samples: int = 1, runtime=None,
    workers: int = 2, seed: int = 0, temperature: float | None = None, max_new_tokens: int = 64,
    engine: str = "transformers", engine_options: dict | None = None, mode: str = "answer", retries: int = 2,
    progress: bool = True, team: str | None = None, engine_obj=None, executor=None,
) -> dict:  # fmt: skip
    """Run the model on every task of the suite; returns the run summary (also in run.json).

    ``executor`` fans the verifier trials out (default: the local pool; ``RayExecutor`` for a
    cluster).  Answer mode generates every completion here and ships only the trials; tool mode
    generates inside each trial, so on a distributed executor it needs an endpoint engine."""
    from arena.agents.model import GenOptions
    from arena.corpus import load_tasks
    from arena.engines import get_engine

    suite = Path(suite or DEFAULT_SUITE)
    tasks, problems = load_tasks([suite])
    if not tasks:
        raise EvalError(f"no loadable task under {suite}" + (f" ({problems[0].message})" if problems else ""))
    ck = resolve_checkpoint(checkpoint)
    store = RunStore(out)
    meta_path = Path(out) / "run.json"
    sdig = suite_digest((t.id, t.digest) for t in tasks)
    if meta_path.exists():
        old = json.loads(meta_path.read_text())
        if old.get("suite_digest") != sdig or old.get("checkpoint") != ck.model_path:
            store.close()
            raise EvalError(
                f"{out} already holds an evaluation of {old.get('checkpoint')} on suite {old.get('suite_digest', '?')[:12]}; "
                "use another --out (resuming needs the same checkpoint and suite)"
            )
    t0 = time.time()
    if runtime is None:
        from arena.sandbox import get_runtime

        runtime = get_runtime("auto")
    ex_name = getattr(executor, "name", "local")
    if mode != "answer" and ex_name != "local" and getattr(engine_obj, "name", engine) != "openai":
        raise EvalError(f"{mode} mode generates inside each trial: on the {ex_name} executor it needs an endpoint "
                        "every worker reaches (--engine openai --base-url …); or use --mode answer")  # fmt: skip
    if engine_obj is None:
        engine_obj = get_engine(engine, model=ck.model_path, **(engine_options or {}))
    temp = temperature if temperature is not None else (0.0 if samples == 1 else 1.0)
    options = GenOptions(max_new_tokens=max_new_tokens, temperature=temp, seed=seed)
    meta = {
        "kind": "eval",
        "checkpoint": ck.model_path,
        "source": ck.source,
        "team": team or ck.card.get("team"),
        "recipe_digest": ck.card.get("recipe_digest"),
        "corpus_digest": ck.card.get("corpus_digest"),
        "train_domains": sorted((ck.card.get("corpus") or {}).get("by_domain", {})),
        "suite": str(suite),
        "suite_digest": sdig,
        "tasks": len(tasks),
        "samples": samples,
        "temperature": temp,
        "seed": seed,
        "engine": engine_obj.describe() if hasattr(engine_obj, "describe") else engine,
        "runtime": runtime.name,
        "executor": ex_name,
        "mode": mode,
    }
    try:
        meta_path.write_text(json.dumps(meta, indent=1, default=str))
        results = _run_with_retries(engine_obj, tasks, runtime, mode=mode, samples=samples, options=options,
                                    store=store, workers=workers, retries=retries,
                                    progress="eval" if progress else False, executor=executor)  # fmt: skip
        summary = summarize(results)
        meta.update(summary=summary, seconds=round(time.time() - t0, 1))
        meta_path.write_text(json.dumps(meta, indent=1, default=str))
    finally:
        store.close()
    return meta


def _run_with_retries(engine, tasks, runtime, *, retries: int, store, **kw):
    """run_model, then re-run (up to ``retries`` rounds) the trials that failed for infrastructure."""
    from arena.agents.model import run_model

    results = run_model(engine, tasks, runtime, store=store, **kw)
    for _ in range(retries):
        infra = {r.trial_key for r in results if r.status == Status.INFRA_ERROR}
        if not infra:
            break
        store.forget(infra)
        results = run_model(engine, tasks, runtime, store=store, **kw)
    return results


def summarize(results) -> dict:
    from collections import Counter

    counted = [r for r in results if counts(r.status, r.reward)]
    st = Counter(r.status for r in results)
    by_dom: dict[str, list] = {}
    for r in counted:
        by_dom.setdefault(r.domain or "unknown", []).append(r.reward >= 1.0)
    return {
        "trials": len(results),
        "counted": len(counted),
        "status": dict(sorted(st.items())),
        "infra_errors": st.get(Status.INFRA_ERROR, 0),
        "verifier_errors": st.get(Status.VERIFIER_ERROR, 0),
        # counted failures the verdict rule attributes to the agent (arena.verdict), by kind
        "agent_failures": dict(sorted(Counter(r.failure_kind for r in counted
                                              if r.failure_kind in (FailureKind.AGENT_BROKE_VERIFIER, FailureKind.AGENT_TIMEOUT)).items())),
        "pass_rate": round(sum(r.reward >= 1.0 for r in counted) / len(counted), 4) if counted else None,
        "mean_reward": round(sum(r.reward for r in counted) / len(counted), 4) if counted else None,
        "pass_rate_by_domain": {d: round(sum(v) / len(v), 4) for d, v in sorted(by_dom.items())},
    }
