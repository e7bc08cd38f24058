"""The hand-authored example tasks (environments/examples/): one per domain, each clean under
`arena check`, solved by its oracle (1.0), not by doing nothing, and not by the usual cheats
(an empty answer, a copied input file, the prompt's example, the right keys with wrong values);
one realistic slip costs some credit but not all; each generator reproduces the committed seed
data byte for byte, and the pytest view of every verifier passes on the oracle's answer."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arena import domains
from arena.agents.base import NopAgent, OracleAgent, ScriptAgent
from arena.checks import check_task
from arena.task import load_task
from arena.trial import benchflow_env, run_trial

EXAMPLES = Path(__file__).resolve().parent.parent / "environments" / "examples"
#: the single-turn examples (the multi-turn ones, which declare scenes, have tests/test_multiturn_examples.py)
TASKS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "task.md").is_file()
               and "\nscenes:" not in (p / "task.md").read_text())  # fmt: skip
SHAPE_ONLY_MAX = 0.25  # a well-formed file with made-up content earns at most this much


def _grade_module(name: str):
    """The task's verifier/grade.py, imported under a unique module name."""
    path = EXAMPLES / name / "verifier" / "grade.py"
    spec = importlib.util.spec_from_file_location(f"example_grade_{name.replace('-', '_')}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _seed_dir(name: str) -> str:
    """The one folder the Dockerfile copies into /root (e.g. ``lab``)."""
    text = (EXAMPLES / name / "environment" / "Dockerfile").read_text()
    found = re.findall(r"^COPY\s+(\S+)/\s+/root/\1/\s*$", text, re.MULTILINE)
    assert len(found) == 1, f"{name}: expected exactly one `COPY <dir>/ /root/<dir>/`"
    return found[0]


def _prompt_example(name: str) -> str:
    task, _ = load_task(EXAMPLES / name)
    block = re.search(r"```json\n(.*?)```", task.spec.prompt, re.DOTALL)
    assert block, f"{name}: the prompt shows no JSON example"
    json.loads(block.group(1))  # the shown schema is itself valid JSON
    return block.group(1)


def _trial(name: str, agent, rt):
    task, _ = load_task(EXAMPLES / name)
    return run_trial(task, agent, rt)


def _heredoc(tag: str, body: str) -> str:
    assert f"\n{tag}\n" not in body
    return f"<<'{tag}'\n{body.rstrip()}\n{tag}\n"


# --------------------------------------------------------------------------- static


def test_one_example_per_domain():
    seen = {}
    for name in TASKS:
        task, _ = load_task(EXAMPLES / name)
        seen.setdefault(task.domain, []).append(name)
    assert sorted(seen) == sorted(d.id for d in domains.DOMAINS), seen
    assert all(len(v) == 1 for v in seen.values()), seen


def test_readme_lists_every_example():
    readme = (EXAMPLES / "README.md").read_text()
    for name in TASKS:
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize("name", TASKS)
def test_check_has_no_findings(name):
    task, findings = check_task(EXAMPLES / name)
    assert task is not None
    assert [f.render() for f in findings] == []


@pytest.mark.parametrize("name", TASKS)
def test_generator_reproduces_seed_data(name, tmp_path):
    root = EXAMPLES / name
    out = tmp_path / "regen"
    subprocess.run([sys.executable, str(root / "environment" / "generate_data.py"), "--out", str(out)], check=True)
    for committed in (root / "environment" / _seed_dir(name), root / "verifier" / "data"):
        regen = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
        have = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
        assert regen == have, f"{committed}: file lists differ"
        _, mismatch, errors = filecmp.cmpfiles(out, committed, [str(p) for p in regen], shallow=False)
        assert mismatch == [] and errors == [], f"{committed}: bytes differ in {mismatch or errors}"


@pytest.mark.parametrize("name", TASKS)
def test_weights_and_checks_line_up(name):
    g = _grade_module(name)
    assert list(g.CHECKS) == [n for n in g.WEIGHTS if n != "output_is_json_object"]
    assert all(isinstance(w, int) and w > 0 for w in g.WEIGHTS.values())
    # a well-formed but empty report can never reach more than a small share
    assert (g.WEIGHTS["output_is_json_object"] + g.WEIGHTS["schema"]) / sum(g.WEIGHTS.values()) <= SHAPE_ONLY_MAX


# --------------------------------------------------------------------------- trials (bubblewrap)


def _cheats(name: str) -> dict[str, str]:
    g = _grade_module(name)
    out = f"/root/{g.OUTPUT}"
    seed = _seed_dir(name)
    oracle = (EXAMPLES / name / "oracle" / "solve.sh").read_text()
    # the oracle's own answer with every value replaced but every key and list shape kept
    perturb = f"""
import json
def bend(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return type(v)(v * 3 + 7)
    if isinstance(v, str):
        return "x" + v[::-1]
    if isinstance(v, list):
        return [bend(x) for x in v[:1]]
    if isinstance(v, dict):
        return {{k: bend(x) for k, x in v.items()}}
    return v
doc = json.load(open("{out}"))
json.dump(bend(doc), open("{out}", "w"))
"""
    return {
        "empty_object": f"echo '{{}}' > {out}",
        "copied_input": f"f=$(find /root/{seed} -type f | sort | head -n 1); cp \"$f\" {out}",
        "prompt_example": f"cat > {out} " + _heredoc("EXAMPLE_EOF", _prompt_example(name)),
        "keys_wrong_values": "bash -s " + _heredoc("ORACLE_EOF", oracle) + "python3 - " + _heredoc("BEND_EOF", perturb),
    }


@pytest.mark.bwrap
@pytest.mark.parametrize("name", TASKS)
def test_oracle_scores_one_and_nop_does_not(name, local_runtime):
    r = _trial(name, OracleAgent(), local_runtime)
    assert (r.status, r.reward) == ("ok", 1.0), (r.status, r.reward, r.reason)
    checks = r.side_info["verifier"]["checks"]
    assert checks and all(checks.values())
    n = _trial(name, NopAgent(), local_runtime)
    assert n.status == "ok" and n.reward == 0.0, (n.status, n.reward, n.reason)


@pytest.mark.bwrap
@pytest.mark.parametrize("name", TASKS)
def test_cheats_score_well_below_one(name, local_runtime):
    scores = {}
    for label, command in _cheats(name).items():
        r = _trial(name, ScriptAgent(command, name=label), local_runtime)
        assert r.status == "ok", (label, r.status, r.reason)
        scores[label] = r.reward
    assert all(s <= SHAPE_ONLY_MAX for s in scores.values()), scores


# one realistic slip per task, applied to the oracle's answer: it must cost some credit, not all
MISTAKES = {
    "bank-ledger-reconcile": (  # books check 1042 as matched despite the amount difference
        "m = doc['amount_mismatches'].pop(); "
        "doc['matches'].append({'bank_txn': m['bank_txn'], 'ledger_entries': [m['ledger_entry']], 'rule': 'check'})"
    ),
    "checkpoint-early-stop-select": (  # ships the best-accuracy checkpoint without verifying its checksum
        "doc['selected'] = {'step': 3500, 'file': 'checkpoints/ckpt-03500.bin', "
        "'val_loss': doc['selected']['val_loss'], 'val_accuracy': doc['selected']['val_accuracy']}"
    ),
    "contact-list-merge": "[c.update(company='') for c in doc['contacts']]",  # forgets the company rule
    "edl-timeline-audit": "doc['duration_mismatches'] = sorted(doc['duration_mismatches'] + ['008'])",  # no M2 exemption
    "meter-interval-reconcile": (  # trusts the interval total without the register check
        "[m.update(status='ok') for m in doc['meters'].values()]; doc['meters_to_investigate'] = []"
    ),
    "regression-bisect-snapshots": "[e.update(skipped=[]) for e in doc['failing_tests']]",  # ignores untestable commits
    "titration-vinegar-assay": (  # keeps the air-bubble replicate
        "[r.update(accepted=True) for n, r in doc['runs'].items() if n.startswith('vinegar')]; "
        "doc['accepted_replicates'] = sorted(n for n in doc['runs'] if n.startswith('vinegar'))"
    ),
    "waf-account-takeover": (  # a failure-count-only rule that also blames the office NAT
        "doc['attacker_ips'].insert(0, {'ip': '192.0.2.10', 'failed_logins': 8, 'auth_alerts': 0, "
        "'blocked_alerts': 0, 'first_seen': '2024-05-14T06:30:00Z', 'last_seen': '2024-05-14T09:40:00Z'}); "
        "doc['blocklist'] = sorted(doc['blocklist'] + ['192.0.2.10'])"
    ),
}


def test_every_task_has_a_mistake():
    assert sorted(MISTAKES) == TASKS


@pytest.mark.bwrap
@pytest.mark.parametrize("name", TASKS)
def test_pytest_shim_and_partial_credit(name, local_runtime, tmp_path):
    """On the oracle's answer the organizers' shim (`pytest test_outputs.py`) passes every check;
    after one realistic slip, test.sh awards partial credit: less than 1.0, more than a shape-only file."""
    task, _ = load_task(EXAMPLES / name)
    g = _grade_module(name)
    out = f"/root/{g.OUTPUT}"
    prepared = local_runtime.prepare(task)
    sandbox = local_runtime.start(task, prepared, trial_dir=tmp_path)
    try:
        env = {**benchflow_env(task, prepared.workdir), "PYTHONDONTWRITEBYTECODE": "1"}
        verifier = {"/verifier": task.paths.verifier}
        solved = sandbox.exec("bash /oracle/solve.sh", timeout=120, env=env, mounts={"/oracle": task.paths.oracle})
        assert solved.exit_code == 0, solved.stderr
        shim = sandbox.exec("python3 -m pytest -q -p no:cacheprovider /verifier/test_outputs.py", timeout=120,
                            env=env, mounts=verifier)  # fmt: skip
        slip = f"import json\ndoc = json.load(open('{out}'))\n{MISTAKES[name]}\njson.dump(doc, open('{out}', 'w'))\n"
        sandbox.write_file("/tmp/slip.py", slip.encode())
        assert sandbox.exec("python3 /tmp/slip.py", timeout=60, env=env).exit_code == 0
        graded = sandbox.exec("bash /verifier/test.sh", timeout=120, env=env, mounts=verifier)
        reward = float(sandbox.read_file("/logs/verifier/reward.txt").decode())
    finally:
        sandbox.close()
    assert shim.exit_code == 0, shim.stdout[-2000:]
    assert f"{len(g.WEIGHTS)} passed" in shim.stdout
    assert SHAPE_ONLY_MAX < reward < 1.0, (reward, graded.stdout[-2000:])
