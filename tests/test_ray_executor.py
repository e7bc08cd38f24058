"""The Ray executor (a local cluster bound to 127.0.0.1) gives the same results as the local pool,
with the same resumability."""

import pytest

from arena.agents.base import NopAgent, OracleAgent
from arena.batch import TrialSpec, run_batch
from arena.results import RunStore
from arena.task import load_task

pytestmark = [pytest.mark.slow, pytest.mark.bwrap]
ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def executor():
    from arena.executors import RayExecutor

    ex = RayExecutor(workers=2)
    yield ex
    ex.shutdown()


def test_ray_matches_the_local_pool_and_resumes(make_task, local_runtime, tmp_path, executor):
    tasks = [load_task(make_task(f"t{i}"))[0] for i in range(3)]
    weak = load_task(make_task("weak", test_sh="#!/bin/bash\nmkdir -p /logs/verifier; echo 1 > /logs/verifier/reward.txt\n"))[0]
    specs = [TrialSpec(t, a, 0) for t in [*tasks, weak] for a in (OracleAgent(), NopAgent())]
    pool = run_batch(specs, local_runtime, store=RunStore(tmp_path / "pool"), workers=2, progress=False)
    on_ray = run_batch(specs[:5], local_runtime, store=RunStore(tmp_path / "ray"), executor=executor, progress=False)
    assert len(on_ray) == 5
    on_ray = run_batch(specs, local_runtime, store=RunStore(tmp_path / "ray"), executor=executor, progress=False)

    def table(rs):
        return sorted((r.task_id, r.agent, r.status, r.reward) for r in rs)

    assert table(on_ray) == table(pool)
    assert ("weak", "nop", "ok", 1.0) in table(on_ray)
    assert (tmp_path / "ray" / "trials" / "t0" / "oracle-0" / "result.json").exists()  # logs written by workers
