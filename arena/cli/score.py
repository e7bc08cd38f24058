"""``arena score RUNS... --baseline RUN``: every team's Δ over the baseline with a paired bootstrap CI,
per-domain Δs, the leaderboard with CI-aware ties, and the minimum detectable effect."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error
from arena.report import cap_of, compute, jsonable, rule_options, write_table

HELP = """Score team checkpoints against the baseline on the held-out suite.

Each RUN is a run folder holding trials.parquet (as `arena eval` writes it, here or on a GPU
cluster); `NAME=PATH` names it, otherwise the name comes from run.json / model_card.json
("team") or the folder.  --baseline is a run folder (or the name of one of RUNS).

A team's score is Δ = team − baseline on the tasks both were evaluated on: per domain, the mean
per-task difference in pass rate (--metric pass: share of samples with reward ≥ --threshold) or
mean reward (--metric reward).  Overall (--rule):

  organizers  (default) the competition's published rule: each domain weighs its share of the
              tasks, water-filled so that no domain weighs more than --cap (0.2); score =
              Σ weight·Δ_domain.  95% interval: their percentile bootstrap over paired tasks
              (--resamples 10000, --seed 0), by the fast NumPy engine (--bootstrap fast, within
              Monte-Carlo noise of theirs) or by replaying their random stream (--bootstrap
              organizers: their interval exactly; slower).
  gain-share  arena's earlier rule: the mean of the domain Δs with each domain's contribution
              clipped at --cap of the (positive) total; domain-stratified bootstrap.

--cap 0 turns the cap off.  --interval clustered shows Δ ± 1.96·SE with a task-clustered paired
SE instead (use it with K > 1 samples per task).  The output says which interval it shows.  Teams
whose overall intervals overlap share a tie group and a rank (1=).  MDE is the smallest true Δ the
suite detects with 80% power.

The organizers' per-team input contract ({"team", "instances": [{"instance_id", "domain",
"reward_ref", "reward_team"}]}): --contract-out DIR writes one <team>.json per team (re-score it
with their scripts/scoring.py --input); RUN arguments that are such .json files are scored as they
are (no --baseline), with the same report keys as their script.

Runs must come from the same suite: disjoint task sets, a task whose digest changed, a run
missing a whole domain or with no counted trial make the set unusable (exit 1, with the reason).

