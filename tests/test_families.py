"""Procedural task families: packages load cleanly, verifiers score strictly, shortcuts stay near chance."""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from arena import domains, families
from arena.cli.main import main as cli_main
from arena.families.base import ASSETS, FILE_LINE, FORMAT_LINES, FORMATS, KEYS_LINE
from arena.task import load_task, tree_digest

ALL = list(families.FAMILIES)
TRANSFERABLE = {"extraction", "counting", "arithmetic", "comparison", *(f"answer-{f}" for f in FORMATS)}

_spec = importlib.util.spec_from_file_location("arena_family_verify", ASSETS / "verify.py")
verify = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify)


def score(answer: str | None, g: families.Generated) -> float:
    return verify.score(answer, {"format": g.family.fmt, "answer": g.answer})[0]


def mixed(name: str, n: int, split: str = "train", seed: int = 11) -> list[families.Generated]:
    """n instances per difficulty."""
    out = []
    for d in families.DIFFICULTIES:
        out += families.instances(name, n, seed=seed, difficulty=d, split=split)
    return out


# --------------------------------------------------------------------------- the registry


def test_registry_covers_every_domain_with_two_training_families_and_a_probe():
    for d in domains.DOMAIN_IDS:
        assert len(families.names(reserved=False, domain=d)) >= 2, d
        assert len(families.names(reserved=True, domain=d)) >= 1, d
    assert len(ALL) >= 16
    assert len(set(ALL)) == len(ALL)


def test_skills_mix_transferable_and_domain_specific():
    by_skill: dict[str, set[str]] = collections.defaultdict(set)
    for f in families.FAMILIES.values():
        assert f.fmt in FORMATS
        assert f"answer-{f.fmt}" in f.skills, f"{f.name}: its answer format must be listed as a skill"
        assert set(f.skills) - TRANSFERABLE, f"{f.name}: no domain-specific skill"
        assert set(f.skills) & (TRANSFERABLE - {f"answer-{x}" for x in FORMATS}), f"{f.name}: no shared skill"
        for s in f.skills:
            by_skill[s].add(f.domain)
    # shared skills really span domains; formats are reused across domains so transfer is possible
    for s in ("extraction", "counting", "arithmetic", "comparison"):
        assert len(by_skill[s]) >= 3, (s, by_skill[s])
    for fmt in FORMATS:
        assert len(by_skill[f"answer-{fmt}"]) >= 3, (fmt, by_skill[f"answer-{fmt}"])
    train_fmts = collections.Counter(f.fmt for f in families.FAMILIES.values() if not f.reserved)
    assert set(train_fmts) == set(FORMATS), "every answer format appears in some training family"


