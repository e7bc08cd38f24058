"""The memorization probe's three evaluation sets for one checkpoint, as run folders.

``arena.memorization`` turns labelled trials into pass rates and gaps; this module makes the
trials.  For a checkpoint post-trained on a corpus, ``run_probe`` writes one *probe folder*:

  DIR/probe.json     what was probed: checkpoint, team, corpus (path and digest), fresh seed,
                     the suite, and which folder holds which set
  DIR/fresh-suite/   the fresh tasks: for every corpus task whose family arena knows, ``per_task``
                     new instances of that family at its difficulty, drawn from the *train* split
                     (the training templates and entity pools) with seeds no bundled corpus uses,
                     never repeating a corpus prompt.  Tasks of unknown families are counted in
                     probe.json and get no fresh twin.
  DIR/train/         eval run folder: the checkpoint on its own corpus
  DIR/fresh/         eval run folder: the checkpoint on fresh-suite/
  DIR/heldout/       eval run folder: the checkpoint on the held-out suite (skipped with
                     ``heldout=False`` when the team's held-out evaluation exists already: the
                     report and the results folder then take that run; see ``load_probe``)

Every folder is an ordinary run folder (``arena eval`` wrote it), so a killed probe resumes.
``load_probe`` reads a probe folder back as rows with ``team`` and ``split`` columns, the input of
:func:`arena.memorization.memorization_table`.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd

from arena.families import DIFFICULTIES, FAMILIES
from arena.families.base import Generated, write_generated

#: fresh seeds start here: bundled corpora use train seeds 100-502 (scripts/build_corpora.py)
FRESH_SEED_BASE = 10_000
PROBE_FILE = "probe.json"
FRESH_SUITE = "fresh-suite"
SPLIT_DIRS = {"train": "train", "fresh": "fresh", "heldout": "heldout"}
MAX_TRIES = 200  # draws per wanted instance before giving up (a family with a tiny instance space)


class ProbeError(ValueError):
    """A probe that cannot be built or read (names the file and the fix)."""


def fresh_instances(corpus: str | Path, *, seed: int = 0, per_task: int = 1) -> tuple[list[Generated], dict]:
    """The fresh set of a corpus, in memory: (instances, info).  info: tasks (corpus size),
    by_family {family: fresh count}, skipped {reason: corpus tasks without a fresh twin}."""
    from arena.corpus import load_tasks

    if per_task < 1:
        raise ProbeError(f"per_task must be at least 1 (got {per_task})")
    tasks, _ = load_tasks([Path(corpus)])
    if not tasks:
        raise ProbeError(
            f"{corpus}: no loadable task (a corpus is a folder of task packages or a team entry)"
        )
    seen = {t.spec.prompt for t in tasks}
    ids = {t.id for t in tasks}
    want: Counter = Counter()
    skipped: Counter = Counter()
    for t in tasks:
        fam, diff = t.spec.metadata.family, t.spec.metadata.difficulty
        if fam not in FAMILIES:
            skipped["family unknown to arena.families (hand-written task)"] += 1
        elif diff not in DIFFICULTIES:
            skipped[f"difficulty not one of {', '.join(DIFFICULTIES)}"] += 1
        else:
            want[(fam, diff)] += per_task
    out: list[Generated] = []
    for (fam, diff), n in sorted(want.items()):
        family = FAMILIES[fam]
        base = FRESH_SEED_BASE + 10 * seed + DIFFICULTIES.index(diff)
        got = i = 0
        while got < n:
            if i >= MAX_TRIES * n:
                raise ProbeError(f"{fam} ({diff}): only {got} of {n} fresh instances differ from the corpus "
                                 f"after {i} draws; lower per_task")  # fmt: skip
            g = family.generate_one(base, i, diff, "train")
            i += 1
            if g.prompt in seen or g.task_id in ids:
                continue
            seen.add(g.prompt)
            out.append(g)
            got += 1
    if not out:
        raise ProbeError(f"{corpus}: none of its {len(tasks)} tasks names a family arena can draw fresh "
                         "instances of (task.md metadata.family, see `arena generate --list`)")  # fmt: skip
    info = {"tasks": len(tasks), "by_family": dict(sorted(Counter(g.family.name for g in out).items())),
            "skipped": dict(sorted(skipped.items()))}  # fmt: skip
    return out, info


def fresh_suite(corpus: str | Path, out: str | Path, *, seed: int = 0, per_task: int = 1) -> dict:
    """Write the fresh set of a corpus as task packages under ``out`` (replaced); returns the info
    of :func:`fresh_instances` plus ``fresh`` (tasks written)."""
    gens, info = fresh_instances(corpus, seed=seed, per_task=per_task)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for g in gens:
        write_generated(g, out)
    return {**info, "fresh": len(gens)}


def run_probe(checkpoint: str | Path, corpus: str | Path, out: str | Path, *, suite: str | Path | None = None,
              heldout: bool = True, team: str | None = None, seed: int = 0, per_task: int = 1, samples: int = 1,
              runtime=None, workers: int = 2, engine: str = "transformers", engine_options: dict | None = None,
              engine_obj=None, max_new_tokens: int = 64, temperature: float | None = None, progress: bool = True,
              executor=None) -> dict:  # fmt: skip
    """Evaluate ``checkpoint`` on its corpus, on fresh instances of the corpus's families and (with
    ``heldout``) on the held-out suite; write the probe folder ``out`` (see the module docstring)
    and return probe.json's content.  Re-running the same probe resumes its three runs."""
    from arena.corpus import load_tasks
    from arena.engines import get_engine
    from arena.evaluate import DEFAULT_SUITE, evaluate, resolve_checkpoint, suite_digest

    out = Path(out)
    corpus = Path(corpus)
    tasks, _ = load_tasks([corpus])
    if not tasks:
        raise ProbeError(
            f"{corpus}: no loadable task (a corpus is a folder of task packages or a team entry)"
        )
    settings = {
        "corpus": str(corpus),
        "corpus_digest": suite_digest(tasks),
        "seed": seed,
        "per_task": per_task,
    }
    pj = out / PROBE_FILE
    if pj.is_file():
        old = json.loads(pj.read_text())
        if {k: old.get(k) for k in settings} != settings:
            raise ProbeError(f"{pj} is a probe of another corpus or seed ({old.get('corpus')}, seed {old.get('seed')}); "
                             "use another --out (resuming needs the same corpus, seed and per-task count)")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    info = fresh_suite(corpus, out / FRESH_SUITE, seed=seed, per_task=per_task)
    ck = resolve_checkpoint(checkpoint)
    team = team or ck.card.get("team") or corpus.resolve().name
    suite = Path(suite or DEFAULT_SUITE)
    doc = {"kind": "probe", "checkpoint": ck.model_path, "team": team, **settings, "suite": str(suite),
           "fresh": info, "runs": {"train": "train", "fresh": "fresh", "heldout": "heldout" if heldout else None}}  # fmt: skip
    pj.write_text(json.dumps(doc, indent=1) + "\n")
    if engine_obj is None:  # one model load for the three evaluations
        engine_obj = get_engine(engine, model=ck.model_path, **(engine_options or {}))
    kw = dict(samples=samples, runtime=runtime, workers=workers, seed=seed, temperature=temperature,
              max_new_tokens=max_new_tokens, engine=engine, engine_obj=engine_obj, progress=progress, team=team,
              executor=executor)  # fmt: skip
    sets = {"train": corpus, "fresh": out / FRESH_SUITE, **({"heldout": suite} if heldout else {})}
    summaries = {}
    for split, path in sets.items():
        meta = evaluate(checkpoint, suite=path, out=out / SPLIT_DIRS[split], **kw)
        summaries[split] = meta["summary"]
    doc["summary"] = {s: {"pass_rate": v["pass_rate"], "counted": v["counted"], "trials": v["trials"]}
                      for s, v in summaries.items()}  # fmt: skip
    pj.write_text(json.dumps(doc, indent=1) + "\n")
    return doc


