"""``arena report RUNS... --baseline RUN --out DIR``: every table and figure of the evaluation, the
award tables and the caveats, written to one folder with a README-style ``report.md``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error
from arena.cli.score import add_common, cap_of, check_options, compute, jsonable, load, write_table

HELP = """Write the evaluation report of team checkpoints against the baseline to DIR:

  DIR/report.md           summary: leaderboard, domain leaders, caveats, figures (open it first)
  DIR/report.json         settings, warnings and every file written
  DIR/tables/NAME.{csv,parquet,json}
      scores, leaderboard, suite, runs          (always)
      transfer, transfer_summary, family, warm_start   (runs with train_domains metadata)
      learnability, learnability_profile        (per task / per domain, of --learnability RUN)
      contamination                             (with --corpus / --heldout)
      memorization                              (with --probe)
      award_ranking, award_domain_leaders, award_families, award_flags, caveats
  DIR/figures/NAME.{png,svg}
      forest (Δ with CIs, tie groups), domain_bars, transfer_heatmap, family_heatmap,
      learnability, contamination (only when at most --max-table-rows rows are flagged),
      memorization (with --probe)

RUNs are run folders (PATH or NAME=PATH) as for `arena score`; the scoring options are the
same and the numbers identical.  Transfer tables need each run's training domains: from its
run.json / model_card.json, or from --transfer-meta FILE (CSV/JSON with columns run,
train_domains[, family, start, control]; `run` is a run's name or folder; it overrides the
folders' metadata).  Transfer Δs are against --baseline.  Contamination compares the training
corpora (--corpus, each named after its team: NAME=PATH or the folder name) with each other and
with the held-out suite (--heldout).  The memorization probe (--probe DIR..., folders made by
`arena probe`, NAME=DIR to name the team) sets each team's pass rate on its own training tasks
against fresh instances of the same families and the held-out suite (a probe folder without a
heldout/ run takes the team's scored run); a large train − held-out gap with a null held-out Δ
becomes a flag.  Same inputs and seed: same tables, same figure bytes.

examples:
  arena report runs/polymath runs/bluefence runs/hasty --baseline runs/reference --out reports/r1
  arena report runs/* --baseline reference --out reports/r2 --transfer-meta runs/meta.csv \\
      --corpus environments/teams/polymath environments/teams/hasty --heldout data/heldout
  arena report a=runs/a b=runs/b --baseline runs/ref --out /tmp/r --resamples 2000 --json

exit: 0 written, 1 runs unusable together, 2 usage error
"""

HELDOUT = "heldout"
TEXT_LIMIT = 256 * 1024  # per file: seed data and verifier data, not blobs


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="tables + figures + award report of an evaluation, to a folder",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_common(p)
    p.add_argument(
        "--out", required=True, metavar="DIR", help="folder to write (created; files are overwritten)"
    )
    p.add_argument(
        "--transfer-meta", metavar="FILE", help="table run, train_domains[, family, start, control]"
    )
    p.add_argument("--corpus", nargs="+", action="extend", default=[], metavar="PATH",
                   help="team training corpora for the contamination guard (NAME=PATH or PATH)")  # fmt: skip
    p.add_argument("--heldout", metavar="PATH", help="the held-out suite's task folder, e.g. data/heldout")
    p.add_argument("--learnability", metavar="RUN", help="run folder whose per-task pass rates to profile "
                   "(default: the baseline; e.g. base-model samples on a training corpus)")  # fmt: skip
    p.add_argument("--band", nargs=2, type=float, default=(0.0, 1.0), metavar=("LOW", "HIGH"),
                   help="useful pass-rate band, open interval (default 0 1: every task neither always failed "
                   "nor always solved)")  # fmt: skip
    p.add_argument("--probe", nargs="+", action="extend", default=[], metavar="DIR",
                   help="memorization probe folders made by `arena probe` (NAME=DIR or DIR)")  # fmt: skip
    p.add_argument(
        "--flags", metavar="FILE", help="validation flags per team: CSV/JSON with team, flag[, count, detail]"
    )
    p.add_argument(
        "--max-table-rows",
        type=int,
        default=25,
        help="contamination figure only up to this many flagged rows",
    )
    p.add_argument(
        "--json", action="store_true", help="print the manifest (report.json) instead of a summary"
    )
    p.set_defaults(func=run)


# -- inputs ---------------------------------------------------------------------------------------


def _read_table(path: str):
    import pandas as pd

    p = Path(path)
    if p.suffix == ".json":
        return pd.DataFrame(json.loads(p.read_text(encoding="utf-8")))
    if p.suffix == ".parquet":
        return pd.read_parquet(p)
    return pd.read_csv(p, dtype=str, keep_default_na=False)


#: what the contamination guard reads besides the prompt: data, not the harness around it
#: (scripts, Dockerfiles and rubric prose are shared boilerplate of a generator or a team's style)
CODE_SUFFIXES = {".py", ".sh", ".bash"}
SKIP_NAMES = {"Dockerfile", "verifier.md", "README.md"}


def task_text(root: Path) -> str:
    """What a contamination check reads of a task: the prompt, then the seed data under
    environment/ and the verifier's data under verifier/ (every UTF-8 text file up to TEXT_LIMIT
    bytes, in path order) — the issue's "prompt, seed data, verifier data".  Code, the
    Dockerfile, rubrics and verifier.md are left out, and so is the oracle."""
    from arena.task import load_task

    parts = []
    task, _ = load_task(root)
    if task is not None:
        parts.append(task.spec.prompt)
    for sub in ("environment", "verifier"):
        base = root / sub
        if not base.is_dir():
            continue
        for f in sorted(p for p in base.rglob("*") if p.is_file()):
            if f.suffix in CODE_SUFFIXES or f.name in SKIP_NAMES or "rubrics" in f.parts:
                continue
            if f.stat().st_size > TEXT_LIMIT:
                continue
            try:
                parts.append(f.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, OSError):
                continue
    return "\n".join(parts)


def corpus_documents(specs: list[str], heldout: str | None):
    """(docs DataFrame task_id, source, text; {source: path}) for the contamination guard."""
    import pandas as pd

    from arena.corpus import load_tasks
    from arena.runs import RunPathError

    rows, sources = [], {}
    named = [(None, heldout, HELDOUT)] if heldout else []
    for spec in specs:
        name, _, path = spec.rpartition("=") if "=" in spec and not Path(spec).exists() else ("", "", spec)
        named.append((name or None, path, None))
    for name, path, fixed in named:
        p = Path(path)
        if not p.exists():
            raise RunPathError(
                f"{p}: no such corpus folder (give a task tree, a team entry or the held-out suite)"
            )
        source = fixed or name or p.resolve().name
        if source in sources:
            raise RunPathError(f"two corpora are named {source!r}: name them NAME=PATH")
        tasks, _ = load_tasks([p])
        if not tasks:
            raise RunPathError(f"{p}: no task found (a corpus is a folder of task packages)")
        sources[source] = str(p)
        rows += [(t.id, source, task_text(t.root)) for t in tasks]
    return pd.DataFrame(rows, columns=["task_id", "source", "text"]).drop_duplicates(
        ["source", "task_id"]
    ), sources


def _meta_overrides(path: str):
    """{run: {train_domains, family, start, control}} from a --transfer-meta file."""
    from arena.runs import read_meta_table

    df = read_meta_table(path)
    keep = [c for c in ("train_domains", "family", "start", "control") if c in df]
    return {str(r["run"]): {k: r[k] for k in keep if r[k] is not None} for r in df.to_dict("records")}


# -- the report -------------------------------------------------------------------------------------


class Report:
    """Collects the files written and the warnings of one report."""

    def __init__(self, out: Path):
        self.out = out
        self.tables: dict[str, list[str]] = {}
        self.figures: dict[str, list[str]] = {}
        self.warnings: list[str] = []

    def table(self, df, name: str) -> None:
        paths = write_table(df, self.out / "tables", name)
        self.tables[name] = [str(p.relative_to(self.out)) for p in paths]

    def figure(self, fig, name: str) -> None:
        from arena.plots import save_figure

        paths = save_figure(fig, self.out / "figures" / name)
        self.figures[name] = [str(p.relative_to(self.out)) for p in paths]

    def attempt(self, what: str, fn) -> object | None:
        """Run one optional part; a ValueError becomes a warning naming the part."""
        try:
            return fn()
        except ValueError as exc:
            self.warnings.append(f"{what} skipped: {exc}")
            return None


def _markdown_table(df, cols: dict[str, str], fmt: dict | None = None) -> str:
    fmt = fmt or {}
    lines = ["| " + " | ".join(cols.values()) + " |", "|" + "---|" * len(cols)]
    for r in df.to_dict("records"):
        cells = []
        for c in cols:
            v = r.get(c)
            cells.append(fmt[c](v) if c in fmt else ("" if v is None else str(v)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _markdown(rep: Report, cmp, board, award, args, probe=None) -> str:
    from arena import stats
    from arena.award import pp

    what = "pass rate" if args.metric == "pass" else "mean reward"
    unit = "percentage points" if args.metric == "pass" else "reward points ×100"
    conf = f"{args.confidence:.0%}"
    ci = lambda r: f"[{pp(r['ci_low'])}, {pp(r['ci_high'])}]"  # noqa: E731
    lb = board.assign(ci=[ci(r) for r in board.to_dict("records")])
    out = [
        f"# Evaluation report: Δ {what} vs baseline `{cmp.baseline.name}`",
        "",
        f"{len(cmp.teams)} team run(s) against `{cmp.baseline.name}` on {len(cmp.baseline.tasks)} held-out tasks; "
        + ("rule: the organizers' (water-filled domain weights); " if args.rule == "organizers" else "rule: gain-share cap; ")
        + f"interval: {stats.interval_label(args.rule, args.engine, args.interval, args.confidence, args.resamples)}, "
        f"seed {args.seed}; " + (f"cap {cap_of(args):.0%} per domain" if cap_of(args) else "no cap") + f". Δ in {unit}.",
        "",
        "## Leaderboard",
        "",
        _markdown_table(lb, {"rank_label": "rank", "team": "team", "delta": "Δ", "ci": f"{conf} CI",
                             "tie_group": "tie group", "mde": "MDE", "n_tasks": "tasks"},
                        {"delta": pp, "mde": lambda v: pp(v, False)}),
        "",
    ]  # fmt: skip
    if "forest" in rep.figures:
        out += ["![forest plot](figures/forest.png)", ""]
    if "domain_bars" in rep.figures:
        out += ["![per-domain Δ](figures/domain_bars.png)", ""]
    out += ["## Domain leaders", "", _markdown_table(award.domain_leaders, {"domain_name": "domain", "status": "status",
            "top": "highest Δ", "delta": "Δ", "contenders": "contenders", "reason": "why"}, {"delta": pp}), ""]  # fmt: skip
    for name, caption in (("transfer_heatmap", "Transfer"), ("family_heatmap", "Environment families")):
        if name in rep.figures:
            out += [f"## {caption}", "", f"![{caption}](figures/{name}.png)", ""]
    if award.families is not None:
        out += [_markdown_table(award.families.head(10), {"rank": "rank", "family": "family", "home_domain": "home",
                "n_other_gain": "other domains lifted", "mean_delta_other": "mean Δ elsewhere", "gained": "lifted"},
                {"mean_delta_other": pp}), ""]  # fmt: skip
    if "learnability" in rep.figures:
        out += ["## Learnability", "", "![learnability](figures/learnability.png)", ""]
    if "contamination" in rep.tables:
        out += ["## Contamination", ""]
        out += ["![contamination](figures/contamination.png)", ""] if "contamination" in rep.figures else \
            ["Too many flagged rows for a figure: see tables/contamination.csv.", ""]  # fmt: skip
    if probe is not None:
        out += probe.markdown(
            "figures/memorization.png" if "memorization" in rep.figures else None, args.confidence
        )
    if len(award.flags):
        out += ["## Flags", "", _markdown_table(award.flags, {"team": "team", "kind": "kind", "count": "count",
                                                              "detail": "detail"}), ""]  # fmt: skip
    out += ["## Caveats", ""] + [f"- {c}" for c in award.caveats] + [""]
    if rep.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in rep.warnings] + [""]
    out += ["## Files", ""] + [f"- `{p}`" for ps in [*rep.tables.values(), *rep.figures.values()] for p in ps]
    return "\n".join(out) + "\n"


def build(args) -> tuple[int, dict | None]:
    """Write the report; (exit code, manifest)."""
    import pandas as pd

    from arena.award import award_report
    from arena.learnability import learnability_profile, task_learnability
    from arena.plots import (
        contamination_figure,
        domain_bars,
        forest_plot,
        learnability_histograms,
        transfer_heatmap,
    )
    from arena.runs import RunError, RunPathError, load_run, split_spec

    meta = None
    if args.transfer_meta:
        try:
            meta = _meta_overrides(args.transfer_meta)
        except RunPathError as exc:
            return usage_error(str(exc)), None
        except (RunError, ValueError, KeyError) as exc:
            print(f"arena: --transfer-meta {args.transfer_meta}: {exc}", file=sys.stderr)
            return EXIT_FAIL, None
    docs = sources = None
    if args.corpus or args.heldout:
        if not args.corpus:
            return usage_error("--heldout needs at least one --corpus to compare it with"), None
        try:
            docs, sources = corpus_documents(args.corpus, args.heldout)
        except RunPathError as exc:
            return usage_error(str(exc)), None
    for spec in args.probe:
        if not split_spec(spec)[1].is_dir():
            return usage_error(f"--probe {spec}: no such folder (`arena probe CHECKPOINT --corpus PATH --out DIR` "
                               "makes one)"), None  # fmt: skip
    flags = None
    if args.flags:
        if not Path(args.flags).is_file():
            return usage_error(f"--flags {args.flags}: no such file (CSV/JSON with columns team, flag)"), None
        flags = _read_table(args.flags)
    cmp, code = load(args, meta=meta)
    if cmp is None:
        return code, None
    try:
        scores, board = compute(cmp, args)
    except ValueError as exc:
        print(f"arena: cannot score these runs: {exc}", file=sys.stderr)
        return EXIT_FAIL, None

    out = Path(args.out)
    rep = Report(out)
    rep.warnings += cmp.suite.warnings
    if meta:
        known = {k for r in [*cmp.teams, cmp.baseline] for k in (r.name, str(r.path), r.path.name)}
        rep.warnings += [f"--transfer-meta names run {k!r}, which is not among the runs given: ignored"
                         for k in meta if k not in known]  # fmt: skip
    boot = dict(metric=args.metric, threshold=args.threshold, n_resamples=args.resamples, seed=args.seed,
                confidence=args.confidence)  # fmt: skip
    common = dict(metric=args.metric, baseline=cmp.baseline.name, confidence=args.confidence)
    rep.table(scores, "scores")
    rep.table(board, "leaderboard")
    rep.table(cmp.suite.table, "suite")
    rep.table(cmp.meta_frame(), "runs")
    rep.figure(forest_plot(scores, cap=cap_of(args), **common), "forest")
    rep.figure(domain_bars(scores, teams=board["team"].tolist(), **common), "domain_bars")

    # transfer: Δ against the scoring baseline, runs with known training domains
    from arena.transfer import family_table, transfer_summary, transfer_table, warm_start_table

    mf = cmp.meta_frame()
    runs = cmp.all_trials
    tmeta = mf[mf["run"] != cmp.baseline.name]
    family = None
    if (tmeta["train_domains"] != "").any():
        tmeta = tmeta[tmeta["train_domains"] != ""]
        targs = dict(baseline=cmp.baseline.name, **boot)
        tt = rep.attempt("transfer table", lambda: transfer_table(runs, tmeta, **targs))
        if tt is not None:
            rep.table(tt, "transfer")
            rep.figure(
                transfer_heatmap(tt, metric=args.metric, confidence=args.confidence), "transfer_heatmap"
            )
            ts = rep.attempt("transfer summary", lambda: transfer_summary(runs, tmeta, **targs))
            if ts is not None:
                rep.table(ts, "transfer_summary")
        if tmeta["family"].notna().any():
            family = rep.attempt("family table", lambda: family_table(runs, tmeta, **targs))
            if family is not None:
                rep.table(family, "family")
                rep.figure(
                    transfer_heatmap(family, metric=args.metric, confidence=args.confidence), "family_heatmap"
                )
        if (tmeta["start"] != "base").any():
            wmeta = mf[(mf["train_domains"] != "") | (mf["run"] == cmp.baseline.name)]
            ws = rep.attempt("warm-start table", lambda: warm_start_table(runs, wmeta, **boot))
            if ws is not None:
                rep.table(ws, "warm_start")
    else:
        rep.warnings.append("transfer tables skipped: no run states its train_domains (run.json, model_card.json "
                            "or --transfer-meta)")  # fmt: skip

    # learnability
    try:
        lrun = load_run(args.learnability, agent=args.agent) if args.learnability else cmp.baseline
    except RunPathError as exc:
        return usage_error(f"--learnability: {exc}"), None
    except RunError as exc:
        print(f"arena: --learnability: {exc}", file=sys.stderr)
        return EXIT_FAIL, None
    band = tuple(args.band)
    lt = task_learnability(lrun.trials, threshold=args.threshold, metric=args.metric, band=band)
    rep.table(lt, "learnability")
    rep.table(learnability_profile(lrun.trials, threshold=args.threshold, metric=args.metric, band=band),
              "learnability_profile")  # fmt: skip
    rep.figure(learnability_histograms(lt, band=band, metric=args.metric,
                                       title=f"Learnability of {lrun.name}: per-task "
                                       f"{'pass rate' if args.metric == 'pass' else 'mean reward'} by domain "
                                       f"(useful band ({band[0]:g}, {band[1]:g}) shaded)"), "learnability")  # fmt: skip

    # contamination
    report = None
    if docs is not None:
        from arena.contamination import contamination_report

        report = contamination_report(docs, heldout=HELDOUT)
        rep.table(report, "contamination")
        n_flag = int(report["flagged"].sum())
        if n_flag <= args.max_table_rows:
            rep.figure(contamination_figure(report, max_rows=args.max_table_rows), "contamination")

    # memorization probe
    probe = None
    if args.probe:
        from arena.memorization_views import probe_section

        try:
            probe = probe_section(args.probe, cmp.team_trials, scores, threshold=args.threshold,
                                  n_resamples=args.resamples, seed=args.seed, confidence=args.confidence)  # fmt: skip
        except ValueError as exc:
            print(f"arena: --probe: {exc}", file=sys.stderr)
            return EXIT_FAIL, None
        rep.table(probe.table, "memorization")
        rep.figure(probe.figure, "memorization")
        rep.warnings += probe.warnings

    # award
    team_names = {r.name for r in cmp.teams}
    if sources and not (set(sources) - {HELDOUT}) & team_names:
        rep.warnings.append(f"no corpus is named like a team ({sorted(set(sources) - {HELDOUT})} vs "
                            f"{sorted(team_names)}): name them NAME=PATH so flags attach to teams")  # fmt: skip
    try:
        award = award_report(scores, cap=cap_of(args), metric=args.metric, threshold=args.threshold,
                             confidence=args.confidence, n_resamples=args.resamples, families=family,
                             contamination=report, heldout=HELDOUT, validation=flags,
                             memorization=probe.table if probe is not None else None)  # fmt: skip
    except ValueError as exc:
        print(f"arena: award report: {exc}", file=sys.stderr)
        return EXIT_FAIL, None
    for name, df in award.tables().items():
        rep.table(df, name)
    rep.table(pd.DataFrame({"caveat": award.caveats}), "caveats")

    manifest = jsonable({
        "baseline": cmp.baseline.name, "teams": [r.name for r in cmp.teams], "metric": args.metric,
        "threshold": args.threshold, "cap": cap_of(args), "confidence": args.confidence,
        "resamples": args.resamples, "seed": args.seed, "band": list(band), "learnability_run": lrun.name,
        "corpora": sources or {}, "tables": rep.tables, "figures": rep.figures, "caveats": award.caveats,
        "warnings": rep.warnings, "report": "report.md",
    })  # fmt: skip
    (out / "report.md").write_text(_markdown(rep, cmp, board, award, args, probe), encoding="utf-8")
    (out / "report.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return EXIT_OK, manifest


def run(args) -> int:
    problem = check_options(args)
    if not problem and not args.band[0] < args.band[1]:
        problem = f"--band LOW HIGH needs LOW < HIGH (got {args.band[0]} {args.band[1]})"
    if not problem and args.max_table_rows < 1:
        problem = f"--max-table-rows must be at least 1 (got {args.max_table_rows})"
    if problem:
        return usage_error(problem)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("arena: `arena report` draws figures with matplotlib, which is not installed: "
              "pip install 'arena[notebooks]' (or pip install matplotlib)", file=sys.stderr)  # fmt: skip
        return EXIT_FAIL
    code, manifest = build(args)
    if manifest is None:
        return code
    if args.json:
        emit_json(manifest)
        return code
    n_t = sum(len(v) for v in manifest["tables"].values())
    n_f = sum(len(v) for v in manifest["figures"].values())
    print(f"report: {args.out}/report.md ({len(manifest['tables'])} tables as {n_t} files, "
          f"{len(manifest['figures'])} figures as {n_f} files)")  # fmt: skip
    print("figures: " + ", ".join(manifest["figures"]))
    for w in manifest["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    return code