def test_generate_list_prints_name_domain_description():
    out = subprocess.run([sys.executable, "-m", "arena.cli.main", "generate", "--list"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    lines = out.strip().splitlines()
    assert len(lines) == len(ALL)
    for line in lines:
        name, domain, desc = line.split(None, 2)
        assert name in families.FAMILIES
        assert domain == families.FAMILIES[name].domain
        assert len(desc) > 10


# --------------------------------------------------------------------------- packages


@pytest.mark.parametrize("name", ALL)
def test_packages_load_without_errors_and_stay_small(name, tmp_path):
    paths = families.generate(name, 2, seed=5, out=tmp_path / "a", difficulty="easy")
    paths += families.generate(name, 2, seed=5, out=tmp_path / "b", difficulty="hard", split="heldout")
    for p in paths:
        task, findings = load_task(p)
        assert task is not None, findings
        assert [f for f in findings if f.severity == "error"] == []
        spec = task.spec
        assert spec.metadata.family == name
        assert spec.metadata.category == families.FAMILIES[name].domain
        assert spec.domain == families.FAMILIES[name].domain
        assert list(spec.metadata.skills) == list(families.FAMILIES[name].skills)
        assert spec.agent.answer_file == "/root/answer.txt"
        assert spec.environment.allow_internet is False
        assert "/root/answer.txt" in spec.prompt
        # nothing of the verifier or oracle is visible to the agent: environment/ is the Dockerfile only
        assert sorted(x.name for x in (p / "environment").iterdir()) == ["Dockerfile"]
        assert (p / "environment" / "Dockerfile").read_text().startswith("FROM arena-base:py3.11\n")
        for rel in ("verifier/test.sh", "verifier/verify.py", "oracle/solve.sh"):
            assert os.access(p / rel, os.X_OK), rel
        for rel in ("verifier/expected.json", "verifier/test_outputs.py", "verifier/verifier.md",
                    "verifier/rubrics/scoring.md"):  # fmt: skip
            assert (p / rel).is_file(), rel
        size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        assert size < 16_000, f"{p.name} is {size} bytes"


def test_static_checks_pass_when_available(tmp_path):
    checks = pytest.importorskip("arena.checks")
    for name in ALL:
        for p in families.generate(name, 1, seed=3, out=tmp_path, difficulty="medium"):
            _, findings = checks.check_task(p)
            assert [f for f in findings if f.severity != "info"] == [], (p.name, findings)


@pytest.mark.parametrize("name", ALL)
def test_prompts_are_short_and_state_the_format(name):
    for g in mixed(name, 15) + mixed(name, 15, split="heldout"):
        assert len(g.prompt) <= 650, (g.task_id, len(g.prompt))  # well under max_length 512 tokens
        assert g.prompt.rstrip().endswith("/root/answer.txt.")
        if g.family.fmt == "kv":
            assert ", ".join(g.instance.keys) in g.prompt


# --------------------------------------------------------------------------- bare oracle + verifier


def _env(tmp: Path, pkg: Path) -> dict[str, str]:
    ws, logs = tmp / "ws", tmp / "logs"
    ws.mkdir(exist_ok=True)
    logs.mkdir(exist_ok=True)
    return dict(
        os.environ,
        BENCHFLOW_WORKSPACE=str(ws),
        BENCHFLOW_VERIFIER_DIR=str(pkg / "verifier"),
        BENCHFLOW_REWARD_TEXT=str(logs / "reward.txt"),
        BENCHFLOW_REWARD_JSON=str(logs / "reward.json"),
    )


def _verify(tmp: Path, pkg: Path, answer: str | None) -> tuple[float, dict]:
    env = _env(tmp, pkg)
    ans = Path(env["BENCHFLOW_WORKSPACE"]) / "answer.txt"
    if answer is None:
        ans.unlink(missing_ok=True)
    else:
        ans.write_text(answer)
    subprocess.run(["bash", str(pkg / "verifier" / "test.sh")], env=env, check=True, capture_output=True)
    reward = float(Path(env["BENCHFLOW_REWARD_TEXT"]).read_text())
    doc = json.loads(Path(env["BENCHFLOW_REWARD_JSON"]).read_text())
    assert doc["reward"] == reward
    return reward, doc


def _wrong_values(g: families.Generated) -> str:
    """The right format with (some) wrong values."""
    fmt, ans, cands = g.family.fmt, g.answer, g.instance.candidates
    if fmt == "int":
        return str(int(ans) + 1)
    if fmt == "token":
        return next(c for c in cands if c != ans)
    if fmt == "list":
        items = ans.split(",")
        spare = [c for c in cands if c not in items and re.fullmatch(r"[^,\s]+", c)]
        return ",".join(items[:-1] + [spare[0]]) if spare else ",".join(reversed(items))
    lines = ans.split("\n")
    k, v = lines[0].split("=", 1)
    lines[0] = f"{k}={v}9"
    return "\n".join(lines)


@pytest.mark.parametrize("name", ALL)
def test_oracle_then_verifier_bare(name, tmp_path):
    pkg = families.generate(name, 1, seed=21, out=tmp_path / "pkgs", difficulty="medium")[0]
    g = families.get(name).generate_one(21, 0, "medium", "train")
    env = _env(tmp_path, pkg)
    subprocess.run(["bash", str(pkg / "oracle" / "solve.sh")], env=env, check=True, capture_output=True)
    assert (tmp_path / "ws" / "answer.txt").read_text().strip() == g.answer
    reward, doc = _verify(tmp_path, pkg, (tmp_path / "ws" / "answer.txt").read_text())
    assert reward == 1.0 and doc["checks"]["exact"] is True
    assert _verify(tmp_path, pkg, None)[0] == 0.0  # no answer file
    assert _verify(tmp_path, pkg, "")[0] == 0.0
    assert _verify(tmp_path, pkg, "  \n")[0] == 0.0
    assert _verify(tmp_path, pkg, "I don't know")[0] == 0.0
    wrapped = [
        f"The answer is {g.answer}",
        f"Answer:\n{g.answer}",
        f"```\n{g.answer}\n```",
        f"{g.answer}\nDone.",
    ]
    for w in wrapped:
        assert _verify(tmp_path, pkg, w)[0] < 1.0, w
    partial = _verify(tmp_path, pkg, _wrong_values(g))[0]
    assert 0.0 < partial < 1.0


def test_pytest_view_agrees_with_the_reward(tmp_path):
    pkg = families.generate("ledger-balance", 1, seed=2, out=tmp_path / "pkgs")[0]
    env = _env(tmp_path, pkg)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(pkg / "verifier" / "test_outputs.py"),
    ]
    subprocess.run(["bash", str(pkg / "oracle" / "solve.sh")], env=env, check=True)
    assert subprocess.run(cmd, env=env, capture_output=True, cwd=tmp_path).returncode == 0
    (tmp_path / "ws" / "answer.txt").write_text("vault=1\n")
    assert subprocess.run(cmd, env=env, capture_output=True, cwd=tmp_path).returncode != 0


def test_a_crashing_verifier_writes_no_reward_so_the_harness_sees_an_error(tmp_path):
    # not a silent 0: with no reward file the trial becomes a verifier_error carrying the traceback
    pkg = families.generate("code-output", 1, seed=1, out=tmp_path / "pkgs")[0]
    (pkg / "verifier" / "expected.json").write_text("{not json")
    env = _env(tmp_path, pkg)
    (Path(env["BENCHFLOW_WORKSPACE"]) / "answer.txt").write_text("3")
    p = subprocess.run(["bash", str(pkg / "verifier" / "test.sh")], env=env, capture_output=True, text=True)
    assert p.returncode != 0 and "JSONDecodeError" in p.stderr
    assert not Path(env["BENCHFLOW_REWARD_TEXT"]).exists()


# --------------------------------------------------------------------------- scoring rules


def _s(fmt: str, answer: str | None, truth: str) -> float:
    return verify.score(answer, {"format": fmt, "answer": truth})[0]


def test_int_and_token_scoring():
    assert _s("int", "42", "42") == 1.0
    assert _s("int", " 42\n", "42") == 1.0
    assert _s("int", "41", "42") == 0.1
    for bad in ("042", "42.0", "+42", "42 kWh", "forty-two", "4 2"):
        assert _s("int", bad, "42") == 0.0, bad
    assert _s("token", "run-fox", "run-fox") == 1.0
    assert _s("token", "run-ant", "run-fox") == 0.1
    assert _s("token", "Run-fox", "run-fox") == 0.1
    assert _s("token", "run-fox.", "run-fox") < 1.0
    assert _s("token", "the run-fox", "run-fox") == 0.0


def test_kv_scoring():
    t = "C=2\nH=8\nO=6"
    assert _s("kv", t, t) == 1.0
    assert _s("kv", "C=2\r\nH=8\r\nO=6\n", t) == 1.0
    assert _s("kv", "C=2\nH=8\nO=7", t) == pytest.approx(0.7)
    assert _s("kv", "C=0\nH=0\nO=0", t) == pytest.approx(0.1)
    assert _s("kv", "H=8\nC=2\nO=6", t) == pytest.approx(0.9)  # right values, wrong order
    assert _s("kv", "C=2\nH=8", t) == pytest.approx(0.6)  # a key missing
    assert _s("kv", "C=2\nC=2\nH=8\nO=6", t) == pytest.approx(0.6)  # a repeated key counts for nothing
    for bad in ("C = 2\nH=8\nO=6", "Answer:\nC=2\nH=8\nO=6", "C=2, H=8, O=6", "C=2\n\nH=8\nO=6"):
        assert _s("kv", bad, t) == 0.0, bad


def test_list_scoring():
    t = "a,b,c"
    assert _s("list", t, t) == 1.0
    assert _s("list", "c,b,a", t) == pytest.approx(0.6)
    assert _s("list", "a,b", t) == pytest.approx(0.1 + 0.5 * 2 / 3, abs=1e-3)
    assert _s("list", "a,b,c,x,y,z", t) == pytest.approx(0.1)  # listing everything gains nothing
    assert _s("list", "a,a,b,c", t) == pytest.approx(0.5 * 2 / 3, abs=1e-3)  # repeats cost format and items
    for bad in ("a, b, c", "a,b,\nc", "a,,b,c", "[a,b,c]x y", "a b c"):
        assert _s("list", bad, t) < 1.0, bad
    assert _s("list", "a, b, c", t) == 0.0


# --------------------------------------------------------------------------- shortcuts


def _shortcuts(g: families.Generated, modes: dict[str, str]) -> dict[str, str]:
    inst, fmt = g.instance, g.family.fmt
    cands = list(inst.candidates)
    freq = collections.Counter(
        {c: len(re.findall(r"(?<![\w.-])" + re.escape(c) + r"(?![\w-])", inst.data)) for c in cands}
    )
    most = max(cands, key=lambda c: freq[c])
    out = dict(inst.shortcuts)
    if fmt == "int":
        nums = re.findall(r"\d+", inst.data)
        out |= {
            "zero": "0",
            "one": "1",
            "first-number": nums[0],
            "last-number": nums[-1],
            "mode": modes["answer"],
        }
    elif fmt == "token":
        out |= {"first": cands[0], "last": cands[-1], "most-frequent": most, "mode": modes["answer"]}
    elif fmt == "list":
        out |= {"all": ",".join(cands), "first": cands[0], "most-frequent": most}
    else:
        out |= {
            "zeros": "\n".join(f"{k}=0" for k in inst.keys),
            "ones": "\n".join(f"{k}=1" for k in inst.keys),
        }
        out["mode-per-key"] = "\n".join(f"{k}={modes.get(k, '0')}" for k in inst.keys)
    return out


@pytest.mark.parametrize("name", ALL)
def test_shortcut_answers_score_near_chance(name):
    gs = mixed(name, 80)
    modes = {"answer": collections.Counter(g.answer for g in gs).most_common(1)[0][0]}
    per_key = collections.defaultdict(collections.Counter)
    for g in gs:
        if g.family.fmt == "kv":
            for line in g.answer.split("\n"):
                k, v = line.split("=", 1)
                per_key[k][v] += 1
    modes |= {k: c.most_common(1)[0][0] for k, c in per_key.items()}
    scores = collections.defaultdict(list)
    for g in gs:
        assert score(g.answer, g) == 1.0
        for k, a in _shortcuts(g, modes).items():
            scores[k].append(score(a, g))
    means = {k: statistics.mean(v) for k, v in scores.items()}
    assert len(means) >= 3
    bad = {k: round(m, 3) for k, m in means.items() if m > 0.4}
    assert not bad, f"{name}: shortcuts score too well: {bad}"


# --------------------------------------------------------------------------- determinism and splits


def test_generation_is_byte_deterministic(tmp_path):
    a = families.generate("failed-login-ips", 3, seed=4, out=tmp_path / "a", difficulty="hard")
    b = families.generate("failed-login-ips", 3, seed=4, out=tmp_path / "b", difficulty="hard")
    assert [tree_digest(p) for p in a] == [tree_digest(p) for p in b]
    c = families.generate("failed-login-ips", 3, seed=5, out=tmp_path / "c", difficulty="hard")
    assert {tree_digest(p) for p in a}.isdisjoint(tree_digest(p) for p in c)


def test_determinism_across_processes_and_hash_seeds(tmp_path):
    digests = []
    for hs in ("1", "2"):
        out = tmp_path / hs
        subprocess.run(
            [
                sys.executable,
                "-m",
                "arena.cli.main",
                "generate",
                "all",
                "--n",
                "2",
                "--seed",
                "8",
                "--out",
                str(out),
                "--difficulty",
                "hard",
            ],  # fmt: skip
            env=dict(os.environ, PYTHONHASHSEED=hs),
            check=True,
            capture_output=True,
        )
        digests.append({p.name: tree_digest(p) for p in out.iterdir()})
    assert digests[0] == digests[1]
    assert len(digests[0]) == 2 * len(ALL)
    here = {g.task_id for name in ALL for g in families.instances(name, 2, seed=8, difficulty="hard")}
    assert here == set(digests[0])


def test_task_ids_unique_across_families_and_splits():
    ids = [
        g.task_id
        for name in ALL
        for split in families.SPLITS
        for g in families.instances(name, 5, 1, split=split)
    ]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+-(train|heldout)-s1-\d{4}", i) for i in ids)


def test_train_and_heldout_pools_are_disjoint_across_all_families():
    """A held-out name is never a training name of *another* family either."""
    train = {x for f in families.FAMILIES.values() for p in f.pools.values() for x in p.train}
    held = {x for f in families.FAMILIES.values() for p in f.pools.values() for x in p.heldout}
    assert not train & held


def _ask(g: families.Generated) -> str:
    """The question line: the last line before the kv keys line and the two contract lines."""
    lines = g.prompt.splitlines()[:-2]
    return lines[-2] if lines[-1].startswith(KEYS_LINE.split("{")[0]) else lines[-1]


@pytest.mark.parametrize("name", ALL)
def test_heldout_split_is_disjoint_from_train(name):
    fam = families.get(name)
    for key, pool in fam.pools.items():
        assert set(pool.train).isdisjoint(pool.heldout), key
    train, held = mixed(name, 40, "train"), mixed(name, 40, "heldout")
    train_entities = {e for g in train for e in g.instance.entities}
    held_entities = {e for g in held for e in g.instance.entities}
    assert train_entities and held_entities
    assert train_entities.isdisjoint(held_entities)
    train_pool = {x for p in fam.pools.values() for x in p.train}
    assert held_entities.isdisjoint(train_pool)
    assert not {g.prompt for g in train} & {g.prompt for g in held}
    # no training-pool name (3+ chars) shows up in any held-out prompt
    long_names = sorted((x for x in train_pool if len(x) >= 3), key=len, reverse=True)
    pat = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, long_names)) + r")(?![\w-])")
    leaks = {m.group(1) for g in held for m in [pat.search(g.prompt.rsplit("\n", 1)[0])] if m}
    assert not leaks, leaks
    # held-out prompts are paraphrased: their opening lines never occur in training prompts
    train_firsts = {g.prompt.split("\n", 1)[0] for g in train}
    assert train_firsts.isdisjoint(g.prompt.split("\n", 1)[0] for g in held)
    train_asks = {_ask(g) for g in train}
    assert train_asks.isdisjoint(_ask(g) for g in held)
    # ... but not the answer contract: the format and answer-file lines read the same in both splits
    for g in train + held:
        assert g.prompt.splitlines()[-2:] == [FORMAT_LINES[fam.fmt], FILE_LINE], g.task_id


