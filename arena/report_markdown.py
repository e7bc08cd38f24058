"""``report.md``: the evaluation report's summary page (leaderboard, domain leaders, figures,
flags, caveats, warnings, files), written by :func:`arena.report.build_report`."""

from __future__ import annotations


def markdown_table(df, cols: dict[str, str], fmt: dict | None = None) -> str:
    fmt = fmt or {}
    lines = ["| " + " | ".join(cols.values()) + " |", "|" + "---|" * len(cols)]
    for r in df.to_dict("records"):
        cells = []
        for c in cols:
            v = r.get(c)
            cells.append(fmt[c](v) if c in fmt else ("" if v is None else str(v)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(rep, cmp, board, award, opts, cap, probe=None) -> str:
    """The page; ``rep`` holds the files written (tables, figures) and the warnings."""
    from arena import stats
    from arena.award import pp

    what = "pass rate" if opts.metric == "pass" else "mean reward"
    unit = "percentage points" if opts.metric == "pass" else "reward points ×100"
    conf = f"{opts.confidence:.0%}"
    ci = lambda r: f"[{pp(r['ci_low'])}, {pp(r['ci_high'])}]"  # noqa: E731
    lb = board.assign(ci=[ci(r) for r in board.to_dict("records")])
    out = [
        f"# Evaluation report: Δ {what} vs baseline `{cmp.baseline.name}`",
        "",
        f"{len(cmp.teams)} team run(s) against `{cmp.baseline.name}` on {len(cmp.baseline.tasks)} held-out tasks; "
        + ("rule: the organizers' (water-filled domain weights); " if opts.rule == "organizers" else "rule: gain-share cap; ")
        + f"interval: {stats.interval_label(opts.rule, opts.engine, opts.interval, opts.confidence, opts.resamples)}, "
        f"seed {opts.seed}; " + (f"cap {cap:.0%} per domain" if cap else "no cap") + f". Δ in {unit}.",
        "",
        "## Leaderboard",
        "",
        markdown_table(lb, {"rank_label": "rank", "team": "team", "delta": "Δ", "ci": f"{conf} CI",
                            "tie_group": "tie group", "mde": "MDE", "n_tasks": "tasks"},
                       {"delta": pp, "mde": lambda v: pp(v, False)}),
        "",
    ]  # fmt: skip
    if "forest" in rep.figures:
        out += ["![forest plot](figures/forest.png)", ""]
    if "domain_bars" in rep.figures:
        out += ["![per-domain Δ](figures/domain_bars.png)", ""]
    out += ["## Domain leaders", "", markdown_table(award.domain_leaders, {"domain_name": "domain", "status": "status",
            "top": "highest Δ", "delta": "Δ", "contenders": "contenders", "reason": "why"}, {"delta": pp}), ""]  # fmt: skip
    for name, caption in (("transfer_heatmap", "Transfer"), ("family_heatmap", "Environment families")):
        if name in rep.figures:
            out += [f"## {caption}", "", f"![{caption}](figures/{name}.png)", ""]
    if award.families is not None:
        out += [markdown_table(award.families.head(10), {"rank": "rank", "family": "family", "home_domain": "home",
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
            "figures/memorization.png" if "memorization" in rep.figures else None, opts.confidence
        )
    if len(award.flags):
        out += ["## Flags", "", markdown_table(award.flags, {"team": "team", "kind": "kind", "count": "count",
                                                             "detail": "detail"}), ""]  # fmt: skip
    out += ["## Caveats", ""] + [f"- {c}" for c in award.caveats] + [""]
    if rep.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in rep.warnings] + [""]
    out += ["## Files", ""] + [f"- `{p}`" for ps in [*rep.tables.values(), *rep.figures.values()] for p in ps]
    return "\n".join(out) + "\n"
