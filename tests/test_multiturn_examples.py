"""The multi-turn example tasks (environments/examples/ packages that declare scenes): clean under
`arena check`, seed data reproduced by the generator, `arena validate` passes them on local and
docker (oracle 1.0 x3, nop < 1.0), and skipping the structure (not asking the requester, no
hand-off) costs credit."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from arena.agents.base import ScriptAgent
from arena.checks import check_task
from arena.task import load_task
from arena.trial import run_trial
from arena.validate import validate_paths

EXAMPLES = Path(__file__).resolve().parent.parent / "environments" / "examples"
TASKS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "task.md").is_file() and "\nscenes:" in (p / "task.md").read_text())


def test_there_are_two_multiturn_examples_and_both_declare_structure():
    assert TASKS == ["office-expense-clarify", "security-handoff-contain"]
    for name in TASKS:
        task, _ = load_task(EXAMPLES / name)
        assert task.spec.structure is not None and len(task.spec.structure.scenes) == 2


@pytest.mark.parametrize("name", TASKS)
def test_check_has_no_findings(name):
    _, findings = check_task(EXAMPLES / name)
    assert findings == []


@pytest.mark.parametrize("name", TASKS)
def test_generator_reproduces_seed_data(name, tmp_path):
    env = EXAMPLES / name / "environment"
    subprocess.run([sys.executable, str(env / "generate_data.py"), "--out", str(tmp_path)], check=True)
    seed = next(p for p in env.iterdir() if p.is_dir())
    for f in tmp_path.iterdir():
        assert filecmp.cmp(f, seed / f.name, shallow=False), f"{name}: {f.name} differs from the committed seed"
        assert filecmp.cmp(f, EXAMPLES / name / "verifier" / "data" / f.name, shallow=False)


def _validate(runtime, tmp_path):
    rep = validate_paths([str(EXAMPLES / n) for n in TASKS], runtime=runtime, out_dir=tmp_path / "run", progress=False)
    rows = {r["task_id"]: r for r in rep.rows}
    for name in TASKS:
        assert rows[name]["oracle_rewards"] == [1.0, 1.0, 1.0], rows[name]
        assert rows[name]["nop_reward"] < 1.0 and rows[name]["passed"], rows[name]
    assert not rep.has_errors, [f.render() for f in rep.findings]
    assert all(r.side_info.get("transcript") == "trajectory.json" for r in rep.results)


def test_validate_local(local_runtime, tmp_path):
    _validate(local_runtime, tmp_path)


@pytest.mark.docker
def test_validate_docker(docker_runtime, tmp_path):
    _validate(docker_runtime, tmp_path)


def test_not_asking_the_requester_costs_the_totals(local_runtime, tmp_path):
    # closes the intake at once, then totals every category (the hidden exclusion is never learnt)
    cmd = r"""if [ "$ARENA_SCENE" = intake ]; then echo "OK, that's all I need." > "$ARENA_REPLY_FILE"; else
python3 - <<'PY'
import csv, collections
t = collections.defaultdict(int)
for r in csv.DictReader(open('/root/expenses/expenses.csv')):
    e, c = r['amount_eur'].split('.'); t[r['employee']] += int(e) * 100 + int(c)
with open('/root/report.csv', 'w') as fh:
    fh.write('employee,total_eur\n')
    for k in sorted(t): fh.write(f'{k},{t[k] // 100}.{t[k] % 100:02d}\n')
PY
fi"""
    task, _ = load_task(EXAMPLES / "office-expense-clarify")
    r = run_trial(task, ScriptAgent(cmd, name="hasty"), local_runtime, log_dir=tmp_path / "h")
    assert r.status == "ok" and r.reward == pytest.approx(0.5)  # rows 0.3 + consulted 0.2; totals wrong


def test_a_responder_without_a_hand_off_loses_the_hand_off_credit(local_runtime, tmp_path):
    # the analyst stays silent and does the containment itself: outputs right, hand-off missing
    task, _ = load_task(EXAMPLES / "security-handoff-contain")
    solve = (EXAMPLES / "security-handoff-contain" / "oracle" / "solve.sh").read_text()
    quiet = ScriptAgent(f'if [ "$ARENA_ROLE" = analyst ]; then ARENA_ROLE=both ARENA_REPLY_FILE= bash <<\'SOLVE\'\n{solve}\nSOLVE\nfi',
                        name="quiet")  # fmt: skip
    r = run_trial(task, quiet, local_runtime, log_dir=tmp_path / "q")
    assert r.status == "ok" and r.reward == pytest.approx(0.6)  # blocklist 0.3 + locks 0.3; no hand-off
