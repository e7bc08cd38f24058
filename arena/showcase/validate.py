"""Stage 1, validate: static checks and the oracle / nop ladder; the tasks each team is trained on
and hasty's planted defects matched against the findings."""

from __future__ import annotations

import json
from pathlib import Path

from arena.showcase.corpora import sample_per_domain, within
from arena.showcase.host import CountingPool
from arena.showcase.plan import REFERENCE, TEAMS, team_root
from arena.stagestate import write_json


def run(sc) -> dict:
    """Static checks + the dynamic ladder; returns {team: [task paths to train on]} + exclusions."""
    from arena.corpus import check_paths
    from arena.validate import ValidationReport, validate_paths

    out = sc.out / "validate"
    roots = {"reference": REFERENCE, **{t: team_root(t) for t in TEAMS}}
    if sc.state.done("validate") and (out / "selection.json").exists():
        sc.display.start("validate", 0, "done (resumed)")
        sc.display.finish("validate", "resumed")
        return json.loads((out / "selection.json").read_text())
    if sc.plan.ladder_sample is None:
        paths = [str(p) for p in roots.values()]
        scope = f"every task of the four corpora (oracle x{sc.plan.oracle_runs} + nop each)"
    else:
        k = sc.plan.ladder_sample
        paths = [str(roots["hasty"])] + [str(p) for name, root in roots.items() if name != "hasty"
                                         for p in sample_per_domain(root, k)]  # fmt: skip
        scope = (f"quick: hasty whole, {k} task(s) per domain of reference/polymath/bluefence (oracle "
                 f"x{sc.plan.oracle_runs} + nop each); their other tasks are trained on after the static check "
                 "only")  # fmt: skip
    static = check_paths([str(p) for p in roots.values()])
    n_ladder = sum(1 for tr in check_paths(paths).tasks if tr.ok)
    sc.display.start("validate", n_ladder * (sc.plan.oracle_runs + 1), f"ladder on {n_ladder} tasks")
    rep = validate_paths(paths, runtime=sc.runtime, workers=sc.plan.workers, out_dir=out, progress=False,
                         oracle_runs=sc.plan.oracle_runs,
                         executor=CountingPool(sc.plan.workers, lambda: sc.display.advance("validate", n=1)))  # fmt: skip
    if sc.plan.ladder_sample is not None:  # the static findings of the tasks outside the sample too
        seen = {(f.rule, f.path, f.message) for f in rep.findings}
        extra = [f for f in static.findings if (f.rule, f.path, f.message) not in seen]
        rep = ValidationReport(findings=rep.findings + extra, rows=rep.rows, results=rep.results)
    doc = rep.to_dict()
    write_json(out / "validate.json", doc)
    selection = select(roots, static, rep, scope)
    write_json(out / "selection.json", selection)
    sc.state.finish("validate", scope=scope, tasks_laddered=n_ladder, summary=doc["summary"])
    sc.display.finish("validate", f"{doc['summary']['tasks_passed']}/{doc['summary']['tasks']} passed")
    return selection


def select(roots: dict[str, Path], static, rep, scope: str) -> dict:
    """Per corpus: the tasks to train on and the excluded ones (with their error rules)."""
    import yaml

    errors = [f for f in rep.findings if f.severity == "error"]
    by_corpus: dict = {}
    for name, root in roots.items():
        tasks = [Path(tr.path) for tr in static.tasks if within(tr.path, root)]
        keep, excluded = [], {}
        for p in sorted(tasks, key=lambda p: p.name):
            rules = sorted({f.rule for f in errors if within(f.path, p)})
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
