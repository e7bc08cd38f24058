"""arena.widgets: the controls re-render the Output through one function, without a browser."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from arena.domains import DOMAIN_IDS  # noqa: E402
from arena.stats import OVERALL  # noqa: E402
from arena.widgets import ALL, ScoreExplorer, explore  # noqa: E402

D = list(DOMAIN_IDS)
PER, K = 8, 4
DOMS = np.repeat(D, PER)
Q = np.random.default_rng(0).uniform(0.15, 0.55, DOMS.size)


def trials(lift, seed):
    rng = np.random.default_rng(seed)
    p = np.clip(Q + lift, 0, 1)
    # partial credit: reward 0.5 on a third of the failures, so pass and reward differ
    hit = rng.random((p.size, K)) < p[:, None]
    reward = np.where(hit, 1.0, np.where(rng.random((p.size, K)) < 0.33, 0.5, 0.0)).ravel()
    return pd.DataFrame({"task_id": np.repeat([f"t{i:03d}" for i in range(p.size)], K),
                         "domain": np.repeat(DOMS, K), "sample": np.tile(np.arange(K), p.size),
                         "agent": "m", "reward": reward, "status": "ok"})  # fmt: skip


@pytest.fixture
def explorer():
    teams = {
        "broad": trials(0.3, 1),
        "sci": trials(np.where(DOMS == "sciences", 0.45, 0.0), 2),
        "null": trials(0.0, 3),
    }
    return ScoreExplorer(teams, trials(0.0, 0), baseline_name="ref", n_resamples=300)


def png_of(e):
    return base64.b64decode(e.output.outputs[0]["data"]["image/png"])


def test_initial_render_shows_figure_and_ranking(explorer):
    e = explorer
    assert e.renders == 1
    kinds = [set(o["data"]) for o in e.output.outputs]
    assert kinds[0] >= {"image/png", "text/plain"} and kinds[1] >= {"text/html", "text/plain"}
    assert png_of(e)[:8] == b"\x89PNG\r\n\x1a\n"
    assert e.table["team"].tolist()[0] == "broad" and "rank_label" in e.table
    assert e.caption == "all teams: Δ pass rate on Overall vs ref"
    assert [v for _, v in e.domain.options] == [OVERALL, *D]
    assert [v for _, v in e.team.options] == [ALL, "broad", "sci", "null"]


def test_each_control_rerenders_through_the_observer(explorer):
    e = explorer
    before_png, before_table = png_of(e), e.table.copy()
    e.domain.value = "sciences"  # the traitlets observer fires
    assert e.renders == 2 and e.caption == "all teams: Δ pass rate on Sciences vs ref"
    assert png_of(e) != before_png and not e.table.equals(before_table)
    assert e.table["team"].iloc[0] in ("sci", "broad")
    e.team.value = "sci"  # one team on one domain: highlighted forest plot
    assert e.renders == 3 and e.caption.startswith("sci among all teams")
    e.domain.value = OVERALL  # one team, overall: its per-domain table
    assert e.caption == "sci: Δ pass rate per domain vs ref"
    assert e.table["domain"].tolist() == [OVERALL, *D]
    html = e.output.outputs[1]["data"]["text/html"]
    assert "Sciences" in html and "<table" in html
    # calling the observer with a change re-renders from the controls' values
    pass_table = e.table.copy()
    e.metric.value = "reward"
    assert e.caption == "sci: Δ mean reward per domain vs ref" and not e.table.equals(pass_table)
    n = e.renders
    e._on_change({"name": "value", "old": "pass", "new": "reward", "owner": e.metric, "type": "change"})
    assert e.renders == n + 1
    # scores are computed once per metric
    assert set(e._scores) == {"pass", "reward"}
    e.metric.value = "pass"
    assert e.table.equals(pass_table) and set(e._scores) == {"pass", "reward"}


def test_a_failing_view_says_why_in_place(explorer, monkeypatch):
    def broken(*_):
        raise ValueError("no score for domain 'x'")

    monkeypatch.setattr(explorer, "view", broken)
    explorer.domain.value = "cybersecurity"
    assert explorer.table is None and explorer.caption.startswith("nothing to show")
    assert "no score for domain" in explorer.output.outputs[0]["data"]["text/html"]


def test_explore_loads_run_folders(tmp_path):
    for name, df in {"ref": trials(0.0, 0), "a": trials(0.2, 1)}.items():
        (tmp_path / name).mkdir()
        df.to_parquet(tmp_path / name / "trials.parquet")
    e = explore([tmp_path / "a"], tmp_path / "ref", n_resamples=200)
    assert e.baseline_name == "ref" and list(e.teams) == ["a"] and e.renders == 1
    with pytest.raises(ValueError, match="at least one team"):
        ScoreExplorer({}, trials(0.0, 0))


@pytest.mark.slow
def test_explorer_updates_inside_a_live_kernel(tmp_path):
    """The same observer path in a real ipykernel: the widget displays, a value change re-renders."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    for name, df in {"ref": trials(0.0, 0), "a": trials(0.2, 1)}.items():
        (tmp_path / name).mkdir()
        df.to_parquet(tmp_path / name / "trials.parquet")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"from arena.widgets import explore\ne = explore([{str(tmp_path / 'a')!r}], {str(tmp_path / 'ref')!r}, "
            "n_resamples=200)\ne"
        ),
        nbformat.v4.new_code_cell(
            "e.domain.value = 'sciences'\nprint(e.renders, e.caption, len(e.output.outputs))"
        ),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    shown = nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown
    assert nb.cells[1].outputs[0]["text"].strip() == "2 all teams: Δ pass rate on Sciences vs ref 2"
