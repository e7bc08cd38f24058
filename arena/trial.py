"""One trial's lifecycle → ``TrialResult``.

prepare (build/cached) → start sandbox → agent phase (with timeout) → harden (stop the agent's
processes, remove planted hooks, and move to a fresh machine holding only the agent's work as
``arena.sandbox.carry`` defines it) → verifier phase (``verifier/`` mounted at /verifier for that
one command only) → read reward files → result row.  Nothing in here raises
for a bad task, agent or verifier: every failure becomes a status, a failure kind and a reason.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from arena import harbor, uvshim
from arena.agents.base import Agent, OracleAgent
from arena.diagnose import diagnose, tail
from arena.multiturn import UserSimError, make_user, refusals, run_dialogue
from arena.runfolder import TrialResult
from arena.sandbox.base import SKILLS_DIR, Prepared, Runtime, SandboxError, skills_source
from arena.task import Task
from arena.transcript import SANDBOX_DIR, SANDBOX_PATH, TRANSCRIPT_FILE, Transcript
from arena.verdict import read_verifier, settle

VERIFIER_LOGS = "/logs/verifier"


def benchflow_env(task: Task, workdir: str, *, verifier_tools: bool = False) -> dict[str, str]:
    """The organizers' BENCHFLOW_* variables, so their packages run unchanged.  A verifier's own
    "install my test tools" step runs only where the task has internet and the image lacks them
    (``Prepared.verifier_tools``): offline it could not, and arena's images ship them."""
    return {
        "BENCHFLOW_WORKSPACE": workdir,
        "BENCHFLOW_VERIFIER_DIR": "/verifier",
        "BENCHFLOW_REWARD_TEXT": f"{VERIFIER_LOGS}/reward.txt",
        "BENCHFLOW_REWARD_JSON": f"{VERIFIER_LOGS}/reward.json",
        "BENCHFLOW_REWARD_DETAILS_JSON": f"{VERIFIER_LOGS}/ctrf.json",
        "BENCHFLOW_SKIP_VERIFIER_DEPS": "0" if task.spec.environment.allow_internet and not verifier_tools else "1",
        **({"BENCHFLOW_SKILLS_DIR": SKILLS_DIR} if skills_source(task.paths.environment) else {}),
    }


_ORACLE_OK: dict[tuple[str, str], bool] = {}
_ORACLE_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCK = threading.Lock()


def oracle_verifier_works(task: Task, runtime: Runtime, prepared: Prepared | None = None) -> bool:
    """Does this task's verifier give a reward on the oracle's output?  Checked once per task and
    runtime in this process (a real oracle trial), and only when some agent's verifier run failed:
    the attribution rule of ``arena.verdict`` needs it."""
    key = (task.digest, runtime.name)
    with _LOCK:
        lock = _ORACLE_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _ORACLE_OK:
            with tempfile.TemporaryDirectory(prefix="arena-oracle-check-") as logs:
                r = run_trial(task, OracleAgent(), runtime, prepared=prepared, log_dir=Path(logs))
            _ORACLE_OK[key] = r.status == "ok" and r.reward is not None
        return _ORACLE_OK[key]


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", errors="replace")


