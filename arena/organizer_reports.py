"""Organizer artifacts into an arena results folder: per-team contract files and run reports.

A results folder (:class:`arena.analysis.Results`) holds ``eval/<run>/trials.parquet``.  Three
organizer artifacts can be brought into one, so notebooks 05–06 and ``arena score`` read them:

* **the per-team input contract** of their scoring module (``{"team", "instances": [{instance_id,
  domain, reward_ref, reward_team}]}``): one trial per instance for the team (``reward_team``) and
  for the reference (``reward_ref``, written to ``eval/<baseline>/``; a second contract with a
  different reference reward for the same instance is refused);
* **a pipeline run report**, ``reports/score.json`` (``run_name``, ``baseline_score``,
  ``score_after_posttrain``, ``delta_score``, ``eval_task_ids``, model ids …): aggregate scores
  only, kept as ``organizers/<name>/score.json`` and summarized in ``organizers/runs.csv`` — it
  has no per-task rewards, so it adds no trials;
* **its paired lift report**, ``reports/eval_lift.json`` (written by BenchFlow's
  ``bench eval compare-lift``): its headline numbers go to ``organizers/runs.csv``; when it carries
  per-task records (a list of objects naming a task and a baseline and a trained reward), they
  become trials of ``eval/<baseline>/`` and ``eval/<name>/``.  The shape of this file is BenchFlow's,
  not the organizers' repository's: it is read defensively (recognized keys are listed in
  :data:`TASK_KEYS` / :data:`BASELINE_KEYS` / :data:`TRAINED_KEYS`) and anything unrecognized is
  reported, never guessed.

Categories are mapped to domain ids with :func:`arena.domains.resolve`; an unknown one is kept
as written (``arena score`` then reports it as its own domain).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from arena import domains as _domains
from arena import scoring

TASK_KEYS = ("task_id", "task", "instance_id", "id", "task_name")
BASELINE_KEYS = ("baseline_reward", "reward_baseline", "baseline", "base_reward", "reward_ref", "ref_reward")
TRAINED_KEYS = ("trained_reward", "reward_trained", "trained", "final_reward", "reward_team", "team_reward")
HEADLINE_KEYS = ("baseline_pass_rate", "trained_pass_rate", "pass_rate_delta", "baseline_mean_reward",
                 "trained_mean_reward", "mean_reward_delta", "ci", "ci_low", "ci_high", "n_paired")  # fmt: skip
SCORE_KEYS = ("run_name", "model", "final_model", "baseline_score", "sft_score", "grpo_gate_score",
              "score_after_posttrain", "delta_score")  # fmt: skip


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _domain(label) -> str:
    d = _domains.resolve(str(label)) if label is not None else None
    return d.id if d else str(label or "unknown")


def _trials(ids: Iterable[str], doms: Iterable[str], rewards: Iterable[float], agent: str, source: str) -> pd.DataFrame:
    ids, doms, rewards = list(ids), list(doms), list(rewards)
    return pd.DataFrame({"task_id": ids, "domain": doms, "sample": 0, "agent": agent,
                         "reward": pd.array(rewards, dtype="float64"), "status": "ok", "source": source})  # fmt: skip


def _merge_baseline(path: Path, new: pd.DataFrame, where: str) -> pd.DataFrame:
    """The baseline's trials with ``new`` added; the same task with another reward is an error."""
    if not path.is_file():
        return new
    old = pd.read_parquet(path)
    both = old.merge(new[["task_id", "reward"]], on="task_id", how="inner", suffixes=("", "_new"))
    clash = both[(both["reward"] - both["reward_new"]).abs() > 1e-12]
    if len(clash):
        raise ValueError(f"{where}: reference rewards differ from eval/baseline for {len(clash)} task(s), e.g. "
                         f"{clash['task_id'].iloc[0]!r}: the contracts were not scored against the same reference")  # fmt: skip
    return pd.concat([old, new[~new["task_id"].isin(old["task_id"])]], ignore_index=True)


