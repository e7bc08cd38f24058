"""The dynamic ladder: does each task really work?

Per task (after the static checks pass): the oracle scores 1.0 on 3 of 3 runs, the nop trial
scores < 1.0, and the verifier finishes inside its timeout (a warning when it needs more than
half of it).  Every rung that fails becomes a finding with the cause read from the logs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from arena.agents.base import NopAgent, OracleAgent
from arena.batch import TrialSpec, run_batch
from arena.corpus import check_paths
from arena.findings import Finding, error, warning
from arena.runfolder import RunStore, TrialResult
from arena.task import load_task

ORACLE_RUNS = 3
SLOW_FRACTION = 0.5


@dataclass
class ValidationReport:
    findings: list[Finding] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # one per task: the ladder's outcome
    results: list[TrialResult] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict:
        from arena.findings import summarize

        s = summarize(self.findings)
        s["tasks"] = len(self.rows)
        s["tasks_passed"] = sum(r["passed"] for r in self.rows)
        return {"findings": [f.to_dict() for f in self.findings], "tasks": self.rows, "summary": s}


def rewards_text(rewards) -> str:
    """Rewards for people: ``[1.0, 0.0, no reward]`` (never Python's None)."""
    return "[" + ", ".join("no reward" if x is None else f"{x:g}" for x in rewards) + "]"


def _unreachable(r: TrialResult) -> str | None:
    """The remote host the oracle's own output says it could not reach (its logs), or None."""
    from arena.diagnose import remote_host

    if not r.log_dir:
        return None
    text = ""
    for name in ("agent.stderr", "agent.stdout"):
        p = Path(r.log_dir) / name
        if p.is_file():
            text += p.read_text(encoding="utf-8", errors="replace")[-200_000:] + "\n"
    return remote_host(text)


def _why(r: TrialResult) -> str:
    bits = [f"status={r.status}", "reward=" + ("none" if r.reward is None else f"{r.reward:g}")]
    if r.failure_kind:
        bits.append(f"kind={r.failure_kind}")
    if r.reason:
        bits.append(r.reason)
    return "; ".join(bits)


def judge(task_path: str, task, results: list[TrialResult]) -> tuple[list[Finding], dict]:
    md = str(Path(task_path) / "task.md")
    oracle = sorted((r for r in results if r.agent == "oracle"), key=lambda r: r.sample)
    nop = [r for r in results if r.agent == "nop"]
    out: list[Finding] = []
    builds = [r for r in results if r.failure_kind == "build"]
    if builds:
        out.append(
            error("validate.build", str(Path(task_path) / "environment/Dockerfile"),
                  f"environment does not build: {builds[0].reason}", "fix the Dockerfile (see build.log in the run folder)")
        )  # fmt: skip
    else:
        passes = sum(r.reward == 1.0 and r.status == "ok" for r in oracle)
        host = _unreachable(oracle[0]) if passes == 0 and oracle else None
        if host is not None:
            online = task is not None and task.spec.environment.allow_internet
            out.append(
                error("validate.oracle-needs-network", md,
                      f"the oracle could not reach `{host}` and scored {rewards_text([x.reward for x in oracle])}: "
                      + ("the task allows the internet, but this machine cannot reach that host"
                         if online else "the network is off for this task (allow_internet: false)"),
                      "run it where the host is reachable, or make the oracle work from data in the package")
            )  # fmt: skip
        elif passes == 0:
            r = oracle[0] if oracle else None
            out.append(
                error("validate.oracle-fails", md, f"oracle scored {rewards_text([x.reward for x in oracle])} ({_why(r) if r else 'no run'})",
                      "make oracle/solve.sh produce what the verifier checks, with what the image has installed")
            )  # fmt: skip
        elif passes < len(oracle):
            bad = next(r for r in oracle if not (r.reward == 1.0 and r.status == "ok"))
            out.append(
                error("validate.oracle-flaky", md, f"oracle scored 1.0 on {passes} of {len(oracle)} runs ({_why(bad)})",
                      "remove nondeterminism (seeds, time, ordering) from the oracle or verifier")
            )  # fmt: skip
        for r in nop:
            if r.reward is not None and r.reward >= 1.0:
                out.append(
                    error("validate.nop-passes", md, "the empty (nop) trial scores 1.0: the verifier rewards doing nothing",
                          "check the agent's output, not the seed files; fail when the answer file is missing")
                )  # fmt: skip
            elif r.status not in ("ok",):
                out.append(warning("validate.nop-error", md, f"the nop trial did not score cleanly: {_why(r)}",
                                   "the verifier should write reward 0 when there is no answer"))  # fmt: skip
        limit = task.spec.verifier.timeout_sec if task else None
        for r in results:
            if r.failure_kind == "verifier_timeout":
                out.append(error("validate.verifier-timeout", md, r.reason or "verifier timed out",
                                 "make the verifier faster or raise verifier.timeout_sec"))  # fmt: skip
                break
        slow = max((r.verifier_sec for r in results if r.status == "ok"), default=0.0)
        if limit and slow > SLOW_FRACTION * limit:
            out.append(warning("validate.verifier-slow", md, f"verifier took {slow:.1f}s of its {limit:g}s budget",
                               "raise verifier.timeout_sec or speed the verifier up"))  # fmt: skip
    row = {
        "task_id": Path(task_path).name,
        "domain": task.domain if task else None,
        "oracle_rewards": [r.reward for r in oracle],
        "nop_reward": nop[0].reward if nop else None,
        "verifier_sec_max": round(max((r.verifier_sec for r in results), default=0.0), 3),
        "passed": not any(f.severity == "error" for f in out),
    }
    return out, row


def validate_paths(
    paths: list[str], *, runtime, workers: int = 1, out_dir: str | Path | None = None, oracle_runs: int = ORACLE_RUNS,
    progress: bool = True, executor=None,
) -> ValidationReport:  # fmt: skip
    report = ValidationReport()
    static = check_paths(paths)
    report.findings += static.general
    specs: list[TrialSpec] = []
    loaded = {}
    for tr in static.tasks:
        report.findings += tr.findings
        if not tr.ok:
            report.rows.append({"task_id": tr.task_id, "domain": tr.domain, "passed": False, "skipped": "static errors"})
            continue
        task, _ = load_task(tr.path)
        loaded[task.id] = (tr.path, task)
        specs += [TrialSpec(task, OracleAgent(), i, tr.team) for i in range(oracle_runs)]
        specs.append(TrialSpec(task, NopAgent(), 0, tr.team))
    store = RunStore(out_dir) if out_dir else None
    try:
        results = run_batch(specs, runtime, store=store, workers=workers, executor=executor,
                            progress="validate" if progress else False)  # fmt: skip
    finally:
        if store is not None:
            store.close()
    report.results = results
    by_task: dict[str, list[TrialResult]] = defaultdict(list)
    for r in results:
        by_task[r.task_id].append(r)
    for tid, (path, task) in loaded.items():
        f, row = judge(path, task, by_task.get(tid, []))
        report.findings += f
        report.rows.append(row)
    return report
