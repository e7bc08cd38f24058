"""The evaluation report as a library stage: run folders → tables, figures and caveats in one folder.

    from arena.report import ReportOptions, build_report
    result = build_report(ReportOptions(runs=["a=runs/a"], baseline="runs/ref", out="reports/r1"))
    result.tables["scores"], result.figures["forest"], result.caveats, result.scores

``arena report`` (:mod:`arena.cli.report`) parses its options into a :class:`ReportOptions`,
calls :func:`build_report` and prints the :class:`ReportResult`; ``arena showcase`` calls it
directly.  A problem with the inputs is a :class:`ReportError` (``usage`` says whether it is the
caller's option that is wrong: the CLI's exit 2, else exit 1).  Same inputs and seed: same tables,
same figure bytes.  Heavy imports (pandas, matplotlib) happen inside :func:`build_report`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path


class ReportError(ValueError):
    """The report cannot be written; ``usage`` is True when an option names something unusable."""

    def __init__(self, message: str, *, usage: bool = False):
        super().__init__(message)
        self.usage = usage


@dataclass
class ReportOptions:
    """What ``arena report`` takes (same names and defaults as its options)."""

    runs: list[str | NamedPath]  # PATH or NAME=PATH (the command line) or NamedPath (code)
    baseline: str | NamedPath
    out: str | Path
    metric: str = "pass"
    threshold: float = 1.0
    cap: float = 0.2
    rule: str = "organizers"
    engine: str = "fast"
    interval: str = "bootstrap"
    resamples: int = 10_000
    seed: int = 0
    confidence: float = 0.95
    agent: str | None = None
    transfer_meta: str | None = None
    corpus: list[str | NamedPath] = field(default_factory=list)
    heldout: str | None = None
    learnability: str | NamedPath | None = None
    band: tuple[float, float] = (0.0, 1.0)
    flags: str | None = None
    probe: list[str | NamedPath] = field(default_factory=list)
    max_table_rows: int = 25

    @classmethod
    def from_namespace(cls, ns) -> ReportOptions:
        return cls(**{k: getattr(ns, k) for k in cls.__dataclass_fields__ if hasattr(ns, k)})


@dataclass
class ReportResult:
    """What :func:`build_report` wrote: files per table and figure (relative to ``out``), the
    caveats and warnings, the manifest (report.json) and the score table and leaderboard."""

    out: Path
    tables: dict[str, list[str]]
    figures: dict[str, list[str]]
    caveats: list[str]
    warnings: list[str]
    manifest: dict
    scores: object  # pandas.DataFrame
    leaderboard: object

    def summary_lines(self, out: str | Path | None = None) -> list[str]:
        """What ``arena report`` prints (``out`` as the caller spelled it)."""
        n_t = sum(len(v) for v in self.tables.values())
        n_f = sum(len(v) for v in self.figures.values())
        return [f"report: {out if out is not None else self.out}/report.md ({len(self.tables)} tables as {n_t} files, "
                f"{len(self.figures)} figures as {n_f} files)", "figures: " + ", ".join(self.figures)]  # fmt: skip


# -- scoring options shared with `arena score` ----------------------------------------------------


def cap_of(opts) -> float | None:
    return opts.cap if opts.cap > 0 else None


def rule_options(opts) -> dict:
    """The rule / engine / interval options as score_table keywords (defaults when absent)."""
    return {"rule": getattr(opts, "rule", "organizers"), "engine": getattr(opts, "engine", "fast"),
            "interval": getattr(opts, "interval", "bootstrap")}  # fmt: skip


def compute(cmp, opts):
    """(score_table, leaderboard) of a comparison with the options' settings."""
    from arena.award import domain_ranking
    from arena.stats import score_table

    scores = score_table(cmp.team_trials, cmp.baseline.trials, metric=opts.metric, threshold=opts.threshold,
                         n_resamples=opts.resamples, seed=opts.seed, confidence=opts.confidence,
                         cap=cap_of(opts), **rule_options(opts))  # fmt: skip
    return scores, domain_ranking(scores)