examples:
  arena score runs/polymath runs/bluefence runs/hasty --baseline runs/reference
  arena score teamA=runs/a teamB=runs/b --baseline runs/ref --json
  arena score runs/* --baseline reference --metric reward --cap 0 --out reports/score
  arena score runs/teamA --baseline runs/ref --record board/records.jsonl   # then: arena leaderboard
  arena score runs/* --baseline reference --bootstrap organizers --contract-out contracts/
  arena score contracts/bluefence.json --bootstrap organizers          # their report, exactly

exit: 0 scored, 1 runs unusable together, 2 usage error (bad option, not a run folder)
"""

SHORT = {  # compact domain headers for the terminal table
    "sciences": "Sci",
    "industrial-energy": "Ind",
    "cybersecurity": "Cyber",
    "finance-economics": "Fin",
    "office-knowledge-work": "Office",
    "media-multimodal": "Media",
    "ai-ml-agentic": "AI/ML",
    "software-engineering": "SWE",
}


def add_common(p: argparse.ArgumentParser) -> None:
    """Options shared by ``score`` and ``report``."""
    p.add_argument("runs", nargs="+", metavar="RUN", help="team run folders (PATH or NAME=PATH)")
    p.add_argument(
        "--baseline", required=True, metavar="RUN", help="the baseline run folder (or the name of a RUN)"
    )
    p.add_argument(
        "--metric", choices=("pass", "reward"), default="pass", help="pass rate (default) or mean reward"
    )
    p.add_argument("--threshold", type=float, default=1.0, help="reward counted as a pass (default 1.0)")
    p.add_argument(
        "--cap", type=float, default=0.2,
        help="organizers: max weight of a domain; gain-share: max share of the Δ per domain (default 0.2; 0 = none)",
    )
    p.add_argument("--rule", choices=("organizers", "gain-share"), default="organizers",
                   help="how domain Δs make the overall Δ (default: the organizers' water-filled weights)")  # fmt: skip
    p.add_argument("--bootstrap", choices=("fast", "organizers"), default="fast", dest="engine",
                   help="organizers rule: fast NumPy engine (default) or the organizers' own random stream")  # fmt: skip
    p.add_argument("--interval", choices=("bootstrap", "clustered"), default="bootstrap",
                   help="percentile bootstrap (default) or Δ ± z·SE with a task-clustered paired SE (K > 1 samples)")  # fmt: skip
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    p.add_argument("--agent", help="agent whose trials to score when a run holds several")


def add_parser(sub) -> None:
    p = sub.add_parser("score", help="Δ over the baseline with CIs, per domain, leaderboard with ties",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_common(p)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument(
        "--out", metavar="DIR", help="also write scores and leaderboard tables (CSV, parquet, JSON) here"
    )
    p.add_argument(
        "--record",
        metavar="RECORDS.jsonl",
        help="append one leaderboard record per team run (atomic, fsynced)",
    )
    p.add_argument("--contract-out", metavar="DIR",
                   help="write each team's paired instances in the organizers' input contract (DIR/<team>.json)")  # fmt: skip
    p._option_string_actions["--baseline"].required = False  # not needed to score contract files
    p.set_defaults(func=run)


def check_options(args) -> str | None:
    """The first usage problem of the shared options, as a sentence, or None."""
    if args.resamples < 1:
        return f"--resamples must be at least 1 (got {args.resamples}); 10000 is the organizers' setting"
    if not 0 < args.confidence < 1:
        return f"--confidence must lie strictly between 0 and 1 (got {args.confidence}), e.g. 0.95"
    if args.cap < 0 or args.cap > 1:
        return f"--cap must be between 0 (no cap) and 1 (got {args.cap}), e.g. 0.2"
    if not math.isfinite(args.threshold):
        return f"--threshold must be a number (got {args.threshold})"
    return None


def load(args, *, meta=None):
    """(Comparison, None) or (None, exit code) after printing the reason."""
    from arena.runs import RunError, RunPathError, load_comparison

    try:
        return load_comparison(args.runs, args.baseline, agent=args.agent, meta=meta), None
    except RunPathError as exc:
        return None, usage_error(str(exc))
    except RunError as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return None, EXIT_FAIL






def document(cmp, scores, board, args) -> dict:
    """The ``--json`` document: settings, suite, and per team (leaderboard order) delta, ci,
    rank, tie_group, per_domain."""
    from arena.stats import OVERALL, domain_order

    dom = scores[scores["domain"] != OVERALL]
    overall = scores[scores["domain"] == OVERALL].set_index("team")
    base_tasks = cmp.baseline.tasks
    teams = {}
    for _, r in board.iterrows():
        t = r["team"]
        rows = dom[dom["team"] == t]
        teams[t] = {
            "delta": r["delta"], "ci": [r["ci_low"], r["ci_high"]], "rank": r["rank"], "rank_label": r["rank_label"],
            "tie_group": r["tie_group"], "n_better": r["n_better"], "mde": r["mde"], "n_tasks": r["n_tasks"],
            "value": overall.at[t, "team_value"], "baseline_value": overall.at[t, "ref_value"],
            "per_domain": {d: {"delta": dl, "ci": [lo, hi], "n_tasks": n, "mde": m}
                           for d, dl, lo, hi, n, m in zip(rows["domain"], rows["delta"], rows["ci_low"],
                                                          rows["ci_high"], rows["n_tasks"], rows["mde"])},
            "path": str(next(x.path for x in cmp.teams if x.name == t)),
        }  # fmt: skip
    opts = rule_options(args)
    return jsonable({
        "baseline": cmp.baseline.name, "baseline_path": str(cmp.baseline.path), "metric": args.metric,
        "threshold": args.threshold, "cap": cap_of(args), "confidence": args.confidence, "resamples": args.resamples,
        "seed": args.seed, **opts, "interval_shown": scores["interval"].iloc[0],
        "units": "fraction (multiply by 100 for percentage points)",
        "suite": {"n_tasks": len(base_tasks), "domains": base_tasks.groupby("domain").size().reindex(domain_order(base_tasks["domain"].unique())).to_dict(),
                  "digest": cmp.suite.table.set_index("role").loc["baseline", "suite_digest"]},
        "teams": teams, "warnings": cmp.suite.warnings,
    })  # fmt: skip


def _pp(v, width: int = 6, star: bool = False) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a".rjust(width)
    return f"{v * 100:+.1f}{'*' if star else ''}".rjust(width)


def render(doc: dict) -> str:
    """The human table of a score document."""
    from arena.award import domain_name
    from arena.stats import domain_order

    conf = f"{doc['confidence']:.0%}"
    what = "pass rate" if doc["metric"] == "pass" else "mean reward"
    unit = "pp" if doc["metric"] == "pass" else "pts×100"
    rule = doc.get("rule", "organizers")
    if not doc["cap"]:
        cap = "no cap"
    elif rule == "organizers":
        cap = f"organizers' rule: domain weights = task shares water-filled to ≤ {doc['cap']:.0%}"
    else:
        cap = f"gain-share rule: no domain carries more than {doc['cap']:.0%} of the Δ"
    n_dom = len(doc["suite"]["domains"])
    lines = [
        f"Δ {what} vs baseline {doc['baseline']}: {doc['suite']['n_tasks']} held-out tasks in {n_dom} domains; {cap}",
        f"interval: {doc.get('interval_shown', conf + ' CI')} (seed {doc['seed']})",
        "",
    ]  # fmt: skip
    names = list(doc["teams"])
    w = max([4, *map(len, names)])
    ci_head = f"{conf} CI"
    head = f"{'rank':<5} {'team':<{w}} {'Δ ' + unit:>8}  {ci_head:<16} {'tie':>4} {'MDE':>5} {'tasks':>6}"
    lines += [head, "-" * len(head)]
    for t, r in doc["teams"].items():
        lo, hi = r["ci"]
        mde = "n/a" if r["mde"] is None else f"{r['mde'] * 100:.1f}"
        ci = f"[{_pp(lo, 0)}, {_pp(hi, 0)}]"
        lines.append(f"{r['rank_label']:<5} {t:<{w}} {_pp(r['delta'], 8)}  {ci:<16} {r['tie_group']:>4} {mde:>5} "
                     f"{r['n_tasks']:>6}")  # fmt: skip
    doms = domain_order({d for r in doc["teams"].values() for d in r["per_domain"]})
    lines += ["", f"per-domain Δ ({unit}; * = {conf} CI excludes 0):"]
    lines.append(f"{'team':<{w}} " + " ".join(f"{SHORT.get(d, d[:6]):>7}" for d in doms))
    for t, r in doc["teams"].items():
        cells = []
        for d in doms:
            c = r["per_domain"].get(d)
            if c is None or c["delta"] is None:
                cells.append("n/a".rjust(7))
                continue
            lo, hi = c["ci"]
            sig = lo is not None and hi is not None and (lo > 0 or hi < 0)
            cells.append(_pp(c["delta"], 7, sig))
        lines.append(f"{t:<{w}} " + " ".join(cells))
    lines.append("key: " + ", ".join(f"{SHORT.get(d, d[:6])} = {domain_name(d)}" for d in doms))
    lines += ["", f"Teams sharing a tie group have overlapping {conf} CIs: their order is not significant "
              "(rank 2= means tied for 2nd).  MDE: smallest true Δ detected with 80% power."]  # fmt: skip
    if doc["warnings"]:
        lines += ["", "warnings:"] + [f"  - {x}" for x in doc["warnings"]]
    return "\n".join(lines)


def contract_files(args) -> list[Path] | None:
    """The RUN arguments when every one is a JSON file (the organizers' contract), else None."""
    paths = [Path(r.split("=", 1)[-1]) for r in args.runs]
    return paths if all(p.suffix == ".json" and p.is_file() for p in paths) else None


def score_contracts(paths: list[Path], args) -> int:
    """Score organizer-contract files as their script does (report keys as theirs, 4 decimals)."""
    from arena import scoring

    reports = []
    for p in paths:
        try:
            team, inst, _ = scoring.read_contract(p)
        except ValueError as exc:
            print(f"arena: {exc}", file=sys.stderr)
            return EXIT_FAIL
        cap = cap_of(args)
        if args.engine == "organizers":
            rep = scoring.score_team(inst, cap=cap, n_boot=args.resamples, alpha=1 - args.confidence, seed=args.seed,
                                     team=team)  # fmt: skip
        else:
            import numpy as np

            rep = scoring.score_team(inst, cap=cap, n_boot=1, alpha=1 - args.confidence, seed=args.seed, team=team)
            vals = (np.array([[i.reward_team for i in inst]]), np.array([i.reward_ref for i in inst]), [i.domain for i in inst])
            kw = {"n_boot": args.resamples, "alpha": 1 - args.confidence, "seed": args.seed}
            capped, plain = scoring.fast_bootstrap(*vals, cap=cap, **kw), scoring.fast_bootstrap(*vals, cap=None, **kw)
            rep.update({"capped_score_ci": capped.ci[0].tolist(), "capped_score_significant": bool(capped.ci[0][0] > 0),
                        "capped_score_p_gt_0": float(capped.p_gt_0[0]), "overall_delta_ci": plain.ci[0].tolist(),
                        "overall_delta_significant": bool(plain.ci[0][0] > 0),
                        "overall_delta_p_gt_0": float(plain.p_gt_0[0]),
                        "bootstrap": {**kw, "engine": "fast (NumPy on the organizers' random stream)"}})  # fmt: skip
        reports.append(scoring.round_floats(rep))
    if args.json or len(reports) > 1:
        emit_json(reports[0] if len(reports) == 1 else reports)
    else:
        r = reports[0]
        lo, hi = r["capped_score_ci"]
        print(f"{r['team'] or paths[0].stem}: score {_pp(r['capped_score'], 0)} pp [{_pp(lo, 0)}, {_pp(hi, 0)}] "
              f"({'significant' if r['capped_score_significant'] else 'not significant'}; "
              f"{r['n_instances']} instances in {r['n_domains']} domains; cap {'applied' if r['cap_applied'] else 'inert'}; "
              f"{r['bootstrap']['engine']})")  # fmt: skip
    return EXIT_OK


def write_contracts(cmp, args, out_dir: str | Path) -> list[Path]:
    """One organizer-contract file per team: its paired per-task values against the baseline."""
    from arena import scoring
    from arena.stats import task_values

    ref, doms = task_values({"reference": cmp.baseline.trials}, metric=args.metric, threshold=args.threshold)
    vals, _ = task_values(cmp.team_trials, metric=args.metric, threshold=args.threshold)
    vals = vals.reindex(ref.index)
    ids = list(ref.index)  # the order score_table resamples in: their script on the file draws the same
    paths = []
    for team in cmp.team_trials:
        inst = scoring.instances_from_values([vals.at[t, team] for t in ids], [ref.at[t, "reference"] for t in ids],
                                             [doms[t] for t in ids], ids)  # fmt: skip
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in team)
        paths.append(scoring.write_contract(Path(out_dir) / f"{safe}.json", team, inst, model_ref=cmp.baseline.name,
                                            metric=args.metric, threshold=args.threshold))  # fmt: skip
    return paths


def run(args) -> int:
    problem = check_options(args)
    if problem:
        return usage_error(problem)
    contracts = contract_files(args)
    if contracts is not None:
        return score_contracts(contracts, args)
    if not args.baseline:
        raise SystemExit(usage_error("--baseline RUN is required (unless every RUN is an organizers' contract .json file)"))
    cmp, code = load(args)
    if cmp is None:
        return code
    try:
        scores, board = compute(cmp, args)
    except ValueError as exc:
        print(f"arena: cannot score these runs: {exc}", file=sys.stderr)
        return EXIT_FAIL
    doc = document(cmp, scores, board, args)
    if args.out:
        out = Path(args.out)
        write_table(scores, out, "scores")
        write_table(board, out, "leaderboard")
        (out / "score.json").write_text(
            json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if args.contract_out:
        for path in write_contracts(cmp, args, args.contract_out):
            print(f"arena score: wrote {path} (the organizers' input contract)", file=sys.stderr)
    if args.record:
        from arena.leaderboard import append_records, make_records

        records = make_records(doc, cmp)
        for note in append_records(args.record, records):
            print(f"arena score: {note}", file=sys.stderr)
        print(f"{len(records)} leaderboard record(s) appended to {args.record}", file=sys.stderr)
    if args.json:
        emit_json(doc)
    else:
        print(render(doc))
        if args.out:
            print(f"\ntables: {args.out}/scores.*, {args.out}/leaderboard.*, {args.out}/score.json")
    return EXIT_OK
