import pytest

from arena.reward import parse_reward


@pytest.mark.parametrize("txt", [b"1", b"1.0\n", b" 1.00 "])
def test_one_and_one_point_zero_are_equal(txt):
    assert parse_reward(txt, None).reward == 1.0


def test_json_side_info_and_metrics():
    r = parse_reward(b"0.5", b'{"reward": 0.5, "checks": {"a": true}, "n_ok": 3, "note": "x"}')
    assert r.reward == 0.5 and r.metrics == {"n_ok": 3.0}
    assert r.side_info == {"checks": {"a": True}, "note": "x"}


@pytest.mark.parametrize(
    "txt,js,needle",
    [
        (None, None, "no /logs/verifier/reward.txt"),
        (b"", None, "not a number"),
        (b"great", None, "not a number"),
        (b"nan", None, "not finite"),
        (b"inf", None, "not finite"),
        (b"1.0", b'{"reward": 0.0}', "disagree"[:4] if False else "says"),
        (None, b"[1, 2]", "must be an object"),
        (None, b'{"score": 1}', "no `reward`"),
        (None, b'{"reward": "NaN"}', "finite"),
    ],
)
def test_bad_reward_files_are_errors_not_zero(txt, js, needle):
    r = parse_reward(txt, js)
    assert r.reward is None
    assert needle in r.error


def test_json_only():
    assert parse_reward(None, b'{"reward": 0.25}').reward == 0.25


def test_named_rewards_need_a_declared_key_or_combination():
    """Harbor's multi-reward files: reward.json with named rewards and no `reward`."""
    js = b'{"accuracy": 1.0, "style": 0.5, "note": "ok"}'
    assert parse_reward(None, js).reward is None and "verifier.reward_key" in parse_reward(None, js).error
    assert parse_reward(None, js, "style").reward == 0.5
    assert parse_reward(None, js, "mean").reward == 0.75 and parse_reward(None, js, "min").reward == 0.5
    bad = parse_reward(None, js, "speed")
    assert bad.reward is None and "accuracy, style" in bad.error
    assert parse_reward(b"1", js, "style").reward == 1.0  # reward.txt still comes first
