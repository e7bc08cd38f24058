"""Run folders as inputs to scoring and reports: load many, name them, check they share a suite.

A *run folder* is any folder holding a ``trials.parquet`` in the layout of :mod:`arena.runfolder`
(one row per trial: task_id, domain, sample, agent, reward (nullable), status, task_digest…),
wherever it was produced (this machine, a GPU cluster).  Loading is read-only: unlike
:class:`arena.runfolder.RunStore`, nothing in the folder is created, moved or rewritten.  An
unflushed ``trials.jsonl`` journal next to the parquet is merged (a torn line is skipped and
reported); a folder with only the journal is read from it.

Metadata (optional): ``model_card.json`` (written by ``arena train``) and ``run.json`` (anything
the evaluator wants to state), read in that order, ``run.json`` winning.  Recognized keys: team,
train_domains, family, recipe_digest, corpus_digest, seed, start, control, suite_digest (null
values state nothing; ``unknown`` in train_domains is skipped).  From a model card,
``seeds.recipe`` gives the seed and ``corpus.by_domain`` the train_domains when not stated.
``arena eval`` writes such a run.json.

Names: ``NAME=PATH`` on the command line > ``team`` in the metadata > the folder's name.  Two runs
that end up with one name are told apart by their folder (``polymath [seed-2]``).

Same suite: every team run is compared with the baseline on the task ids they share.  Unusable
(:class:`RunError`): no shared task, a shared task whose ``task_digest`` differs (the task
changed between the evaluations), a run missing a whole domain the baseline has (its overall Δ
would average other domains than everyone else's), a run with no counted trial.  Warnings: a
run missing some baseline tasks (left unpaired), tasks the baseline lacks (ignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from arena import domains as _domains
from arena import namedpath
from arena.namedpath import NamedPath
from arena.runfolder import JOURNAL, TRIALS, RunError, RunPathError, read_run_trials, suite_digest

META_FILES = ("model_card.json", "run.json")  # read in this order; later files win
META_KEYS = ("team", "train_domains", "family", "recipe_digest", "corpus_digest", "seed", "start", "control",
             "suite_digest")  # fmt: skip


@dataclass
class Run:
    """One loaded run folder."""

    name: str
    path: Path
    trials: pd.DataFrame
    meta: dict = field(default_factory=dict)
    name_source: str = "folder"  # cli | metadata | folder
    notes: list[str] = field(default_factory=list)  # repairs made while reading (torn journal lines)

    @property
    def tasks(self) -> pd.DataFrame:
        """One row per task: task_id, domain, task_digest ("" when the run did not record it)."""
        t = self.trials
        dig = t["task_digest"] if "task_digest" in t else pd.Series("", index=t.index)
        out = pd.DataFrame(
            {"task_id": t["task_id"], "domain": t["domain"], "task_digest": dig.fillna("").astype(str)}
        )
        return (
            out.drop_duplicates(["task_id", "task_digest"])
            .sort_values(["task_id", "task_digest"])
            .reset_index(drop=True)
        )


def split_spec(spec: str | Path | NamedPath) -> NamedPath:
    """``NAME=PATH`` or a :class:`~arena.namedpath.NamedPath` → (NAME, PATH); a plain path →
    (None, PATH).  A path to trials.parquet names its folder."""
    name, p = namedpath.split(spec)
    if p.name in (TRIALS, JOURNAL) and p.is_file():
        p = p.parent
    return NamedPath(name, p)


def read_meta(folder: str | Path) -> dict:
    """The run's metadata (see the module docstring), normalized: only META_KEYS, train_domains
    as a list of canonical ids when it can be read, seed an int when numeric."""
    folder = Path(folder)
    raw: dict = {}
    for fname in META_FILES:
        f = folder / fname
        if not f.is_file():
            continue
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RunError(f"{f}: not valid JSON ({exc}); fix or remove it") from exc
        if not isinstance(doc, dict):
            raise RunError(f"{f}: expected a JSON object, got {type(doc).__name__}")
        if fname == "model_card.json":
            seeds = doc.get("seeds")
            if "seed" not in doc and isinstance(seeds, dict) and "recipe" in seeds:
                doc = {**doc, "seed": seeds["recipe"]}
            by_dom = (
                (doc.get("corpus") or {}).get("by_domain") if isinstance(doc.get("corpus"), dict) else None
            )
            if "train_domains" not in doc and isinstance(by_dom, dict):
                doc = {**doc, "train_domains": [d for d, n in by_dom.items() if n and d != "unknown"]}
        raw.update({k: doc[k] for k in META_KEYS if doc.get(k) is not None})  # null states nothing
    return normalize_meta(raw, where=str(folder))


def normalize_meta(raw: Mapping, where: str = "metadata") -> dict:
    meta = dict(raw)
    td = meta.get("train_domains")
    if td is not None:
        parts = td.replace(",", "+").split("+") if isinstance(td, str) else list(td)
        ids = []
        for p in (str(x).strip() for x in parts):
            if not p or p == "unknown":  # a corpus's tasks without a domain (arena train's by_domain)
                continue
            d = _domains.resolve(p)
            if d is None:
                near = _domains.suggest(p)
                hint = f"did you mean {near!r}?" if near else f"domains: {', '.join(_domains.DOMAIN_IDS)}"
                raise RunError(f"{where}: train_domains names unknown domain {p!r} ({hint})")  # fmt: skip
            ids.append(d.id)
        meta["train_domains"] = [d for d in _domains.DOMAIN_IDS if d in set(ids)]
    if isinstance(meta.get("seed"), str) and meta["seed"].strip().lstrip("-").isdigit():
        meta["seed"] = int(meta["seed"])
    return meta


def load_run(spec: str | Path, *, name: str | None = None, agent: str | None = None,
             meta: Mapping | None = None) -> Run:  # fmt: skip
    """One run folder (``PATH`` or ``NAME=PATH``).  ``agent`` keeps that agent's trials (a folder
    holding several agents needs it); ``meta`` overrides the folder's metadata key by key."""
    spec_name, folder = split_spec(spec)
    trials, notes = read_run_trials(folder)
    if agent is not None:
        have = sorted(map(str, trials["agent"].dropna().unique()))
        trials = trials[trials["agent"] == agent].reset_index(drop=True)
        if trials.empty:
            raise RunError(f"{folder}: no trial of agent {agent!r}; the run holds agents {have}")
    elif trials["agent"].nunique() > 1:
        raise RunError(f"{folder}: trials of several agents {sorted(map(str, trials['agent'].unique()))}; "
                       "choose one with --agent")  # fmt: skip
    info = read_meta(folder)
    if meta:
        info.update(normalize_meta({k: v for k, v in meta.items() if v is not None}, where=str(folder)))
    chosen = name or spec_name
    if chosen:
        return Run(chosen, folder, trials, info, "cli", notes)
    if info.get("team"):
        return Run(str(info["team"]), folder, trials, info, "metadata", notes)
    return Run(folder.resolve().name, folder, trials, info, "folder", notes)


