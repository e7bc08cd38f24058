import pytest
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


def test_a_second_process_writing_the_same_run_folder_is_refused_by_name(tmp_path):
    """Two `arena eval`s on one run folder would run and record trials twice: the second stops first."""
    import subprocess
    import sys

    from arena.results import RunStore, RunStoreError

    store = RunStore(tmp_path / "run")
    again = RunStore(tmp_path / "run")  # the same process may hold several stores of one folder
    code = ("import sys; from arena.results import RunStore, RunStoreError\n"
            "try:\n    RunStore(sys.argv[1])\nexcept RunStoreError as e:\n    print(e); sys.exit(3)\n")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "run")], capture_output=True, text=True)
    assert r.returncode == 3 and str(tmp_path / "run") in r.stdout and "in use by another arena process" in r.stdout
    assert RunStore(tmp_path / "run", writer=False).frame().empty  # reading is always allowed
    store.close(), again.close()
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "run")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout  # released
    with pytest.raises(RunStoreError):
        raise RunStoreError("typed")


def test_a_full_disk_is_a_clear_error_and_loses_no_finished_trial(tmp_path):
    """A run folder on a tiny tmpfs: the trial that does not fit is refused with the folder named;
    every trial recorded before it is still there after a reload."""
    import os
    import subprocess

    from arena.results import RunStore, RunStoreError, TrialResult

    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "arena-test", str(mnt)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        store = RunStore(mnt / "run")
        recorded = []
        with pytest.raises(RunStoreError, match=r"cannot record trial .* in .*small/run/trials\.jsonl"):
            for i in range(10_000):
                r = TrialResult(task_id=f"t{i}", agent="oracle", sample=0, reward=1.0, reason="x" * 200)
                store.add(r)
                recorded.append(r.trial_key)
        store.close()
        again = RunStore(mnt / "run")
        assert set(recorded) <= again.done_keys() and len(again.done_keys()) == len(recorded)
        again.close()
    finally:
        subprocess.run(["umount", "-l", str(mnt)])
