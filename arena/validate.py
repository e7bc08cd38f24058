"""The dynamic ladder: does each task really work?

Per task (after the static checks pass): the oracle scores 1.0 on 3 of 3 runs, the nop trial
scores < 1.0, and the verifier finishes inside its timeout (a warning when it needs more than
half of it).  Every rung that fails becomes a finding with the cause read from the logs.
"""

from __future__ import annotations

import re
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


def _verifier_download(r: TrialResult) -> str | None:
    """What the verifier's own output says it could not download (its logs), or None."""
    from arena.diagnose import verifier_download

    if not r.log_dir:
        return None
    text = "".join(p.read_text(encoding="utf-8", errors="replace")[-200_000:] + "\n"
                   for p in (Path(r.log_dir) / n for n in ("verifier.stderr", "verifier.stdout")) if p.is_file())  # fmt: skip
    return verifier_download(text, scored=r.status == "ok" and r.reward is not None)


def _verifier_clue(r: TrialResult) -> str:
    """What the verifier's log of a failed oracle run says (a missing command, module, file…) and,
    when the task's image was stood in for (an alias note), which image: the likely cause."""
    from arena.diagnose import diagnose

    text = "".join(p.read_text(encoding="utf-8", errors="replace")[-200_000:] + "\n"
                   for p in (Path(r.log_dir or ".") / n for n in ("verifier.stdout", "verifier.stderr"))
                   if r.log_dir and p.is_file())  # fmt: skip
    d = diagnose(text)
    clue = f"; the verifier's log: {d[1]}" if d and d[1] not in (r.reason or "") else ""
    alias = next((n for n in r.notes or [] if "image alias" in str(n) or " -> arena-base" in str(n)), None)
    if alias and d:
        stood = re.sub(r"^line \d+: ", "", str(alias).split(" (")[0])
        clue += f"; the image was stood in for: {stood}"
    return clue


def _compose_services(task) -> list[str]:
    """The service names of the package's environment/docker-compose.y(a)ml (arena starts none of them)."""
    import yaml

    for name in ("docker-compose.yaml", "docker-compose.yml", "compose.yaml", "compose.yml"):
        p = task.paths.environment / name if task is not None else None
        if p is not None and p.is_file():
            try:
                doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError):
                return []
            return [str(k) for k in (doc.get("services") or {}) if k != "main"] if isinstance(doc, dict) else []
    return []


def _network_why(task, host: str) -> str:
    """Why a host could not be reached: a sidecar arena does not start, the task's network, or this machine."""
    services = _compose_services(task)
    if host.split(":")[0] in services:
        return (f"`{host.split(':')[0]}` is another container of environment/docker-compose.yaml; arena runs the task's "
                "one Dockerfile and starts no compose services")  # fmt: skip
    online = task is not None and task.spec.environment.allow_internet
    why = ("the task allows the internet, but this machine cannot reach that host" if online
           else "the network is off for this task (allow_internet: false)")  # fmt: skip
    if services:  # what it would have talked to next
        why += f"; environment/docker-compose.yaml also declares {', '.join(services)}, which arena does not start"
    return why


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
        fetch = _verifier_download(oracle[0]) if passes == 0 and oracle and host is None else None
        if host is not None:
            out.append(
                error("validate.oracle-needs-network", md,
                      f"the oracle could not reach `{host}` and scored {rewards_text([x.reward for x in oracle])}: "
                      + _network_why(task, host),
                      "run it where the host is reachable, or make the oracle work from data in the package")
            )  # fmt: skip
        elif fetch is not None and oracle[0].reward != 1.0:
            out.append(
                error("validate.verifier-needs-network", md,
                      f"the verifier downloads {fetch} from the internet when it runs and could not "
                      f"(oracle scored {rewards_text([x.reward for x in oracle])}): "
                      + _network_why(task, fetch.split("`")[1]),
                      "install what the verifier needs in environment/Dockerfile (arena's base image has pytest "
                      "8.4.1 + pytest-json-ctrf 0.3.5 and an offline uv/uvx), or run it where the host is reachable")
            )  # fmt: skip
        elif passes == 0 and oracle and oracle[0].failure_kind == "no_reward":
            out.append(
                error("validate.verifier-no-reward", md,
                      f"the verifier wrote no reward for the oracle ({_why(oracle[0])})",
                      "make verifier/test.sh write /logs/verifier/reward.txt (a number) or reward.json")
            )  # fmt: skip
        elif passes == 0 and oracle and (services := _compose_services(task)):
            out.append(
                error("validate.needs-compose-services", md,
                      f"oracle scored {rewards_text([x.reward for x in oracle])} ({_why(oracle[0])}); the task's "
                      f"environment/docker-compose.yaml declares {', '.join(services)}, other containers it talks "
                      "to, and arena builds only environment/Dockerfile (no compose services)",
                      "run it under Harbor with docker compose, or fold the service into environment/Dockerfile")
            )  # fmt: skip
        elif passes == 0:
            r = oracle[0] if oracle else None
            out.append(
                error("validate.oracle-fails", md, f"oracle scored {rewards_text([x.reward for x in oracle])} "
                      f"({_why(r) if r else 'no run'})" + (_verifier_clue(r) if r else ""),
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