def _unique_names(runs: list[Run]) -> None:
    """Tell runs sharing a name apart by the shortest distinguishing folder suffix."""
    by: dict[str, list[Run]] = {}
    for r in runs:
        by.setdefault(r.name, []).append(r)
    for name, group in by.items():
        if len(group) < 2:
            continue
        if any(r.name_source == "cli" for r in group):
            raise RunError(f"two runs are named {name!r}: give each a distinct NAME=PATH")
        parts = [r.path.resolve().parts for r in group]
        if len({p for p in parts}) < len(parts):
            raise RunError(f"run folder {group[0].path} is given twice")
        for depth in range(1, max(map(len, parts)) + 1):
            tails = ["/".join(p[-depth:]) for p in parts]
            if len(set(tails)) == len(tails):
                break
        for r, tail in zip(group, tails):
            r.name = tail if r.name_source == "folder" else f"{name} [{tail}]"


def load_runs(specs: Iterable[str | Path], *, agent: str | None = None,
              meta: Mapping[str, Mapping] | None = None) -> list[Run]:  # fmt: skip
    """Many run folders, with unique names (see the module docstring).  ``meta`` maps a run's
    name or folder to metadata overrides."""
    runs = []
    for spec in specs:
        r = load_run(spec, agent=agent)
        runs.append(r)
    _unique_names(runs)
    if meta:
        for r in runs:
            for key in (r.name, str(r.path), r.path.name):
                if key in meta:
                    r.meta.update(normalize_meta(meta[key], where=f"metadata for {r.name}"))
                    break
    return runs


