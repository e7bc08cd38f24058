"""The results-folder facade on planted effects."""

import pytest

from arena.analysis import Results, ResultsError
from tests.results_fixture import make_results

pytest.importorskip("datasketch")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("results"))


def test_scores_find_the_planted_lift_and_the_control_stays_null(results):
    R = Results(results, resamples=2000)
    scores, board = R.scores()
    cyber = scores[(scores.team == "bluefence") & (scores.domain == "cybersecurity")].iloc[0]
    assert cyber.ci_low > 0.3
    ctrl = scores[(scores.team == "baseline-reseed") & (scores.domain == "overall")].iloc[0]
    assert ctrl.ci_low < 0 < ctrl.ci_high
    assert set(board.team) == {"bluefence", "polymath", "parrot", "baseline-reseed"}


def test_transfer_diagonal_beats_off_diagonal(results):
    table, summary = Results(results, resamples=1000).transfer()
    diag = table[table.train_domain == table.eval_domain]
    off = table[table.train_domain != table.eval_domain]
    assert diag.delta.mean() > 0.4 and abs(off.delta.mean()) < 0.1
    assert len(table) == 64 and summary is not None


def test_learnability_validation_award(results):
    R = Results(results, resamples=1000)
    tasks, profile = R.learnability("polymath")
    sci = profile[profile.domain == "sciences"].iloc[0]
    assert sci.share_outside_band == 1.0  # planted: sciences always fails
    flags = R.validation_flags()
    assert flags[["team", "flag", "count"]].to_dict("records") == [{"team": "hasty", "flag": "validate.nop-passes", "count": 1}]
    assert flags["detail"].tolist() == ["excluded from training: t1"]
    award = R.award()
    assert award.ranking.iloc[0]["team"] in {"bluefence", "polymath"} and award.caveats


def test_missing_layout_is_a_clear_error(tmp_path):
    with pytest.raises(ResultsError, match="eval/"):
        Results(tmp_path)


def test_validation_flags_are_one_rule_for_the_report_and_the_notebooks():
    """exclusion_flags counts the tasks an error rule excluded, per team entry: two findings of one
    rule on one task count once, warnings and the reference corpus count nothing, and the
    showcase's selection and validate.json's findings give the same table."""
    from arena.validation_tables import exclusion_flags, team_exclusions

    f = lambda path, rule, sev="error": {"path": path, "rule": rule, "severity": sev, "message": "m", "fix": "f"}  # noqa: E731
    findings = [f("environments/teams/hasty/a/task.md", "r1"), f("environments/teams/hasty/a/oracle/solve.sh", "r1"),
                f("environments/teams/hasty/b/environment/Dockerfile", "r1"), f("environments/teams/hasty/c/task.md", "r2"),
                f("environments/teams/hasty/d/task.md", "r3", "warning"), f("environments/reference/e/task.md", "r1")]  # fmt: skip
    ex = team_exclusions(findings)
    assert ex == {"hasty": {"a": ["r1"], "b": ["r1"], "c": ["r2"]}}
    table = exclusion_flags(ex)
    assert table.to_dict("records") == [
        {"team": "hasty", "flag": "r1", "count": 2, "detail": "excluded from training: a, b"},
        {"team": "hasty", "flag": "r2", "count": 1, "detail": "excluded from training: c"},
    ]
    assert exclusion_flags({"polymath": {}, **ex}).equals(table)  # a team with nothing excluded adds no row
