"""Benchmark: verifier-backed GRPO rewards against the same verifier scripts run bare; training speed.

  rewards  the GRPO reward function (arena.train.rewards.VerifierReward: one sandboxed trial per
           completion, TextAgent -> the task's verifier) over N completions with --workers, against
           `bash verifier/test.sh` run bare on the host with the same answers and the same number
           of workers (BENCHFLOW_* pointing at temp folders, the sandbox's interpreter), measured in
           the same run in alternating chunks of 32.  Both isolations: trial (a fresh sandbox per
           completion) and group (one fresh sandbox per GRPO group of 8, one verifier run each).
           Target: sandboxed rewards/s >= 0.8x bare rewards/s.
  training the tiny-cpu preset end to end on a generated corpus in this process: SFT and GRPO
           steps/s and the share of GRPO wall time spent computing rewards.

  python bench/bench_rewards.py [--n 256] [--workers 2] [--tasks 48] [--skip-training]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def make_corpus(root: Path, n_tasks: int) -> list:
    from arena import families
    from arena.corpus import load_tasks

    names = ["unit-convert", "invoice-total", "web-attack-type", "meter-delta"]
    per = max(1, n_tasks // len(names))
    for name in names:
        families.generate(name, per, 3, root, "easy")
    tasks, _ = load_tasks([root])
    return sorted(tasks, key=lambda t: t.id)


def completions(tasks, n: int) -> tuple[list[str], list[str]]:
    """n (task id, answer) pairs: right answers, wrong answers and garbage, like GRPO samples."""
    ids, texts = [], []
    for i in range(n):
        t = tasks[i % len(tasks)]
        truth = json.loads((t.paths.verifier / "expected.json").read_text())["answer"]
        texts.append([truth, "7", "the answer is 3", ""][i % 4])
        ids.append(t.id)
    return ids, texts


def bare_reward(task, text: str) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        ws, logs = Path(tmp) / "root", Path(tmp) / "logs"
        ws.mkdir()
        logs.mkdir()
        (ws / "answer.txt").write_text(text)
        # the interpreter the sandbox uses (its PATH starts with this one's folder), not a pyenv shim
        path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
        env = {**os.environ, "PATH": path, "BENCHFLOW_WORKSPACE": str(ws), "BENCHFLOW_VERIFIER_DIR": str(task.paths.verifier),
               "BENCHFLOW_REWARD_TEXT": str(logs / "reward.txt"), "BENCHFLOW_REWARD_JSON": str(logs / "reward.json")}  # fmt: skip
        subprocess.run(["bash", str(task.paths.test_sh)], env=env, capture_output=True, timeout=30)
        try:
            return float((logs / "reward.txt").read_text())
        except (OSError, ValueError):
            return None


def bench_rewards(tasks, n: int, workers: int, isolation: str = "trial", group: int = 8) -> dict:
    from arena.sandbox.local import LocalRuntime
    from arena.train.rewards import VerifierReward

    ids, texts = completions(tasks, n)
    if isolation == "group":  # GRPO order: `group` completions of one prompt after each other
        ids = [tasks[(i // group) % len(tasks)].id for i in range(n)]
    by_id = {t.id: t for t in tasks}
    if isolation == "group":
        texts = [[json.loads((by_id[i].paths.verifier / "expected.json").read_text())["answer"], "7", "x y", ""][k % 4]
                 for k, i in enumerate(ids)]  # fmt: skip
    fn = VerifierReward(tasks, LocalRuntime(), workers=workers, retries=1, isolation=isolation)
    fn(completions=texts[:workers], task_id=ids[:workers])  # warm up: prepare each environment once
    fn(completions=texts[:len(tasks)], task_id=ids[:len(tasks)])
    # alternate chunks of the two so that load from other processes hits both alike
    chunk = 32
    sandboxed, bare, t_sb, t_bare = [], [], 0.0, 0.0
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda p: bare_reward(by_id[p[0]], p[1]), list(zip(ids, texts))[:workers]))
        for c in range(0, n, chunk):
            cid, ctx = ids[c : c + chunk], texts[c : c + chunk]
            t0 = time.perf_counter()
            sandboxed += fn(completions=ctx, task_id=cid)
            t_sb += time.perf_counter() - t0
            t0 = time.perf_counter()
            bare += list(pool.map(lambda p: bare_reward(by_id[p[0]], p[1]), zip(cid, ctx)))
            t_bare += time.perf_counter() - t0
    agree = sum(a == b for a, b in zip(sandboxed, bare))
    return {
        "isolation": isolation, "completions": n, "workers": workers,
        "sandboxed_rewards_per_s": round(n / t_sb, 1), "bare_rewards_per_s": round(n / t_bare, 1),
        "ratio_vs_bare": round(t_bare / t_sb, 3), "same_reward": f"{agree}/{n}",
        "masked": sum(r is None for r in sandboxed),
    }  # fmt: skip


def bench_training(corpus: Path) -> dict:
    import shutil

    from arena.train.pipeline import train

    out = Path(tempfile.mkdtemp(prefix="arena-bench-train-"))
    try:
        t0 = time.perf_counter()
        card = train("tiny-cpu", [str(corpus)], out / "run1", progress=False)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        train("tiny-cpu", [str(corpus)], out / "run2", progress=False)
        second = time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    s, g = card["metrics"]["sft"], card["metrics"]["grpo"]
    return {
        "sft_steps": s["steps"], "sft_steps_per_s": s["steps_per_second"],
        "grpo_steps": g["steps"], "grpo_steps_per_s": g["steps_per_second"],
        "grpo_reward_time_share": g["reward_time_share"], "grpo_rewards_per_s": g["rewards"]["rewards_per_second"],
        "run_seconds_first_in_process": round(first, 1), "run_seconds_warm": round(second, 1),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=256, help="completions to score (default 256)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tasks", type=int, default=48, help="generated tasks in the corpus (default 48)")
    ap.add_argument("--skip-training", action="store_true", help="only the reward benchmark")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="arena-bench-corpus-") as tmp:
        tasks = make_corpus(Path(tmp), args.tasks)
        out = {}
        for iso in ("trial", "group"):
            r = bench_rewards(tasks, args.n, args.workers, iso)
            out[iso] = r
            print(f"rewards, isolation={iso}: {r['sandboxed_rewards_per_s']}/s sandboxed vs {r['bare_rewards_per_s']}/s "
                  f"bare ({args.workers} workers, {args.n} completions) = {r['ratio_vs_bare']}x of bare (target >= 0.8); "
                  f"same reward {r['same_reward']}, masked {r['masked']}")  # fmt: skip
        r = out
        if not args.skip_training:
            t = bench_training(Path(tmp))
            print(f"training (tiny-cpu, {len(tasks)} tasks): SFT {t['sft_steps_per_s']} steps/s ({t['sft_steps']} steps), "
                  f"GRPO {t['grpo_steps_per_s']} steps/s ({t['grpo_steps']} steps), rewards "
                  f"{100 * (t['grpo_reward_time_share'] or 0):.0f}% of GRPO time ({t['grpo_rewards_per_s']}/s); "
                  f"a whole run {t['run_seconds_first_in_process']} s first in the process, "
                  f"{t['run_seconds_warm']} s warm")  # fmt: skip
            r.update(t)
        print(json.dumps(r))


if __name__ == "__main__":
    main()
