import pandas as pd
import pytest

from arena.runfolder import RunStore, TrialResult, read_trials, row_to_result


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
    s = RunStore(tmp_path / "run")
    s.add(_res("a", 0))
    s.flush()
    (tmp_path / "run" / "trials.jsonl").unlink()  # a run folder produced elsewhere, no journal
    df = pd.read_parquet(tmp_path / "run" / "trials.parquet")
    df["reason"] = float("nan")  # e.g. written by a tool that stores missing text as NaN
    df.to_parquet(tmp_path / "run" / "trials.parquet", index=False)
    row = RunStore(tmp_path / "run").frame().to_dict("records")[0]
    r = row_to_result(row)
    assert r.reason is None and r.failure_kind is None and r.reward == 1.0


def test_a_second_process_writing_the_same_run_folder_is_refused_by_name(tmp_path):
    """Two `arena eval`s on one run folder would run and record trials twice: the second stops first."""
    import subprocess
    import sys

    from arena.runfolder import RunStore, RunStoreError

    store = RunStore(tmp_path / "run")
    again = RunStore(tmp_path / "run")  # the same process may hold several stores of one folder
    code = ("import sys; from arena.runfolder import RunStore, RunStoreError\n"
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

    from arena.runfolder import RunStore, RunStoreError, TrialResult

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


def test_status_and_failure_kind_are_str_enums_whose_values_are_written_unchanged(tmp_path):
    from arena.runfolder import FailureKind, Status

    s = RunStore(tmp_path / "run")
    s.add(TrialResult(task_id="a", agent="nop", status=Status.TIMEOUT, failure_kind=FailureKind.AGENT_TIMEOUT, reward=0.0))
    s.flush()
    s.close()
    df = pd.read_parquet(tmp_path / "run" / "trials.parquet")
    assert df["status"].tolist() == ["timeout"] and df["failure_kind"].tolist() == ["agent_timeout"]
    assert type(df["status"][0]) is str and f"{Status.TIMEOUT}" == "timeout"
    with pytest.raises(ValueError):  # a typo'd status fails when the row is made, not in the statistics
        TrialResult(task_id="a", agent="nop", status="timed_out").to_row()
    assert FailureKind.verifier_broken("missing_tool") == "verifier_missing_tool"
    with pytest.raises(ValueError):
        FailureKind.verifier_broken("bogus")


def test_one_counting_rule_for_rows_and_tables():
    from arena.runfolder import counted, counts

    table = pd.DataFrame({"status": ["ok", "timeout", "infra_error", "verifier_error", "ok"],
                          "reward": [1.0, 0.0, 0.0, 0.0, None]})  # fmt: skip
    assert counted(table).tolist() == [True, True, False, False, False]
    assert [counts(s, r) for s, r in zip(table["status"], [1.0, 0.0, 0.0, 0.0, None])] == counted(table).tolist()
    assert counted(table.drop(columns="status")).tolist() == [True] * 4 + [False]


def test_every_failure_kind_the_code_writes_is_a_member():
    """Literal failure kinds in arena's code (``failure_kind = "x"``, ``failure_kind="x"``, or a
    ``status, failure_kind = "s", "x"`` pair) are FailureKind members: the enum names them all."""
    import re
    from pathlib import Path

    from arena.runfolder import FailureKind, Status

    root = Path(__file__).resolve().parent.parent / "arena"
    found = set()
    for p in root.rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        found |= set(re.findall(r'failure_kind\s*=\s*"([a-z_]+)"(?!\s*,)', text))
        found |= set(re.findall(r'status, [\w.]*failure_kind(?:, [\w.]+)? = "[a-z_]+", "([a-z_]+)"', text))
        found |= set(re.findall(r'status="[a-z_]+", failure_kind="([a-z_]+)"', text))
    assert found, "the scan found no failure kind: the patterns are stale"
    assert found <= {k.value for k in FailureKind}, sorted(found - {k.value for k in FailureKind})
    assert not found & {s.value for s in Status}
