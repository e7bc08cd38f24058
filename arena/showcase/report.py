"""Stage 5, report: transfer_meta.csv, the validation flags and :func:`arena.report.build_report`
into ``report/``; the figures copied to ``--figures``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

from arena.namedpath import NamedPath
from arena.showcase.corpora import corpus_of, heldout_suite
from arena.showcase.plan import MEMORIZER, TEAMS, ShowcaseError, run_names



def _recorded(v):
    """An option as showcase.json records it: paths and named paths in their command-line form."""
    if isinstance(v, (Path, NamedPath)):
        return str(v)
    if isinstance(v, list):
        return [_recorded(x) for x in v]
    return v

def transfer_meta(sc) -> Path:
    """transfer_meta.csv: per run, the domains it trained on, its family, start and control."""
    from arena import families

    rows = []
    for run in run_names():
        card = json.loads((sc.out / "train" / run / "model_card.json").read_text())
        doms = sorted(card["corpus"]["by_domain"])
        fam = ""
        if run.startswith("single-"):
            fam = "+".join(families.names(reserved=False, domain=run.removeprefix("single-")))
        rows.append({"run": run, "train_domains": "+".join(doms), "family": fam, "start": "base",
                     "control": "baseline" if run == "baseline-reseed" else ""})  # fmt: skip
    path = sc.out / "transfer_meta.csv"
    buf = io.StringIO()
    w = csv.DictWriter(
        buf, fieldnames=["run", "train_domains", "family", "start", "control"], lineterminator="\n"
    )
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def run(sc) -> None:
    """The report into report/ (resumed: its score table read back); sets ``sc.scores``."""
    from arena.report import ReportError, ReportOptions, build_report, read_scores

    if sc.state.done("report") and (sc.out / "report" / "report.json").exists():
        sc.display.start("report", 0)
        sc.display.finish("report", "resumed")
        sc.scores = read_scores(sc.out / "report")
        copy_figures(sc)
        return
    t = time.perf_counter()
    sc.display.start("report", 1, "tables + figures")
    meta = transfer_meta(sc)
    report = sc.out / "report"
    report.mkdir(parents=True, exist_ok=True)
    flags = report / "validation_flags.csv"  # an input of the report, kept beside it
    write_flags(sc, flags)
    corpora = [
        NamedPath(n, corpus_of(sc, "baseline" if n == "reference" else n)) for n in ("reference", *TEAMS)
    ]
    opts = ReportOptions(
        runs=[NamedPath(r, sc.out / "eval" / r) for r in run_names() if r != "baseline"],
        baseline=NamedPath("baseline", sc.out / "eval" / "baseline"), out=report, transfer_meta=str(meta),
        seed=sc.seed, resamples=sc.plan.resamples, flags=str(flags), corpus=corpora,
        learnability=NamedPath("baseline@polymath", sc.out / "learnability" / "polymath"), heldout=str(heldout_suite(sc)),
        probe=[NamedPath(MEMORIZER, sc.out / "probe" / MEMORIZER)]
        if (sc.out / "probe" / MEMORIZER / "probe.json").is_file() else [],
    )  # fmt: skip
    try:
        result = build_report(opts)
    except ReportError as exc:
        raise ShowcaseError(f"the report cannot be written: {exc}") from None
    (report / "report.log").write_text(
        "".join(f"{line}\n" for line in result.summary_lines()) + "".join(f"warning: {w}\n" for w in result.warnings),
        encoding="utf-8",
    )  # fmt: skip
    sc.scores = result.scores
    copy_figures(sc)
    sc.state.finish("report", options={k: _recorded(v) for k, v in asdict(opts).items()})
    sc.display.finish("report")
    sc.clock.window("report", t, time.perf_counter())


def write_flags(sc, path: Path) -> None:
    """Validation flags per team (team, flag, count, detail) for the award tables."""
    from arena.validation_tables import exclusion_flags

    excluded = {team: sc.selection["corpora"][team]["excluded"] for team in TEAMS}
    exclusion_flags(excluded).to_csv(path, index=False, lineterminator="\n")


def copy_figures(sc) -> None:
    """The report's PNG and SVG figures, copied to ``--figures`` (unless None)."""
    if sc.figures is None:
        return
    src = sc.out / "report" / "figures"
    sc.figures.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.glob("*")):
        if f.suffix in (".png", ".svg"):
            shutil.copy2(f, sc.figures / f.name)
