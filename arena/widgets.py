"""Notebook controls: pick a team, a domain and a metric; the figure and the table below update.

    from arena.widgets import explore
    explore(["runs/polymath", "runs/hasty"], "runs/reference")      # in a notebook cell

One :class:`ScoreExplorer` holds three controls (``team``, ``domain``, ``metric``) and one
``ipywidgets.Output``.  Every change calls :meth:`ScoreExplorer.render`, the single function
that rebuilds the view: it computes (or takes from its cache) the score table for the metric,
draws the figure for the selection, and replaces the Output's content with the figure (PNG) and
the table (HTML).  The Output's ``outputs`` are set directly rather than captured from a
``with output:`` block, so the same code works in a live kernel and in a plain Python process
(tests call the observer and read ``explorer.table`` / ``explorer.output.outputs``).

Views:

* all teams, ``Overall`` or one domain — forest plot of every team's Δ there, ranking table;
* one team, ``Overall`` — that team's per-domain Δ bars, its row per domain;
* one team, one domain — forest plot of that domain with the team highlighted, ranking table.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping
from pathlib import Path

import ipywidgets as W
import pandas as pd

from arena.award import domain_name, domain_ranking
from arena.stats import OVERALL, domain_order, score_table

ALL = "__all__"
METRIC_OPTIONS = (("pass rate", "pass"), ("mean reward", "reward"))


class ScoreExplorer:
    """Interactive view of team runs against a baseline (see the module docstring).

    ``teams``: {name: trials}; ``baseline``: the baseline's trials.  Scoring options are those
    of :func:`arena.stats.score_table` (fewer resamples than the CLI by default, for speed; the
    numbers are otherwise the same).  Attributes after each render: ``figure``, ``table``,
    ``caption``, ``renders`` (count)."""

    def __init__(self, teams: Mapping[str, pd.DataFrame], baseline: pd.DataFrame, *, baseline_name: str = "baseline",
                 n_resamples: int = 2000, seed: int = 0, cap: float | None = 0.2, confidence: float = 0.95,
                 threshold: float = 1.0, dpi: int = 90) -> None:  # fmt: skip
        if not teams:
            raise ValueError("ScoreExplorer needs at least one team run")
        self.teams = dict(teams)
        self.baseline = baseline
        self.baseline_name = baseline_name
        self.options = dict(
            n_resamples=n_resamples, seed=seed, cap=cap, confidence=confidence, threshold=threshold
        )
        self.dpi = dpi
        self._scores: dict[str, pd.DataFrame] = {}
        doms = domain_order(baseline["domain"].dropna().unique())
        self.team = W.Dropdown(options=[("All teams", ALL), *((t, t) for t in self.teams)], value=ALL,
                               description="Team")  # fmt: skip
        self.domain = W.Dropdown(options=[("Overall", OVERALL), *((domain_name(d), d) for d in doms)], value=OVERALL,
                                 description="Domain")  # fmt: skip
        self.metric = W.ToggleButtons(options=list(METRIC_OPTIONS), value="pass", description="Metric")
        self.output = W.Output(layout=W.Layout(min_height="300px"))
        for control in (self.team, self.domain, self.metric):
            control.observe(self._on_change, names="value")
        self.widget = W.VBox([W.HBox([self.team, self.domain]), self.metric, self.output])
        self.figure = None
        self.table: pd.DataFrame | None = None
        self.caption = ""
        self.renders = 0
        self.render()

    @classmethod
    def from_runs(cls, runs: Iterable[str | Path], baseline: str | Path, *, agent: str | None = None, **kw):
        """Load run folders (``PATH`` or ``NAME=PATH``) with :func:`arena.runs.load_comparison`."""
        from arena.runs import load_comparison

        cmp = load_comparison(runs, baseline, agent=agent)
        return cls(cmp.team_trials, cmp.baseline.trials, baseline_name=cmp.baseline.name, **kw)

    # -- model ---------------------------------------------------------------------------------

    def scores(self, metric: str) -> pd.DataFrame:
        """The score table for a metric (computed once, then cached)."""
        if metric not in self._scores:
            self._scores[metric] = score_table(self.teams, self.baseline, metric=metric, **self.options)
        return self._scores[metric]

    def view(self, team: str, domain: str, metric: str):
        """(figure, table, caption) for a selection: the pure part of :meth:`render`."""
        from arena.plots import domain_bars, forest_plot

        scores = self.scores(metric)
        common = dict(metric=metric, baseline=self.baseline_name, confidence=self.options["confidence"])
        what = {v: k for k, v in METRIC_OPTIONS}[metric]
        if team != ALL and domain == OVERALL:
            fig = domain_bars(scores, teams=[team], **common)
            table = scores[scores["team"] == team].drop(columns="team").reset_index(drop=True)
            table.insert(1, "domain_name", table["domain"].map(domain_name))
            caption = f"{team}: Δ {what} per domain vs {self.baseline_name}"
            return fig, table, caption
        fig = forest_plot(scores, domain=domain, highlight=None if team == ALL else team, cap=self.options["cap"],
                          **common)  # fmt: skip
        table = domain_ranking(scores, domain)
        who = "all teams" if team == ALL else f"{team} among all teams"
        caption = f"{who}: Δ {what} on {domain_name(domain)} vs {self.baseline_name}"
        return fig, table, caption

    # -- view ------------------------------------------------------------------------------------

    def render(self) -> None:
        """Rebuild the Output from the controls' current values (the one re-render function)."""
        from arena.plots import figure_png

        try:
            fig, table, caption = self.view(self.team.value, self.domain.value, self.metric.value)
        except ValueError as exc:  # e.g. a team with no score in this domain: say so in place
            self.figure, self.table, self.caption = None, None, f"nothing to show: {exc}"
            self.output.outputs = (_display({"text/plain": self.caption,
                                             "text/html": f"<p><b>{html.escape(self.caption)}</b></p>"}),)  # fmt: skip
            self.renders += 1
            return
        png = base64.b64encode(figure_png(fig, dpi=self.dpi)).decode("ascii")
        shown = table.round(4)
        self.output.outputs = (
            _display({"image/png": png, "text/plain": caption}),
            _display(
                {
                    "text/html": shown.to_html(index=False, na_rep="–"),
                    "text/plain": shown.to_string(index=False),
                }
            ),
        )
        self.figure, self.table, self.caption = fig, table, caption
        self.renders += 1

    def _on_change(self, change) -> None:
        """Observer of every control: any new value re-renders."""
        if change.get("name", "value") == "value":
            self.render()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def explore(runs: Iterable[str | Path], baseline: str | Path, **kw) -> ScoreExplorer:
    """A :class:`ScoreExplorer` over run folders; the last expression of a cell displays it."""
    return ScoreExplorer.from_runs(runs, baseline, **kw)


__all__ = ["ALL", "ScoreExplorer", "explore"]