def _write_run(folder: Path, trials: pd.DataFrame, meta: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    trials.to_parquet(folder / "trials.parquet", index=False)
    (folder / "run.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return folder / "trials.parquet"


def import_contract(path: str | Path, results: str | Path, *, baseline: str = "baseline",
                    name: str | None = None) -> ImportReport:  # fmt: skip
    """One organizer-contract file → ``eval/<team>/`` and (merged) ``eval/<baseline>/``."""
    team, inst, extra = scoring.read_contract(path)
    name = name or team or Path(path).stem
    if name == baseline:
        raise ValueError(f"{path}: the team is named like the baseline run ({baseline!r}); pass another name")
    rep = ImportReport()
    ids = [i.instance_id for i in inst]
    doms = [_domain(i.domain) for i in inst]
    unknown = sorted({i.domain for i, d in zip(inst, doms) if _domains.resolve(d) is None})
    if unknown:
        rep.notes.append(f"{path}: domain(s) {unknown} name none of the eight domains; kept as written")
    root = Path(results) / "eval"
    base_pq = root / baseline / "trials.parquet"
    ref = _merge_baseline(base_pq, _trials(ids, doms, [i.reward_ref for i in inst], "reference", str(path)), str(path))
    rep.written.append(_write_run(root / baseline, ref, {"team": baseline, "source": "organizers' contract"}))
    meta = {"team": name, "source": str(path), **{k: v for k, v in extra.items() if isinstance(v, (str, int, float))}}
    rep.written.append(_write_run(root / name, _trials(ids, doms, [i.reward_team for i in inst], "team", str(path)), meta))
    return rep


def _find_task_records(obj, depth: int = 0) -> list[dict] | None:
    """The first list of objects that name a task and both rewards, searched breadth-first."""
    if depth > 4:
        return None
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        if all(_pick(x, TASK_KEYS) is not None and _pick(x, BASELINE_KEYS) is not None
               and _pick(x, TRAINED_KEYS) is not None for x in obj):  # fmt: skip
            return obj
    children = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else []
    for child in children:
        got = _find_task_records(child, depth + 1)
        if got is not None:
            return got
    return None


def _pick(d: dict, keys: tuple[str, ...]):
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return None


def import_run_report(run_dir: str | Path, results: str | Path, *, name: str | None = None,
                      baseline: str = "baseline", domain: str | None = None) -> ImportReport:  # fmt: skip
    """An organizer pipeline run (``<run>/reports/score.json`` and/or ``eval_lift.json``, or the
    ``reports/`` folder itself) → ``organizers/<name>/`` plus trials when the lift report has
    per-task records.  ``domain`` labels tasks whose record names none."""
    run_dir = Path(run_dir)
    reports = run_dir / "reports" if (run_dir / "reports").is_dir() else run_dir
    score_p, lift_p = reports / "score.json", reports / "eval_lift.json"
    if not score_p.is_file() and not lift_p.is_file():
        raise ValueError(f"{run_dir}: neither reports/score.json nor reports/eval_lift.json")
    score = json.loads(score_p.read_text(encoding="utf-8")) if score_p.is_file() else {}
    lift = json.loads(lift_p.read_text(encoding="utf-8")) if lift_p.is_file() else {}
    name = name or str(score.get("run_name") or run_dir.name)
    rep = ImportReport()
    out = Path(results) / "organizers" / name
    out.mkdir(parents=True, exist_ok=True)
    for p in (score_p, lift_p):
        if p.is_file():
            (out / p.name).write_bytes(p.read_bytes())
            rep.written.append(out / p.name)
    row = {"run": name, **{k: score.get(k) for k in SCORE_KEYS},
           "n_eval_tasks": len(score.get("eval_task_ids") or []) or None}  # fmt: skip
    if isinstance(lift, dict):
        row.update({f"lift_{k}": lift[k] for k in HEADLINE_KEYS if k in lift and not isinstance(lift[k], (dict, list))})
    records = _find_task_records(lift) if lift else None
    if lift and records is None:
        rep.notes.append(f"{lift_p}: no per-task records with a task id and both rewards (keys looked for: "
                         f"{TASK_KEYS} / {BASELINE_KEYS} / {TRAINED_KEYS}); only its headline numbers were kept")  # fmt: skip
    if records:
        ids = [str(_pick(r, TASK_KEYS)) for r in records]
        root = Path(results) / "eval"
        known = {}
        if (root / baseline / "trials.parquet").is_file():  # a task the baseline already files keeps its domain
            old = pd.read_parquet(root / baseline / "trials.parquet")
            known = dict(zip(old["task_id"].astype(str), old["domain"]))
        doms = [_domain(r.get("domain") or r.get("category") or known.get(i) or domain) for r, i in zip(records, ids)]
        base = [float(_pick(r, BASELINE_KEYS)) for r in records]
        team = [float(_pick(r, TRAINED_KEYS)) for r in records]
        ref = _merge_baseline(root / baseline / "trials.parquet", _trials(ids, doms, base, "reference", str(lift_p)),
                              str(lift_p))  # fmt: skip
        rep.written.append(_write_run(root / baseline, ref, {"team": baseline, "source": "organizers' eval_lift.json"}))
        rep.written.append(_write_run(root / name, _trials(ids, doms, team, "team", str(lift_p)),
                                      {"team": name, "source": str(lift_p)}))  # fmt: skip
        row["n_paired_imported"] = len(records)
    table = Path(results) / "organizers" / "runs.csv"
    old = pd.read_csv(table) if table.is_file() else pd.DataFrame()
    new = pd.concat([old[old.get("run", pd.Series(dtype=str)) != name] if len(old) else old, pd.DataFrame([row])],
                    ignore_index=True)  # fmt: skip
    new.to_csv(table, index=False, lineterminator="\n")
    rep.written.append(table)
    return rep