def _examples(items: Sequence, k: int = 3) -> str:
    items = sorted(map(str, items))
    more = f" and {len(items) - k} more" if len(items) > k else ""
    return ", ".join(items[:k]) + more


@dataclass
class SuiteCheck:
    """Whether runs were evaluated on the baseline's suite: one row per run in ``table`` (run,
    role, n_trials, n_counted, n_tasks, n_shared, n_missing, n_extra, n_changed, suite_digest),
    ``errors`` (unusable: scoring must stop) and ``warnings`` (scored, but read them)."""

    table: pd.DataFrame
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_suite(teams: Sequence[Run], baseline: Run) -> SuiteCheck:
    """Compare every team run's tasks with the baseline's (see the module docstring)."""
    from arena.stats import counted

    errors: list[str] = []
    warns: list[str] = []
    base_t = baseline.tasks
    base_ids = set(base_t["task_id"])
    base_dig = {t: d for t, d in zip(base_t["task_id"], base_t["task_digest"]) if d}
    base_doms = set(base_t["domain"].dropna())
    rows = []
    for role, run in [("baseline", baseline)] + [("team", r) for r in teams]:
        t = run.tasks
        ids = set(t["task_id"])
        n_counted = int(counted(run.trials).sum())
        if run.trials["domain"].isna().any():
            errors.append(f"{run.name} ({run.path}): {int(run.trials['domain'].isna().sum())} trials have no domain; "
                          "fill the domain column with domain ids (see `arena domains`)")  # fmt: skip
        if n_counted == 0:
            errors.append(f"{run.name} ({run.path}): none of its {len(run.trials)} trials counts (every reward is "
                          "null or an infra/verifier error): re-run the evaluation")  # fmt: skip
        for tid, n in t.groupby("task_id").size().items():
            if n > 1:
                errors.append(f"{run.name}: task {tid} appears with {n} different task digests in one run")
                break
        shared, missing, extra = ids & base_ids, base_ids - ids, ids - base_ids
        changed = sorted(tid for tid, d in zip(t["task_id"], t["task_digest"])
                         if tid in shared and d and base_dig.get(tid) and base_dig[tid] != d)  # fmt: skip
        if role == "team":
            if not shared:
                errors.append(f"{run.name} ({run.path}) shares no task with the baseline {baseline.name}: "
                              f"it was evaluated on another suite ({_examples(ids)} vs {_examples(base_ids)}); "
                              "evaluate both checkpoints on the same held-out suite")  # fmt: skip
            elif changed:
                errors.append(f"{run.name}: {len(changed)} task(s) differ in content from the baseline's "
                              f"(task_digest): {_examples(changed)}; the suite changed between the two "
                              "evaluations: re-evaluate on one suite version")  # fmt: skip
            elif missing:
                have = set(t.loc[t["task_id"].isin(shared), "domain"])
                lost = sorted(base_doms - have, key=lambda d: _domains.DOMAIN_IDS.index(d)
                              if d in _domains.DOMAIN_IDS else 99)  # fmt: skip
                if lost:
                    errors.append(f"{run.name} has no task of domain(s) {lost} that the baseline has: its "
                                  "overall Δ would average other domains than the others'; evaluate it on the "
                                  "whole suite")  # fmt: skip
                else:
                    warns.append(f"{run.name} lacks {len(missing)} of the baseline's {len(base_ids)} tasks "
                                 f"({_examples(missing)}): they are unpaired and left out of its Δ")  # fmt: skip
            if extra and shared:
                warns.append(
                    f"{run.name} has {len(extra)} task(s) the baseline lacks ({_examples(extra)}): ignored"
                )
            sd, bd = run.meta.get("suite_digest"), baseline.meta.get("suite_digest")
            if shared and sd and bd and sd != bd and not (missing or extra or changed):
                warns.append(f"{run.name}: run.json names suite {str(sd)[:12]}, the baseline's {str(bd)[:12]}, "
                             "yet their trials cover the same tasks with the same digests: compared on them")  # fmt: skip
        rows.append({"run": run.name, "role": role, "path": str(run.path), "n_trials": len(run.trials),
                     "n_counted": n_counted, "n_tasks": len(ids), "n_shared": len(shared), "n_missing": len(missing),
                     "n_extra": len(extra), "n_changed": len(changed), "suite_digest": suite_digest(zip(t["task_id"], t["task_digest"]))})  # fmt: skip
        warns.extend(f"{run.name}: {n}" for n in run.notes)
    return SuiteCheck(pd.DataFrame(rows), errors, warns)


