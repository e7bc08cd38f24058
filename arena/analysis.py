"""One results folder, every analysis table: the facade the notebooks (and `arena showcase`) use.

A results folder holds evaluation run folders under ``eval/<run>/`` (each with a
``trials.parquet``; names: ``baseline``, ``baseline-reseed`` (the A/A control), team names, and
``single-<domain>`` for the single-domain runs of the transfer matrix), and optionally
``transfer_meta.csv``, ``validate/validate.json``, ``learnability/<team>/``, ``probe/<team>/``
(memorization probe folders of ``arena probe``; one without ``heldout/`` takes ``eval/<team>/``)
and ``organizers/`` (the organizers' contracts and run reports, brought in by ``arena import
organizers``).  Scores
follow the organizers' rule by default (``rule``, ``engine``, ``interval``: see :mod:`arena.stats`).  It may come from
`arena showcase` or from a cluster: only the layout matters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from arena.namedpath import NamedPath

BASELINE = "baseline"
CONTROL = "baseline-reseed"
SINGLE = "single-"


class ResultsError(ValueError):
    pass


@dataclass
class Results:
    root: Path
    baseline: str = BASELINE
    metric: str = "pass"
    cap: float | None = 0.2
    resamples: int = 10_000
    seed: int = 0
    rule: str = "organizers"  # or "gain-share" (arena's earlier cap, see arena.stats)
    engine: str = "fast"  # or "organizers": their random stream, their interval exactly
    interval: str = "bootstrap"  # or "clustered": task-clustered paired SE (K > 1 samples per task)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.root = Path(self.root)
        if not (self.root / "eval").is_dir():
            raise ResultsError(f"{self.root} has no eval/ folder of run folders (eval/<run>/trials.parquet); "
                               "run `arena showcase` or point `results` at such a folder")  # fmt: skip
        if self.baseline not in self.eval_dirs:
            raise ResultsError(f"no eval/{self.baseline}/ run in {self.root} (runs: {', '.join(self.eval_dirs)})")

    @cached_property
    def eval_dirs(self) -> dict[str, Path]:
        return {d.name: d for d in sorted((self.root / "eval").iterdir())
                if (d / "trials.parquet").is_file() or (d / "trials.jsonl").is_file()}  # fmt: skip

    @property
    def teams(self) -> list[str]:
        """Runs scored against the baseline: teams and the A/A control (not single-domain runs)."""
        return [n for n in self.eval_dirs if n != self.baseline and not n.startswith(SINGLE)]

    @property
    def singles(self) -> list[str]:
        return [n for n in self.eval_dirs if n.startswith(SINGLE)]

    @cached_property
    def transfer_meta(self):
        import pandas as pd

        p = self.root / "transfer_meta.csv"
        if p.is_file():
            return pd.read_csv(p, dtype=str).fillna("")
        rows = [{"run": n, "train_domains": n[len(SINGLE):], "family": "", "start": "base", "control": ""}
                for n in self.singles]  # fmt: skip
        return pd.DataFrame(rows, columns=["run", "train_domains", "family", "start", "control"])

    def comparison(self, runs: list[str] | None = None):
        from arena.runs import load_comparison

        names = runs if runs is not None else self.teams + self.singles
        specs = [NamedPath(n, self.eval_dirs[n]) for n in names]
        return load_comparison(specs, NamedPath(self.baseline, self.eval_dirs[self.baseline]))

    def _boot(self) -> dict:
        return {"metric": self.metric, "n_resamples": self.resamples, "seed": self.seed}

    def scores(self):
        """(score table, leaderboard) of the teams and the A/A control against the baseline."""
        from arena.award import domain_ranking
        from arena.stats import score_table

        cmp = self.comparison(self.teams)
        s = score_table(cmp.team_trials, cmp.baseline.trials, cap=self.cap, rule=self.rule, engine=self.engine,
                        interval=self.interval, **self._boot())  # fmt: skip
        return s, domain_ranking(s)

    def organizer_runs(self):
        """``organizers/runs.csv`` (organizer pipeline reports brought in by ``arena import organizers``:
        run, baseline_score, score_after_posttrain, delta_score, lift_* …), or None."""
        import pandas as pd

        p = self.root / "organizers" / "runs.csv"
        return pd.read_csv(p) if p.is_file() else None

    def pass_rates(self):
        """Per-run, per-domain pass rate (+ overall): the raw numbers behind every Δ."""
        import pandas as pd

        from arena.runs import load_run
        from arena.stats import domain_table

        frames = []
        for name, d in self.eval_dirs.items():
            t = domain_table(load_run(d).trials)
            t.insert(0, "run", name)
            frames.append(t)
        return pd.concat(frames, ignore_index=True)

    def transfer(self):
        """(transfer table, summary) of the single-domain runs against the baseline, or (None, None)."""
        from arena.transfer import transfer_summary, transfer_table

        if not self.singles:
            return None, None
        cmp = self.comparison(self.singles)
        meta = self.transfer_meta[self.transfer_meta["run"].isin(self.singles)]
        runs = cmp.all_trials
        kw = {"baseline": cmp.baseline.name, **self._boot()}
        return transfer_table(runs, meta, **kw), transfer_summary(runs, meta, **kw)

    def families(self):
        """Per-environment-family lift (runs whose transfer_meta names a family), or None."""
        from arena.transfer import family_table

        meta = self.transfer_meta
        fam = meta[meta["family"].astype(bool)] if "family" in meta else meta.iloc[0:0]
        names = [n for n in fam["run"] if n in self.eval_dirs]
        if not names:
            return None
        cmp = self.comparison(names)
        return family_table(cmp.all_trials, fam[fam["run"].isin(names)], baseline=cmp.baseline.name, **self._boot())

    def learnability(self, team: str | None = None):
        """(per-task table, per-domain profile) of learnability/<team> (first one by default), or (None, None)."""
        from arena.learnability import learnability_profile, task_learnability
        from arena.runs import load_run

        root = self.root / "learnability"
        avail = sorted(d.name for d in root.iterdir() if d.is_dir()) if root.is_dir() else []
        if not avail:
            return None, None
        team = team or avail[0]
        if team not in avail:
            raise ResultsError(f"no learnability/{team}/ (have: {', '.join(avail)})")
        trials = load_run(root / team).trials
        return task_learnability(trials, metric=self.metric), learnability_profile(trials, metric=self.metric)

    def validation(self) -> dict | None:
        p = self.root / "validate" / "validate.json"
        return json.loads(p.read_text()) if p.is_file() else None

    def validation_flags(self):
        """team, flag, count, detail: per team entry and error rule, the tasks it excluded from
        training (from validate/validate.json; the rule the showcase's report uses)."""
        from arena.validation_tables import exclusion_flags, team_exclusions

        return exclusion_flags(team_exclusions((self.validation() or {}).get("findings", [])))

    def memorization(self):
        """The memorization table (:func:`arena.memorization.memorization_table`, by team) of the
        probe folders under ``probe/<team>/``, or None when there is none."""
        import pandas as pd

        from arena.memorization import memorization_table
        from arena.probe import load_probe, probe_dirs

        dirs = probe_dirs(self.root / "probe")
        if not dirs:
            return None
        rows = pd.concat([load_probe(NamedPath(team, d), heldout_run=self.eval_dirs.get(team)) for team, d in dirs.items()],
                         ignore_index=True)  # fmt: skip
        return memorization_table(rows, n_resamples=self.resamples, seed=self.seed)

    def award(self, scores=None):
        from arena.award import award_report

        scores = scores if scores is not None else self.scores()[0]
        return award_report(scores, cap=self.cap, metric=self.metric, n_resamples=self.resamples, rule=self.rule,
                            families=self.families(), validation=self.validation_flags(),
                            memorization=self.memorization())  # fmt: skip


def training_curves(run_dir: str | Path):
    """(losses, rewards) of an `arena train` run folder.

    losses: stage, step, loss (from the newest ``trainer_state.json`` of each stage);
    rewards: step, domain, mean_reward, n, masked (GRPO rollouts per step and domain).
    """
    import pandas as pd

    run_dir = Path(run_dir)
    rows = []
    for stage in ("sft", "grpo"):
        states = sorted((run_dir / stage).glob("**/trainer_state.json"), key=lambda p: p.stat().st_mtime)
        if not states:
            continue
        for h in json.loads(states[-1].read_text()).get("log_history", []):
            if "loss" in h:
                rows.append({"stage": stage, "step": h.get("step"), "loss": h["loss"]})
    losses = pd.DataFrame(rows, columns=["stage", "step", "loss"])
    rollouts = sorted(run_dir.glob("**/rollouts*.parquet"))
    if rollouts:
        r = pd.concat([pd.read_parquet(p) for p in rollouts], ignore_index=True)
        r["masked"] = r["reward"].isna()
        rewards = (r.groupby(["step", "domain"], dropna=False)
                   .agg(mean_reward=("reward", "mean"), n=("reward", "size"), masked=("masked", "sum"))
                   .reset_index())  # fmt: skip
    else:
        rewards = pd.DataFrame(columns=["step", "domain", "mean_reward", "n", "masked"])
    return losses, rewards
