"""arena.leaderboard + `arena score --record` / `arena leaderboard`: records, atomic appends, torn
lines, CI-aware ties, and the page driven in headless chromium."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from arena.cli.main import main
from arena.leaderboard import append_records, board, read_records, render_leaderboard
from tests.browser_util import browser_page, visible_texts
from tests.test_score_cli import trials, write_run

SUITE = "s" * 64


def rec(team, delta, lo, hi, *, at="2026-01-01T00:00:00Z", suite=SUITE, status="ok"):
    return {"team": team, "run_id": f"{team}-run", "delta": delta, "ci": [lo, hi], "status": status, "baseline": "ref",
            "suite_digest": suite, "metric": "pass", "confidence": 0.95, "scored_at": at,
            "per_domain": {"sciences": {"delta": delta, "ci": [lo, hi]}}, "recipe_digest": "r" * 64}  # fmt: skip


@pytest.fixture
def runs(tmp_path):
    r = tmp_path / "runs"
    return {
        "ref": write_run(r, "ref", trials(0.0, 0)),
        "broad": write_run(r, "broad", trials(0.3, 1), recipe_digest="abc123", corpus_digest="def456"),
        "null": write_run(r, "null", trials(0.0, 3)),
    }


def test_score_record_appends_one_record_per_team(runs, tmp_path, capsys):
    records = tmp_path / "board" / "records.jsonl"
    argv = ["score", str(runs["broad"]), str(runs["null"]), "--baseline", str(runs["ref"]), "--resamples", "300",
            "--record", str(records)]  # fmt: skip
    assert main(argv) == 0 and main([*argv, "--json"]) == 0
    assert "2 leaderboard record(s) appended" in capsys.readouterr().err
    lines = records.read_text().splitlines()
    assert len(lines) == 4 and records.read_bytes().endswith(b"\n")
    r = json.loads(lines[0])
    assert r["team"] == "broad" and r["status"] == "ok" and r["baseline"] == "ref" and r["metric"] == "pass"
    assert r["ci"][0] <= r["delta"] <= r["ci"][1] and r["ci"][0] > 0.1
    assert len(r["per_domain"]) == 8 and set(r["per_domain"]["sciences"]) == {"delta", "ci"}
    assert (r["recipe_digest"], r["corpus_digest"]) == ("abc123", "def456") and len(r["suite_digest"]) == 64
    assert r["scored_at"].endswith("Z") and r["run_id"] == "broad" and r["rank_label"] == "1"


def test_torn_last_line_is_reported_repaired_and_cut_before_appending(tmp_path):
    path = tmp_path / "records.jsonl"
    append_records(path, [rec("a", 0.1, 0.0, 0.2), rec("b", 0.0, -0.1, 0.1)])
    with open(path, "ab") as fh:
        fh.write(b'{"team": "c", "delta": 0.')  # a writer killed mid-record
    res = read_records(path)
    assert [r["team"] for r in res.records] == ["a", "b"] and "torn last line" in res.problems[0]
    assert path.read_bytes().endswith(b"0.")  # reading alone changes nothing
    notes = append_records(path, [rec("d", 0.2, 0.1, 0.3)])
    assert notes and "cut a torn last line (25 bytes)" in notes[0]
    res = read_records(path)
    assert [r["team"] for r in res.records] == ["a", "b", "d"] and res.problems == []
    with open(path, "ab") as fh:
        fh.write(b'{"team": "e"')
    assert read_records(path, repair=True).repaired and read_records(path).problems == []


def _writer(args):
    path, k = args
    for i in range(40):
        append_records(path, [rec(f"w{k}-{i}", 0.0, -0.1, 0.1), rec(f"x{k}-{i}", 0.0, -0.1, 0.1)])


def test_concurrent_appends_never_interleave(tmp_path):
    path = str(tmp_path / "records.jsonl")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_writer, [(path, k) for k in range(4)])
    res = read_records(path)
    assert res.problems == [] and len(res.records) == 4 * 40 * 2
    teams = [r["team"] for r in res.records]
    assert all(teams[i][1:] == teams[i + 1][1:] for i in range(0, len(teams), 2))  # each pair stays together


def test_board_keeps_latest_per_team_on_the_newest_suite_and_ties_by_ci():
    records = [rec("alpha", 0.0, -0.1, 0.1, at="2026-01-01T00:00:00Z"),  # superseded by the next one
               rec("alpha", 0.20, 0.10, 0.30, at="2026-01-02T00:00:00Z"),
               rec("beta", 0.18, 0.12, 0.24, at="2026-01-02T00:00:00Z"),
               rec("gamma", 0.00, -0.05, 0.05, at="2026-01-02T00:00:00Z"),
               rec("old", 0.9, 0.8, 1.0, at="2025-12-01T00:00:00Z", suite="o" * 64)]  # another suite  # fmt: skip
    rows, key = board(records)
    assert key["suite_digest"] == SUITE
    assert [(r["team"], r["rank_label"], r["tie_group"]) for r in rows] == [("alpha", "1=", 1), ("beta", "1=", 1),
                                                                           ("gamma", "3", 2)]  # fmt: skip


def test_leaderboard_cli_reports_corrupt_lines(tmp_path, capsys):
    path = tmp_path / "records.jsonl"
    append_records(path, [rec("a", 0.1, 0.0, 0.2)])
    with open(path, "ab") as fh:
        fh.write(b"not json\n")
    assert main(["leaderboard", str(path), "--out", str(tmp_path / "site")]) == 1
    assert "records.jsonl:2: not a JSON record" in capsys.readouterr().err
    assert (tmp_path / "site" / "index.html").is_file()
    assert main(["leaderboard", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "s")]) == 2


@pytest.mark.browser
def test_page_sorts_and_filters_in_a_browser(tmp_path):
    records = [rec("alpha", 0.20, 0.10, 0.30), rec("beta", 0.18, 0.12, 0.24), rec("gamma", 0.00, -0.05, 0.05),
               rec("delta-team", -0.10, -0.20, -0.06, status="warning")]  # fmt: skip
    page_path = render_leaderboard(records, tmp_path / "site")
    html = page_path.read_text()
    assert "<script src" not in html and "<link" not in html and "http" not in html  # self-contained
    with browser_page() as page:
        page.goto(Path(page_path).as_uri())
        teams = lambda: visible_texts(page, '#board td[data-key="team"]')  # noqa: E731
        assert teams() == ["alpha", "beta", "gamma", "delta-team"]
        assert visible_texts(page, '#board td[data-key="rank"]') == ["1=", "1=", "3", "4"]
        page.click('#board th[data-key="delta"]')  # ascending Δ
        assert teams() == ["delta-team", "gamma", "beta", "alpha"]
        page.click('#board th[data-key="delta"]')  # descending
        assert teams() == ["alpha", "beta", "gamma", "delta-team"]
        page.fill('input.filter[data-key="team"]', "ta")
        assert teams() == ["beta", "delta-team"] and page.inner_text("#shown") == "2"
        page.fill('input.filter[data-key="team"]', "")
        page.select_option('select.filter[data-key="status"]', "warning")
        assert teams() == ["delta-team"]
        shot = tmp_path / "leaderboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert page.js_errors == []
    assert shot.stat().st_size > 5_000


def test_records_and_page_say_which_rule_and_interval(runs, tmp_path):
    from arena.leaderboard import rule_sentence

    records = tmp_path / "records.jsonl"
    base = ["score", str(runs["broad"]), "--baseline", str(runs["ref"]), "--resamples", "200", "--record", str(records)]
    assert main(base) == 0 and main([*base, "--rule", "gain-share"]) == 0
    org, gs = (json.loads(x) for x in records.read_text().splitlines())
    assert (org["rule"], org["cap"]) == ("organizers", 0.2) and "resamples of paired tasks" in org["interval"]
    assert gs["rule"] == "gain-share" and "domain-stratified" in gs["interval"]
    text = rule_sentence([org])
    assert "organizers' rule" in text and "water-filled to ≤ 20%" in text and "CI: 95% percentile bootstrap" in text
    mixed = rule_sentence([org, gs])
    assert "not the competition's rule" in mixed and "not comparable" in mixed
    page = render_leaderboard([org], tmp_path / "site").read_text()
    assert "water-filled" in page
