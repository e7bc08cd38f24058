"""Real trials on the local (bubblewrap) runtime: the reward contract, broken verifiers, resume.
Hostile agents are in tests/test_adversarial.py (both runtimes)."""

import json

import pytest

from arena.agents.base import NopAgent, OracleAgent, TextAgent
from arena.batch import TrialSpec, run_batch
from arena.cli.main import main
from arena.runfolder import RunStore
from arena.task import load_task
from arena.trial import run_trial
from arena.validate import validate_paths

pytestmark = pytest.mark.bwrap


def trial(root, agent, rt):
    task, _ = load_task(root)
    return run_trial(task, agent, rt)


def test_oracle_scores_one_nop_zero(make_task, local_runtime):
    root = make_task()
    r = trial(root, OracleAgent(), local_runtime)
    assert (r.status, r.reward) == ("ok", 1.0)
    assert r.side_info["verifier"]["checks"] == {"exists": True, "correct": True}
    assert r.metrics == {"n_checks": 2.0}
    n = trial(root, NopAgent(), local_runtime)
    assert (n.status, n.reward) == ("ok", 0.0)


def test_partial_credit_from_text_agent(make_task, local_runtime):
    root = make_task()
    assert trial(root, TextAgent("11"), local_runtime).reward == 0.25
    assert trial(root, TextAgent("12"), local_runtime).reward == 1.0


@pytest.mark.parametrize(
    "test_sh,kind",
    [
        ("#!/bin/bash\nexit 3\n", "no_reward"),
        ("#!/bin/bash\necho banana > /logs/verifier/reward.txt\n", "no_reward"),
        ("#!/bin/bash\nsleep 30\n", "verifier_timeout"),
        ("#!/bin/bash\nmkdir -p /logs/verifier\nnotapytest --ctrf x test_outputs.py\n"
         "[ $? -eq 0 ] && echo 1.0 > /logs/verifier/reward.txt || echo 0.0 > /logs/verifier/reward.txt\n",
         "verifier_missing_tool"),
    ],
)
def test_broken_verifiers_are_verifier_errors_with_a_reason(make_task, local_runtime, test_sh, kind):
    r = trial(make_task(test_sh=test_sh, verifier_timeout=2), OracleAgent(), local_runtime)
    assert r.status == "verifier_error" and r.reward is None
    assert r.failure_kind == kind and r.reason


def test_validate_ladder_catches_weak_verifier_and_flaky_oracle(make_task, local_runtime, tmp_path):
    good = make_task("good")
    weak = make_task("weak", test_sh="#!/bin/bash\nmkdir -p /logs/verifier; echo 1 > /logs/verifier/reward.txt\n")
    flaky = make_task("flaky", solve_sh="#!/bin/bash\n[ $(( $(date +%N) % 2 )) -eq 0 ] && echo 12 > /root/answer.txt; "
                                        "[ -f /root/answer.txt ] || echo 7 > /root/answer.txt\n")  # fmt: skip
    rep = validate_paths([str(good), str(weak), str(flaky)], runtime=local_runtime, workers=2,
                         out_dir=tmp_path / "run", oracle_runs=6, progress=False)  # fmt: skip
    rules = {(f.rule, f.path.split("/")[-2]) for f in rep.findings}
    assert ("validate.nop-passes", "weak") in rules
    assert not any(t == "good" for _, t in rules)
    flaky_rules = {r for r, t in rules if t == "flaky"}
    # 6 coin flips: all equal with probability 1/32; either way the ladder must not call it fine
    assert flaky_rules & {"validate.oracle-flaky", "validate.oracle-fails"}


def test_resume_skips_finished_trials(make_task, local_runtime, tmp_path):
    task, _ = load_task(make_task())
    store = RunStore(tmp_path / "run")
    specs = [TrialSpec(task, OracleAgent(), i) for i in range(3)]
    run_batch(specs[:2], local_runtime, store=store, progress=False)
    counted = []
    orig = local_runtime.start

    def counting_start(*a, **k):
        counted.append(1)
        return orig(*a, **k)

    local_runtime.start = counting_start
    try:
        res = run_batch(specs, local_runtime, store=RunStore(tmp_path / "run"), progress=False)
    finally:
        del local_runtime.start
    assert len(counted) == 1 and len(res) == 3 and all(r.reward == 1.0 for r in res)


def test_cli_run_json(make_task, local_runtime, capsys):
    root = make_task()
    assert main(["run", str(root), "--runtime", "local", "--repeat", "2", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["reward"] for r in rows] == [1.0, 1.0]
    assert {"task_id", "reward", "status", "agent", "sample", "domain"} <= set(rows[0])


def test_an_oracle_that_needs_a_remote_host_gets_a_finding_naming_it(make_task, local_runtime, tmp_path, capsys):
    """An oracle that looks things up online scores 0 offline: the finding names the host it could
    not reach (from the oracle's own output), not "make the oracle produce what the verifier checks";
    the text output shows no Python None."""
    from arena.diagnose import remote_host
    from arena.validate import rewards_text

    solve = ("#!/bin/bash\necho \"Error verifying DOI: HTTPSConnectionPool(host='api.crossref.org', port=443): Max retries "
             "exceeded (Caused by NameResolutionError: Failed to resolve 'api.crossref.org')\" >&2\necho 0 > /root/answer.txt\n")  # fmt: skip
    online = make_task("lookup", solve_sh=solve)
    rep = validate_paths([str(online)], runtime=local_runtime, out_dir=tmp_path / "v", oracle_runs=1, progress=False)
    f = {x.rule: x for x in rep.findings}
    assert "validate.oracle-needs-network" in f and "validate.oracle-fails" not in f, f
    assert "`api.crossref.org`" in f["validate.oracle-needs-network"].message
    assert "allow_internet: false" in f["validate.oracle-needs-network"].message
    assert remote_host("curl: (6) Could not resolve host: example.org") == "example.org"
    assert remote_host("all good") is None and rewards_text([1.0, None, 0.25]) == "[1, no reward, 0.25]"
    assert main(["validate", str(online), "--runtime", "local", "--out", str(tmp_path / "w"), "--oracle-runs", "1"]) == 1
    assert "None" not in capsys.readouterr().out


def test_under_the_rlimit_a_refused_allocation_is_the_memory_limit():
    """Without a writable cgroup (an unprivileged caller) the memory limit is an address-space
    rlimit: the program is not killed, its allocation fails, and the trial must still say agent_oom."""
    from arena.sandbox.limits import Limiter, allocation_failed

    lim = Limiter("arena-test-rlimit", memory_mb=64, pids=64)
    try:
        lim.mode = "rlimit"
        before = lim.oom_events()
        assert lim.hit_limit(before, 1, "Traceback (most recent call last):\n  ...\nMemoryError")
        assert lim.hit_limit(before, 134, "terminate called after throwing an instance of 'std::bad_alloc'")
        assert lim.hit_limit(before, 1, "bash: xmalloc: cannot allocate 1048576 bytes: Cannot allocate memory")
        assert not lim.hit_limit(before, 0, "MemoryError")  # exited 0: not a failure at all
        assert not lim.hit_limit(before, 1, "ValueError: bad input")
        lim.mode = "cgroup"  # a cgroup counts kills; the text alone proves nothing there
        assert not lim.hit_limit(lim.oom_events(), 1, "MemoryError")
    finally:
        lim.close()
    assert not allocation_failed("all good")
