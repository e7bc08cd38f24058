import pandas as pd

from arena.results import RunStore, TrialResult, read_trials


def _res(task, sample, reward=1.0, status="ok"):
    return TrialResult(task_id=task, agent="oracle", sample=sample, reward=reward, status=status,
                       domain="sciences", task_digest="d")  # fmt: skip


def test_journal_and_parquet_roundtrip(tmp_path):
    s = RunStore(tmp_path / "run")
    s.add(_res("a", 0))
    s.add(_res("a", 1, None, "verifier_error"))
    s.flush()
    df = pd.read_parquet(tmp_path / "run" / "trials.parquet")
    assert set(["task_id", "domain", "sample", "agent", "reward", "status"]) <= set(df.columns)
    assert df["reward"].isna().sum() == 1
    assert RunStore(tmp_path / "run").done_keys() == {"a/oracle/0", "a/oracle/1"}


def test_torn_journal_line_is_skipped_and_reported(tmp_path):
    s = RunStore(tmp_path / "run")
    s.add(_res("a", 0))
    with open(tmp_path / "run" / "trials.jsonl", "a") as fh:
        fh.write('{"trial_key": "a/oracle/1", "task_')  # killed mid-write
    s2 = RunStore(tmp_path / "run")
    assert s2.done_keys() == {"a/oracle/0"}
    assert any("torn" in m for m in s2.repaired)


def test_corrupt_parquet_is_moved_aside_and_rebuilt_from_journal(tmp_path):
    s = RunStore(tmp_path / "run")
    s.add(_res("a", 0))
    s.flush()
    (tmp_path / "run" / "trials.parquet").write_bytes(b"PAR1 garbage")
    s2 = RunStore(tmp_path / "run")
    assert s2.done_keys() == {"a/oracle/0"}
    assert (tmp_path / "run" / "trials.parquet.corrupt").exists()
    assert len(read_trials(tmp_path / "run")) == 1


def test_changed_task_digest_is_not_done(tmp_path):
    s = RunStore(tmp_path / "run")
    s.add(_res("a", 0))
    assert s.done_keys({"a": "d"}) == {"a/oracle/0"}
    assert s.done_keys({"a": "other"}) == set()


def test_rows_read_back_from_parquet_alone_have_none_not_nan(tmp_path):
    from arena.batch import _row_to_result

    s = RunStore(tmp_path / "run")
    s.add(_res("a", 0))
    s.flush()
    (tmp_path / "run" / "trials.jsonl").unlink()  # a run folder produced elsewhere, no journal
    df = pd.read_parquet(tmp_path / "run" / "trials.parquet")
    df["reason"] = float("nan")  # e.g. written by a tool that stores missing text as NaN
    df.to_parquet(tmp_path / "run" / "trials.parquet", index=False)
    row = RunStore(tmp_path / "run").frame().to_dict("records")[0]
    r = _row_to_result(row)
    assert r.reason is None and r.failure_kind is None and r.reward == 1.0
