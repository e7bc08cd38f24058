"""isolation=group: the answers of one GRPO group scored in one fresh sandbox, one verifier run per
answer (/logs/verifier emptied and the answer file replaced in between)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from arena import harbor, uvshim
from arena.runfolder import TrialResult

GROUP_DIR = "/tmp/.arena-group"


_GROUP_DRIVER = r"""
import os, shutil, subprocess, sys, threading
g, answer, n, t = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
env = dict(os.environ, PATH=os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin") + ":" + sys.argv[5])
os.makedirs(os.path.dirname(answer) or "/", exist_ok=True)
for k in range(n):
    shutil.rmtree("/logs/verifier", ignore_errors=True)
    os.makedirs("/logs/verifier")
    shutil.copyfile(f"{g}/{k}.answer", answer)
    with open(f"{g}/{k}.out", "wb") as out, open(f"{g}/{k}.err", "wb") as err:
        p = subprocess.Popen(["bash", "/verifier/test.sh"], stdout=out, stderr=err, start_new_session=True, env=env)
        fired = []
        def kill(p=p, fired=fired):  # a timer, not wait(timeout=), which polls with sleeps of up to 50 ms
            fired.append(1)
            try:
                os.killpg(p.pid, 9)
            except OSError:
                pass
        timer = threading.Timer(t, kill)
        timer.start()
        rc = p.wait()
        timer.cancel()
        rc = 124 if fired else rc
    for f in ("reward.txt", "reward.json"):
        if os.path.isfile(f"/logs/verifier/{f}"):
            shutil.copyfile(f"/logs/verifier/{f}", f"{g}/{k}.{f}")
    with open(f"{g}/{k}.rc", "w") as fh:
        fh.write(str(rc))
    try:
        os.remove(answer)
    except OSError:
        pass
"""


def _group_script(answer_file: str, n: int, timeout: float) -> str:
    """One sandbox command that scores n staged answers in turn (a small Python driver: few forks)."""
    import shlex

    return (f"python3 -S -c {shlex.quote(_GROUP_DRIVER)} {GROUP_DIR} {shlex.quote(answer_file)} {n} "
            f"{max(1.0, float(timeout))} {uvshim.MOUNT}")  # fmt: skip


def group_trial(task, texts: list[str], runtime, prepared, *, agent_name: str, timeout: float) -> list[TrialResult]:
    """Score several answers to one task in one fresh sandbox, one verifier run per answer.

    The answer-mode agent executes nothing (it only writes the answer file), so the answers of
    one GRPO group can share a sandbox: each answer is copied in turn to the answer file, the
    verifier runs on it (with its own timeout) after /logs/verifier is emptied, and its reward
    files are read back.  Saves the sandbox start/exec overhead per answer (see bench_rewards).
    """
    import shutil
    import tempfile

    from arena.diagnose import tail
    from arena.sandbox.base import SandboxError
    from arena.trial import benchflow_env, oracle_verifier_works
    from arena.verdict import read_verifier, settle

    base = dict(task_id=task.id, agent=agent_name, task_digest=task.digest, domain=task.domain,
                family=task.spec.metadata.family, runtime=runtime.name)  # fmt: skip
    results = [TrialResult(sample=k, **base) for k in range(len(texts))]
    scratch = Path(tempfile.mkdtemp(prefix="arena-group-"))
    sandbox = None
    t0 = time.perf_counter()
    try:
        try:
            sandbox = runtime.start(task, prepared, trial_dir=scratch)
            for k, text in enumerate(texts):
                sandbox.write_file(f"{GROUP_DIR}/{k}.answer", text.encode("utf-8"))
            sandbox.harden(fresh=False)  # only the harness wrote files: nothing to isolate from
            env = benchflow_env(task, prepared.workdir, verifier_tools=prepared.verifier_tools)
            script = _group_script(task.spec.agent.answer_file, len(texts), timeout)
            r = sandbox.exec(script, timeout=(timeout + 5) * len(texts) + 10, env=env,
                             mounts={**harbor.mount_points(task, "verifier"), uvshim.MOUNT: uvshim.shim_dir()})  # fmt: skip
        except SandboxError as exc:
            for res in results:
                res.status, res.failure_kind, res.reason = "infra_error", "sandbox_start", str(exc)
            return results
        per = (time.perf_counter() - t0) / max(1, len(texts))
        for k, res in enumerate(results):
            res.total_sec = res.verifier_sec = per
            rc_raw = sandbox.read_file(f"{GROUP_DIR}/{k}.rc", limit=64)
            if rc_raw is None:
                res.status, res.failure_kind = "infra_error", "group_exec"
                res.reason = "the group command ended before this answer was scored" + (
                    " (timed out)" if r.timed_out else f": {tail(r.stderr)}")
                continue
            rc = int(rc_raw.decode().strip() or 0)
            res.side_info["verifier_exit_code"] = rc
            out = (sandbox.read_file(f"{GROUP_DIR}/{k}.out", limit=1 << 16) or b"").decode("utf-8", "replace")
            err = (sandbox.read_file(f"{GROUP_DIR}/{k}.err", limit=1 << 16) or b"").decode("utf-8", "replace")
            outcome = read_verifier(timed_out=rc in (124, 137), timeout_sec=timeout, stdout=out, stderr=err,
                                    reward_txt=sandbox.read_file(f"{GROUP_DIR}/{k}.reward.txt", limit=4096),
                                    reward_json=sandbox.read_file(f"{GROUP_DIR}/{k}.reward.json", limit=1 << 20),
                                    reward_key=task.spec.verifier.reward_key)  # fmt: skip
            settle(res, outcome, oracle_verifier_works=lambda: oracle_verifier_works(task, runtime, prepared))
        return results
    finally:
        # tear down in the background: closing waits for the sandbox's processes to be gone (polling)
        # and removes its files, which the next group need not wait for
        def cleanup(sb=sandbox):
            if sb is not None:
                try:
                    sb.close()
                except Exception:  # noqa: BLE001 - cleanup trouble never fails the rewards
                    pass
            shutil.rmtree(scratch, ignore_errors=True)

        threading.Thread(target=cleanup, name="arena-group-cleanup").start()


def score_group(item, *, runtime, retries: int, timeout: float, agent_name: str):
    """isolation=group, one task: ``item`` is (task, sample indexes, answers); returns (indexes,
    results).  Prepares through the batch prepare cache and retries infrastructure failures.
    Module-level and picklable, so a distributed executor can ship it to its workers."""
    from arena.batch import _cache_for
    from arena.sandbox.base import SandboxError

    task, idx, texts = item
    for _attempt in range(retries + 1):
        try:
            prepared = _cache_for(runtime).get(task)
        except SandboxError as exc:
            return idx, [TrialResult(task_id=task.id, agent=agent_name, sample=i, status="infra_error",
                                     failure_kind="build", reason=str(exc)) for i in idx]  # fmt: skip
        got = group_trial(task, texts, runtime, prepared, agent_name=agent_name,
                          timeout=min(timeout, task.spec.verifier.timeout_sec))  # fmt: skip
        if not any(r.status == "infra_error" for r in got):
            break
    for r, i in zip(got, idx):
        r.sample = i
    return idx, got
