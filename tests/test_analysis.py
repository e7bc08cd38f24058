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
    assert flags.to_dict("records") == [{"team": "hasty", "flag": "validate.nop-passes", "count": 1}]
    award = R.award()
    assert award.ranking.iloc[0]["team"] in {"bluefence", "polymath"} and award.caveats


def test_missing_layout_is_a_clear_error(tmp_path):
    with pytest.raises(ResultsError, match="eval/"):
        Results(tmp_path)