def _rows(folder: Path, team: str, split: str) -> pd.DataFrame:
    from arena.runs import load_run

    trials = load_run(folder).trials
    return trials.assign(team=team, split=split)


def load_probe(path: str | Path, *, team: str | None = None, heldout_run: str | Path | pd.DataFrame | None = None
               ) -> pd.DataFrame:  # fmt: skip
    """A probe folder's trials with ``team`` and ``split`` columns.  ``path`` is ``DIR`` or
    ``NAME=DIR``; the team is NAME, else ``team``, else probe.json's, else the folder's name.  The
    held-out set: ``DIR/heldout/`` when it exists, else ``heldout_run`` (a run folder, or its
    trials as a DataFrame, e.g. the team's scored evaluation); without either the rows hold no
    held-out set (its pass rate and gaps come out NaN)."""
    from arena.runs import RunError, split_spec

    name, folder = split_spec(path)
    if not folder.is_dir():
        raise ProbeError(
            f"{folder}: no such probe folder (`arena probe CHECKPOINT --corpus PATH --out DIR` makes one)"
        )
    doc = json.loads((folder / PROBE_FILE).read_text()) if (folder / PROBE_FILE).is_file() else {}
    team = name or team or doc.get("team") or folder.resolve().name
    parts = []
    for split, sub in SPLIT_DIRS.items():
        d = folder / sub
        if d.is_dir():
            try:
                parts.append(_rows(d, team, split))
            except RunError as exc:
                raise ProbeError(f"{d}: {exc}") from None
    if not (folder / SPLIT_DIRS["heldout"]).is_dir() and heldout_run is not None:
        if isinstance(heldout_run, pd.DataFrame):
            parts.append(heldout_run.assign(team=team, split="heldout"))
        else:
            parts.append(_rows(Path(heldout_run), team, "heldout"))
    if not any(len(p) and p["split"].iloc[0] == "train" for p in parts):
        raise ProbeError(f"{folder}: no train/ run folder (trials.parquet); is this a probe folder?")
    return pd.concat(parts, ignore_index=True)


def probe_dirs(root: str | Path) -> dict[str, Path]:
    """``{team: folder}`` of the probe folders under ``root`` (each a folder with a train/ run)."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {d.name: d for d in sorted(root.iterdir()) if (d / SPLIT_DIRS["train"]).is_dir()}