def _multiturn_preflight(task: Task, res: TrialResult):
    """(user simulator, refused?): a declared structure arena cannot honour, or a user model that does not
    load, ends the trial here with the reason, before any sandbox starts."""
    bad = refusals(task)
    if bad:
        res.status, res.failure_kind = "infra_error", "unsupported"
        res.reason = "; ".join(f"{f.message} ({f.rule})" for f in bad[:3])
        return None, True
    try:
        return make_user(task.spec.structure.user), False
    except UserSimError as exc:
        res.status, res.failure_kind, res.reason = "infra_error", "user_model", str(exc)
        return None, True


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
    sandbox = transcript = None
    structure = task.spec.structure
    try:
        if structure is not None:  # multi-turn: refuse what cannot be honoured before anything starts
            user, refused = _multiturn_preflight(task, res)
            if refused:
                return res
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
        env = benchflow_env(task, prepared.workdir, verifier_tools=prepared.verifier_tools)
        keep = task.spec.verifier.keep_services
        if keep and not sandbox.keeps_processes:  # refused before the agent runs, with the way out
            res.status, res.failure_kind = "infra_error", "unsupported"
            res.reason = (f"verifier.keep_services: the verifier checks processes the agent leaves running, but the "
                          f"{runtime.name} runtime ends every command's processes with it: run this task on docker")  # fmt: skip
            return res

        # -- agent phase ---------------------------------------------------------------------
        ta = time.perf_counter()
        try:
            if structure is not None:
                transcript = Transcript(f"{task.id}/{agent.name}/{sample}", agent.name, extra={"task_id": task.id,
                                        "private_facts": sorted(structure.user.private_facts) if structure.user else []})  # fmt: skip
                try:
                    out = run_dialogue(task, agent, sandbox, env=env, timeout=task.spec.agent.timeout_sec, user=user,
                                       transcript=transcript)  # fmt: skip
                except UserSimError as exc:
                    res.status, res.failure_kind, res.reason = "infra_error", "user_model", str(exc)
                    return res
            else:
                out = agent.run(sandbox, task, timeout=task.spec.agent.timeout_sec, env=env)
        except SandboxError as exc:
            res.status, res.failure_kind, res.reason = "infra_error", "agent_sandbox", str(exc)
            return res
        except Exception as exc:  # an agent bug is data about this trial, not a crash of the run
            res.status, res.failure_kind, res.reason = "infra_error", "agent_crash", f"{type(exc).__name__}: {exc}"
            return res
        res.agent_sec = time.perf_counter() - ta
        verifier_mounts = harbor.mount_points(task, "verifier")  # /verifier (+ /tests for Harbor scripts)
        if not isinstance(out.info, dict):
            out.info = {}
        doc = out.info.pop("transcript", None)  # an agent's own transcript (a harness's proxy record)
        if transcript is not None or doc is not None:
            doc = transcript.finish() if transcript is not None else doc
            (scratch / "arena-transcript").mkdir(exist_ok=True)
            for where in (scratch / "arena-transcript" / TRANSCRIPT_FILE, log_dir / TRANSCRIPT_FILE):
                where.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")
            res.side_info["transcript"] = TRANSCRIPT_FILE
            verifier_mounts[SANDBOX_DIR] = scratch / "arena-transcript"
            env = {**env, "ARENA_TRANSCRIPT": SANDBOX_PATH}
        _write(log_dir / "agent.stdout", out.stdout)
        _write(log_dir / "agent.stderr", out.stderr)
        if out.info:
            res.side_info["agent"] = out.info
        if out.timed_out:  # kept whatever the verifier reads afterwards (arena.verdict.settle)
            res.status, res.failure_kind = "timeout", "agent_timeout"
            res.reason = out.info.get("timeout_reason") or f"agent exceeded agent.timeout_sec = {task.spec.agent.timeout_sec:g}s"
        elif out.exit_code not in (0, None):
            d = diagnose(out.stderr + "\n" + out.stdout)
            res.side_info["agent_exit_code"] = out.exit_code
            res.failure_kind = f"agent_{d[0]}" if d else "agent_exit"
            res.reason = f"agent exited {out.exit_code}" + (f": {d[1]}" if d else f": {tail(out.stderr) or 'no output'}")
            if out.oom_killed:
                res.failure_kind = "agent_oom"
                res.reason = (f"agent exited {out.exit_code}: stopped by the memory limit "
                              f"(environment.memory_mb = {task.spec.environment.memory_mb})")  # fmt: skip

        # -- harden + verifier phase -------------------------------------------------------
        tv = time.perf_counter()
        try:
            removed = sandbox.harden(keep_processes=keep)
            vr = sandbox.exec(  # uv/uvx stand-ins last on PATH: Harbor's test.sh runs offline (arena.uvshim)
                uvshim.verifier_command(), timeout=task.spec.verifier.timeout_sec, env=env,
                mounts={**verifier_mounts, uvshim.MOUNT: uvshim.shim_dir()},
            )  # fmt: skip
        except SandboxError as exc:
            if out.timed_out:  # the agent's timeout stands; the verifier could not run after it
                res.reward = 0.0
                res.side_info["verifier_after_timeout"] = {"failure_kind": "verifier_sandbox", "reason": str(exc)}
            else:
                res.status, res.failure_kind, res.reason = "infra_error", "verifier_sandbox", str(exc)
            return res
        if removed:
            res.side_info["removed_planted_files"] = removed
        if sandbox.verifier_view is not None:  # what the verifier's fresh machine got (arena.sandbox.carry)
            res.side_info["verifier_view"] = sandbox.verifier_view.to_dict()
        if keep:
            res.notes.append("verifier.keep_services: the agent's processes kept running and the verifier ran in the "
                             "agent's machine (weaker isolation: the carry rule was not applied)")  # fmt: skip
        elif sandbox.stopped_processes:
            res.side_info["stopped_processes"] = sandbox.stopped_processes
            res.notes.append(f"stopped {sandbox.stopped_processes} process(es) the agent left running before the "
                             f"verifier; a task whose verifier checks a running service declares "
                             f"verifier.keep_services (docker)")  # fmt: skip
        if getattr(sandbox, "respawned", False):
            res.notes.append("the agent left its container unable to run commands; the verifier ran in a fresh "
                             "container of the same image with the workspace carried over")  # fmt: skip
        res.verifier_sec = time.perf_counter() - tv
        _write(log_dir / "verifier.stdout", vr.stdout)
        _write(log_dir / "verifier.stderr", vr.stderr)
        res.side_info["verifier_exit_code"] = vr.exit_code
        txt = sandbox.read_file(f"{VERIFIER_LOGS}/reward.txt", limit=4096)
        js = sandbox.read_file(f"{VERIFIER_LOGS}/reward.json", limit=1 << 20)
        for name, data in (("reward.txt", txt), ("reward.json", js)):
            if data is not None:
                (log_dir / name).write_bytes(data)
        outcome = read_verifier(timed_out=vr.timed_out, timeout_sec=task.spec.verifier.timeout_sec,
                                stdout=vr.stdout, stderr=vr.stderr, reward_txt=txt, reward_json=js,
                                reward_key=task.spec.verifier.reward_key)  # fmt: skip
        check = None if agent.name == "oracle" else (lambda: oracle_verifier_works(task, runtime, prepared))
        settle(res, outcome, agent_timed_out=out.timed_out, oracle_verifier_works=check)
        return res
    finally:
        if transcript is not None:  # partial or whole, the transcript is kept with the trial's logs
            try:
                transcript.finish(status=res.status)
                transcript.write(log_dir / TRANSCRIPT_FILE)
                res.side_info["transcript"] = TRANSCRIPT_FILE
            except OSError as exc:
                res.notes.append(f"transcript not written: {exc}")
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