def test_web_attack_label_is_the_payload_class():
    """web-attack-type: the answer names the class of the one payload in the requests (none: no payload),
    so the label is learnable from the data and not from the hosts, paths or parameters around it."""
    fam = families.get("web-attack-type")
    seen = collections.Counter()
    for split in ("train", "heldout"):
        for g in mixed("web-attack-type", 60, split):
            found = {label for label, payloads in fam.PAYLOADS.items() for p in payloads if p in g.instance.data}
            assert found == ({g.answer} if g.answer != "none" else set()), (g.task_id, g.instance.data)
            n = len(g.instance.data.splitlines())
            assert n == 1 + ("easy", "medium", "hard").index(g.difficulty)
            assert all(label in g.prompt for label in fam.LABELS)
            seen[g.answer] += 1
    assert set(seen) == set(fam.LABELS) and min(seen.values()) >= 10, seen


# --------------------------------------------------------------------------- the command


def test_cli_generate_writes_refuses_and_forces(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli_main(["generate", "meter-delta", "--n", "3", "--seed", "2", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"meter-delta-train-s2-{i:04d}" for i in range(3)]
    before = tree_digest(out)
    assert cli_main(["generate", "meter-delta", "--n", "3", "--seed", "2", "--out", str(out)]) == 1
    assert "already exist" in capsys.readouterr().err
    assert tree_digest(out) == before
    (out / "meter-delta-train-s2-0000" / "task.md").write_text("scribbled")
    assert cli_main(["generate", "meter-delta", "--n", "3", "--seed", "2", "--out", str(out), "--force"]) == 0
    assert tree_digest(out) == before


def test_cli_usage_errors(tmp_path, capsys):
    assert cli_main(["generate", "no-such-family", "--out", str(tmp_path)]) == 2
    assert cli_main(["generate", "meter-delta"]) == 2  # no --out
    assert cli_main(["generate"]) == 2
    assert cli_main(["generate", "meter-delta", "--n", "0", "--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as e:
        cli_main(["generate", "meter-delta", "--difficulty", "brutal", "--out", str(tmp_path)])
    assert e.value.code == 2
    capsys.readouterr()


def test_cli_preview_and_json(capsys):
    assert cli_main(["generate", "stoich-atoms", "--preview", "--json", "--split", "heldout"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (p,) = doc["previews"]
    assert p["task_id"] == "stoich-atoms-heldout-s0-0000" and "=" in p["answer"]
    assert cli_main(["generate", "--list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["families"]
    assert {r["name"] for r in rows} == set(ALL)
    assert all(r["format"] in FORMATS and r["skills"] for r in rows)


def test_generated_packages_do_not_depend_on_arena(tmp_path):
    """verify.py is self-contained: it runs from a copy far away from the arena package."""
    pkg = families.generate("sensor-alarms", 1, seed=3, out=tmp_path / "p")[0]
    far = tmp_path / "elsewhere" / "verifier"
    shutil.copytree(pkg / "verifier", far)
    env = _env(tmp_path, pkg) | {"BENCHFLOW_VERIFIER_DIR": str(far), "PYTHONPATH": ""}
    (tmp_path / "ws" / "answer.txt").write_text(families.get("sensor-alarms").generate_one(3, 0).answer)
    subprocess.run([sys.executable, "-I", str(far / "verify.py")], env=env, check=True, cwd=tmp_path)
    assert float((tmp_path / "logs" / "reward.txt").read_text()) == 1.0