def jsonable(value):
    """JSON-safe copy: numpy scalars to Python, NaN/inf and pandas NA to None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def write_table(df, out_dir: str | Path, name: str) -> list[Path]:
    """``name.csv``, ``name.parquet`` and ``name.json`` (records) of a table: same table, same bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{ext}" for ext in ("csv", "parquet", "json")]
    df.to_csv(paths[0], index=False, lineterminator="\n")
    df.to_parquet(paths[1], index=False)
    records = jsonable(df.to_dict("records"))
    paths[2].write_text(
        json.dumps(records, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )
    return paths


def read_scores(out: str | Path):
    """The score table of a written report (``tables/scores.parquet``)."""
    import pandas as pd

    return pd.read_parquet(Path(out) / "tables" / "scores.parquet")


# -- inputs ---------------------------------------------------------------------------------------


def _read_table(path: str):
    import pandas as pd

    p = Path(path)
    if p.suffix == ".json":
        return pd.DataFrame(json.loads(p.read_text(encoding="utf-8")))
    if p.suffix == ".parquet":
        return pd.read_parquet(p)
    return pd.read_csv(p, dtype=str, keep_default_na=False)


def _meta_overrides(path: str):
    """{run: {train_domains, family, start, control}} from a --transfer-meta file."""
    from arena.runs import read_meta_table

    df = read_meta_table(path)
    keep = [c for c in ("train_domains", "family", "start", "control") if c in df]
    return {str(r["run"]): {k: r[k] for k in keep if r[k] is not None} for r in df.to_dict("records")}


class _Files:
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


# -- the report -------------------------------------------------------------------------------------


def _inputs(opts: ReportOptions):
    """(transfer meta overrides, contamination documents, their sources, validation flags)."""
    from arena.contamination import CorpusError, corpus_documents
    from arena.runs import RunError, RunPathError

    meta = None
    if opts.transfer_meta:
        try:
            meta = _meta_overrides(opts.transfer_meta)
        except RunPathError as exc:
            raise ReportError(str(exc), usage=True) from None
        except (RunError, ValueError, KeyError) as exc:
            raise ReportError(f"--transfer-meta {opts.transfer_meta}: {exc}") from None
    docs = sources = None
    if opts.corpus or opts.heldout:
        if not opts.corpus:
            raise ReportError("--heldout needs at least one --corpus to compare it with", usage=True)
        try:
            docs, sources = corpus_documents(opts.corpus, opts.heldout)
        except CorpusError as exc:
            raise ReportError(str(exc), usage=True) from None
    from arena.runs import split_spec

    for spec in opts.probe:
        if not split_spec(spec)[1].is_dir():
            raise ReportError(f"--probe {spec}: no such folder (`arena probe CHECKPOINT --corpus PATH --out DIR` "
                              "makes one)", usage=True)  # fmt: skip
    flags = None
    if opts.flags:
        if not Path(opts.flags).is_file():
            raise ReportError(f"--flags {opts.flags}: no such file (CSV/JSON with columns team, flag)", usage=True)
        flags = _read_table(opts.flags)
    return meta, docs, sources, flags


def build_report(opts: ReportOptions) -> ReportResult:
    """Write the report to ``opts.out``; raises :class:`ReportError`."""
    import pandas as pd

    from arena.award import award_report
    from arena.contamination import HELDOUT
    from arena.learnability import learnability_profile, task_learnability
    from arena.plots import contamination_figure, domain_bars, forest_plot, learnability_histograms
    from arena.report_markdown import markdown
    from arena.runs import RunError, RunPathError, load_comparison, load_run

    meta, docs, sources, flags = _inputs(opts)
    try:
        cmp = load_comparison(opts.runs, opts.baseline, agent=opts.agent, meta=meta)
    except RunPathError as exc:
        raise ReportError(str(exc), usage=True) from None
    except RunError as exc:
        raise ReportError(str(exc)) from None
    try:
        scores, board = compute(cmp, opts)
    except ValueError as exc:
        raise ReportError(f"cannot score these runs: {exc}") from None

    out = Path(opts.out)
    rep = _Files(out)
    rep.warnings += cmp.suite.warnings
    if meta:
        known = {k for r in [*cmp.teams, cmp.baseline] for k in (r.name, str(r.path), r.path.name)}
        rep.warnings += [f"--transfer-meta names run {k!r}, which is not among the runs given: ignored"
                         for k in meta if k not in known]  # fmt: skip
    common = dict(metric=opts.metric, baseline=cmp.baseline.name, confidence=opts.confidence)
    rep.table(scores, "scores")
    rep.table(board, "leaderboard")
    rep.table(cmp.suite.table, "suite")
    rep.table(cmp.meta_frame(), "runs")
    rep.figure(forest_plot(scores, cap=cap_of(opts), **common), "forest")
    rep.figure(domain_bars(scores, teams=board["team"].tolist(), **common), "domain_bars")
    family = _transfer(rep, cmp, opts)

    # learnability
    try:
        lrun = load_run(opts.learnability, agent=opts.agent) if opts.learnability else cmp.baseline
    except RunPathError as exc:
        raise ReportError(f"--learnability: {exc}", usage=True) from None
    except RunError as exc:
        raise ReportError(f"--learnability: {exc}") from None
    band = tuple(opts.band)
    lt = task_learnability(lrun.trials, threshold=opts.threshold, metric=opts.metric, band=band)
    rep.table(lt, "learnability")
    rep.table(learnability_profile(lrun.trials, threshold=opts.threshold, metric=opts.metric, band=band),
              "learnability_profile")  # fmt: skip
    rep.figure(learnability_histograms(lt, band=band, metric=opts.metric,
                                       title=f"Learnability of {lrun.name}: per-task "
                                       f"{'pass rate' if opts.metric == 'pass' else 'mean reward'} by domain "
                                       f"(useful band ({band[0]:g}, {band[1]:g}) shaded)"), "learnability")  # fmt: skip

    # contamination
    report = None
    if docs is not None:
        from arena.contamination import contamination_report

        report = contamination_report(docs, heldout=HELDOUT)
        rep.table(report, "contamination")
        n_flag = int(report["flagged"].sum())
        if n_flag <= opts.max_table_rows:
            rep.figure(contamination_figure(report, max_rows=opts.max_table_rows), "contamination")

    # memorization probe
    probe = None
    if opts.probe:
        from arena.memorization_views import probe_section

        try:
            probe = probe_section(opts.probe, cmp.team_trials, scores, threshold=opts.threshold,
                                  n_resamples=opts.resamples, seed=opts.seed, confidence=opts.confidence)  # fmt: skip
        except ValueError as exc:
            raise ReportError(f"--probe: {exc}") from None
        rep.table(probe.table, "memorization")
        rep.figure(probe.figure, "memorization")
        rep.warnings += probe.warnings

    # award
    team_names = {r.name for r in cmp.teams}
    if sources and not (set(sources) - {HELDOUT}) & team_names:
        rep.warnings.append(f"no corpus is named like a team ({sorted(set(sources) - {HELDOUT})} vs "
                            f"{sorted(team_names)}): name them NAME=PATH so flags attach to teams")  # fmt: skip
    try:
        award = award_report(scores, cap=cap_of(opts), metric=opts.metric, threshold=opts.threshold,
                             confidence=opts.confidence, n_resamples=opts.resamples, families=family,
                             contamination=report, heldout=HELDOUT, validation=flags,
                             memorization=probe.table if probe is not None else None)  # fmt: skip
    except ValueError as exc:
        raise ReportError(f"award report: {exc}") from None
    for name, df in award.tables().items():
        rep.table(df, name)
    rep.table(pd.DataFrame({"caveat": award.caveats}), "caveats")

    manifest = jsonable({
        "baseline": cmp.baseline.name, "teams": [r.name for r in cmp.teams], "metric": opts.metric,
        "threshold": opts.threshold, "cap": cap_of(opts), "confidence": opts.confidence,
        "resamples": opts.resamples, "seed": opts.seed, "band": list(band), "learnability_run": lrun.name,
        "corpora": sources or {}, "tables": rep.tables, "figures": rep.figures, "caveats": award.caveats,
        "warnings": rep.warnings, "report": "report.md",
    })  # fmt: skip
    (out / "report.md").write_text(markdown(rep, cmp, board, award, opts, cap_of(opts), probe), encoding="utf-8")
    (out / "report.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return ReportResult(out=out, tables=rep.tables, figures=rep.figures, caveats=list(award.caveats),
                        warnings=rep.warnings, manifest=manifest, scores=scores, leaderboard=board)  # fmt: skip


def _transfer(rep: _Files, cmp, opts: ReportOptions):
    """Transfer, family and warm-start tables (Δ against the scoring baseline, runs with known
    training domains); returns the family table or None."""
    from arena.plots import transfer_heatmap
    from arena.transfer import family_table, transfer_summary, transfer_table, warm_start_table

    boot = dict(metric=opts.metric, threshold=opts.threshold, n_resamples=opts.resamples, seed=opts.seed,
                confidence=opts.confidence)  # fmt: skip
    mf = cmp.meta_frame()
    runs = cmp.all_trials
    tmeta = mf[mf["run"] != cmp.baseline.name]
    family = None
    if not (tmeta["train_domains"] != "").any():
        rep.warnings.append("transfer tables skipped: no run states its train_domains (run.json, model_card.json "
                            "or --transfer-meta)")  # fmt: skip
        return None
    tmeta = tmeta[tmeta["train_domains"] != ""]
    targs = dict(baseline=cmp.baseline.name, **boot)
    tt = rep.attempt("transfer table", lambda: transfer_table(runs, tmeta, **targs))
    if tt is not None:
        rep.table(tt, "transfer")
        rep.figure(transfer_heatmap(tt, metric=opts.metric, confidence=opts.confidence), "transfer_heatmap")
        ts = rep.attempt("transfer summary", lambda: transfer_summary(runs, tmeta, **targs))
        if ts is not None:
            rep.table(ts, "transfer_summary")
    if tmeta["family"].notna().any():
        family = rep.attempt("family table", lambda: family_table(runs, tmeta, **targs))
        if family is not None:
            rep.table(family, "family")
            rep.figure(transfer_heatmap(family, metric=opts.metric, confidence=opts.confidence), "family_heatmap")
    if (tmeta["start"] != "base").any():
        wmeta = mf[(mf["train_domains"] != "") | (mf["run"] == cmp.baseline.name)]
        ws = rep.attempt("warm-start table", lambda: warm_start_table(runs, wmeta, **boot))
        if ws is not None:
            rep.table(ws, "warm_start")
    return family