@dataclass
class Comparison:
    """Team runs against one baseline, loaded and checked: what ``arena score`` / ``arena report``
    and the notebook widgets work from."""

    teams: list[Run]
    baseline: Run
    suite: SuiteCheck

    @property
    def team_trials(self) -> dict[str, pd.DataFrame]:
        return {r.name: r.trials for r in self.teams}

    @property
    def all_trials(self) -> dict[str, pd.DataFrame]:
        return {**self.team_trials, self.baseline.name: self.baseline.trials}

    def meta_frame(self) -> pd.DataFrame:
        """One row per run (teams, then the baseline): run, path, train_domains, family, start,
        control, team, recipe_digest, corpus_digest, seed: the ``meta`` input of
        :mod:`arena.transfer` (train_domains as "+"-joined ids, "" when unknown or untrained)."""
        rows = []
        for r in [*self.teams, self.baseline]:
            m = r.meta
            rows.append({"run": r.name, "path": str(r.path), "train_domains": "+".join(m.get("train_domains") or []),
                         "family": m.get("family"), "start": m.get("start") or "base", "control": m.get("control"),
                         "team": m.get("team"), "recipe_digest": m.get("recipe_digest"),
                         "corpus_digest": m.get("corpus_digest"), "seed": m.get("seed")})  # fmt: skip
        return pd.DataFrame(rows)


def load_comparison(specs: Iterable[str | Path | NamedPath], baseline: str | Path | NamedPath, *, agent: str | None = None,
                    meta: Mapping[str, Mapping] | None = None, strict: bool = True) -> Comparison:  # fmt: skip
    """Load team runs and the baseline run and check the suite.  ``baseline`` is a path,
    ``NAME=PATH``, or the name of one of ``specs`` (that run then leaves the teams).  With
    ``strict`` (default) an unusable set raises :class:`RunError` listing every problem."""
    specs = list(specs)
    base_name, base_path = split_spec(baseline)
    if base_path.exists():  # the baseline listed among the runs too: it is not a team
        specs = [s for s in specs if split_spec(s)[1].resolve() != base_path.resolve()]
        runs = load_runs([*specs, baseline], agent=agent, meta=meta)
        base = runs.pop()
        if base_name:
            base.name, base.name_source = base_name, "cli"
    else:
        runs = load_runs(specs, agent=agent, meta=meta)
        match = [r for r in runs if r.name == str(baseline)]
        if not match:
            raise RunPathError(f"--baseline {baseline}: neither a run folder nor the name of a run given "
                               f"({', '.join(r.name for r in runs) or 'none'})")  # fmt: skip
        base = match[0]
        runs = [r for r in runs if r is not base]
    if not runs:
        raise RunPathError("no team run to score besides the baseline: give at least one run folder")
    if any(r.name == base.name for r in runs):
        base.name = f"{base.name} (baseline)"
    check = check_suite(runs, base)
    if strict and check.errors:
        raise RunError("runs are not usable together:\n  - " + "\n  - ".join(check.errors))
    return Comparison(runs, base, check)


def read_meta_table(path: str | Path) -> pd.DataFrame:
    """A transfer-meta file (CSV, JSON records or parquet) with at least ``run`` and
    ``train_domains`` columns (family, start, control optional)."""
    p = Path(path)
    if not p.is_file():
        raise RunPathError(
            f"{p}: no such file (a CSV/JSON table with columns run, train_domains[, family, start, control])"
        )
    try:
        if p.suffix == ".json":
            df = pd.DataFrame(json.loads(p.read_text(encoding="utf-8")))
        elif p.suffix == ".parquet":
            df = pd.read_parquet(p)
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise RunError(f"{p}: unreadable ({exc})") from exc
    if not {"run", "train_domains"} <= set(df.columns):
        raise RunError(f"{p}: needs columns run and train_domains (has {list(df.columns)})")
    df = df.replace({"": None})
    return df
