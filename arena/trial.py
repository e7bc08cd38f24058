"""One trial's lifecycle → ``TrialResult``.

prepare (build/cached) → start sandbox → agent phase (with timeout) → harden (stop the agent's
processes, empty /logs/verifier, remove planted hooks) → verifier phase (``verifier/`` mounted at
/verifier for that one command only) → read reward files → result row.  Nothing in here raises
for a bad task, agent or verifier: every failure becomes a status, a failure kind and a reason.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from arena.agents.base import Agent
from arena.diagnose import VERIFIER_BROKEN, diagnose, tail
from arena.results import TrialResult
from arena.reward import parse_reward
from arena.sandbox.base import Prepared, Runtime, SandboxError
from arena.task import Task

VERIFIER_LOGS = "/logs/verifier"


def benchflow_env(task: Task, workdir: str) -> dict[str, str]:
    """The organizers' BENCHFLOW_* variables, so their packages run unchanged."""
    return {
        "BENCHFLOW_WORKSPACE": workdir,
        "BENCHFLOW_VERIFIER_DIR": "/verifier",
        "BENCHFLOW_REWARD_TEXT": f"{VERIFIER_LOGS}/reward.txt",
        "BENCHFLOW_REWARD_JSON": f"{VERIFIER_LOGS}/reward.json",
        "BENCHFLOW_REWARD_DETAILS_JSON": f"{VERIFIER_LOGS}/ctrf.json",
        "BENCHFLOW_SKIP_VERIFIER_DEPS": "0" if task.spec.environment.allow_internet else "1",
    }


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", errors="replace")


def run_trial(
    task: Task,
    agent: Agent,
    runtime: Runtime,
    *,
    sample: int = 0,
    log_dir: Path | None = None,
    prepared: Prepared | None = None,
    team: str | None = None,
) -> TrialResult:
    t_start = time.time()
    t0 = time.perf_counter()
    res = TrialResult(
        task_id=task.id, agent=agent.name, sample=sample, task_digest=task.digest, domain=task.domain,
        team=team, family=task.spec.metadata.family, runtime=runtime.name, started_at=t_start,
    )  # fmt: skip
    log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="arena-trial-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    res.log_dir = str(log_dir)
    scratch = Path(tempfile.mkdtemp(prefix=f"arena-trial-{os.getpid()}-"))  # pid: the janitor can tell orphans
    sandbox = None
    try:
        try:
            if prepared is None:
                prepared = runtime.prepare(task)
            res.notes = list(prepared.notes)
            sandbox = runtime.start(task, prepared, trial_dir=scratch)
        except SandboxError as exc:
            res.status, res.failure_kind = "infra_error", exc.kind if exc.kind != "infra" else "sandbox_start"
            res.reason = str(exc)
            if exc.log:
                _write(log_dir / "build.log", exc.log)
            return res
        res.setup_sec = time.perf_counter() - t0
        env = benchflow_env(task, prepared.workdir)

        # -- agent phase ---------------------------------------------------------------------
        ta = time.perf_counter()
        try:
            out = agent.run(sandbox, task, timeout=task.spec.agent.timeout_sec, env=env)
        except SandboxError as exc:
            res.status, res.failure_kind, res.reason = "infra_error", "agent_sandbox", str(exc)
            return res
        except Exception as exc:  # an agent bug is data about this trial, not a crash of the run
            res.status, res.failure_kind, res.reason = "infra_error", "agent_crash", f"{type(exc).__name__}: {exc}"
            return res
        res.agent_sec = time.perf_counter() - ta
        _write(log_dir / "agent.stdout", out.stdout)
        _write(log_dir / "agent.stderr", out.stderr)
        if out.info:
            res.side_info["agent"] = out.info
        if out.timed_out:
            res.status, res.failure_kind = "timeout", "agent_timeout"
            res.reason = f"agent exceeded agent.timeout_sec = {task.spec.agent.timeout_sec:g}s"
        elif out.exit_code not in (0, None):
            d = diagnose(out.stderr + "\n" + out.stdout)
            res.side_info["agent_exit_code"] = out.exit_code
            res.failure_kind = f"agent_{d[0]}" if d else "agent_exit"
            res.reason = f"agent exited {out.exit_code}" + (f": {d[1]}" if d else f": {tail(out.stderr)}")
            if out.oom_killed:
                res.failure_kind = "agent_oom"
                res.reason = (f"agent exited {out.exit_code}: killed by the memory limit "
                              f"(environment.memory_mb = {task.spec.environment.memory_mb})")  # fmt: skip

        # -- harden + verifier phase -------------------------------------------------------
        tv = time.perf_counter()
        try:
            removed = sandbox.harden()
            vr = sandbox.exec(
                "bash /verifier/test.sh", timeout=task.spec.verifier.timeout_sec, env=env,
                mounts={"/verifier": task.paths.verifier},
            )  # fmt: skip
        except SandboxError as exc:
            res.status, res.failure_kind, res.reason = "infra_error", "verifier_sandbox", str(exc)
            return res
        if removed:
            res.side_info["removed_planted_files"] = removed
        res.verifier_sec = time.perf_counter() - tv
        _write(log_dir / "verifier.stdout", vr.stdout)
        _write(log_dir / "verifier.stderr", vr.stderr)
        res.side_info["verifier_exit_code"] = vr.exit_code
        if vr.timed_out:
            res.status, res.failure_kind = "verifier_error", "verifier_timeout"
            res.reason = f"verifier exceeded verifier.timeout_sec = {task.spec.verifier.timeout_sec:g}s"
            return res
        txt = sandbox.read_file(f"{VERIFIER_LOGS}/reward.txt", limit=4096)
        js = sandbox.read_file(f"{VERIFIER_LOGS}/reward.json", limit=1 << 20)
        for name, data in (("reward.txt", txt), ("reward.json", js)):
            if data is not None:
                (log_dir / name).write_bytes(data)
        reading = parse_reward(txt, js)
        res.metrics = reading.metrics
        if reading.side_info:
            res.side_info["verifier"] = reading.side_info
        broken = diagnose(vr.stderr + "\n" + vr.stdout)
        if reading.error:
            res.status, res.failure_kind = "verifier_error", "no_reward"
            res.reason = reading.error + (f"; cause: {broken[1]}" if broken else f"; log: {tail(vr.stderr or vr.stdout)}")
            return res
        if broken and broken[0] in VERIFIER_BROKEN and reading.reward == 0.0:
            # the verifier could not judge (e.g. `pytest: command not found`) and wrote a 0 anyway
            res.status, res.failure_kind = "verifier_error", f"verifier_{broken[0]}"
            res.reason = f"verifier could not run: {broken[1]}"
            res.side_info["reported_reward"] = reading.reward
            return res
        res.reward = reading.reward
        return res
    finally:
        if sandbox is not None:
            try:
                sandbox.close()
            except Exception as exc:  # cleanup trouble is recorded, never raised
                res.notes.append(f"sandbox cleanup failed: {exc}")
        shutil.rmtree(scratch, ignore_errors=True)
        res.total_sec = time.perf_counter() - t0
        try:
            (log_dir / "result.json").write_text(json.dumps(res.to_row(), indent=1, default=str))
        except OSError:
            pass
