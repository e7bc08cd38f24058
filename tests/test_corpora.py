"""The committed corpora (scripts/build_corpora.py): sizes, cleanliness, planted defects, held-out sealing."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from arena import domains, families
from arena.corpus import check_paths, load_tasks
from arena.entry import read_manifest
from arena.task import tree_digest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "environments" / "reference"
TEAMS = REPO / "environments" / "teams"
HELDOUT = REPO / "data" / "heldout"
TEAM_NAMES = ("polymath", "bluefence", "hasty", "parrot")


def _tasks(path: Path):
    tasks, findings = load_tasks([path])
    return tasks


def _manifest() -> list[dict]:
    with open(HELDOUT / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _defects() -> dict[str, dict]:
    return yaml.safe_load((TEAMS / "hasty" / "DEFECTS.yaml").read_text())


def _expected(task) -> dict:
    return json.loads((task.root / "verifier" / "expected.json").read_text())


# --------------------------------------------------------------------------- training corpora


def test_reference_corpus_is_ten_tasks_per_domain_and_clean():
    tasks = _tasks(REFERENCE)
    assert Counter(t.domain for t in tasks) == {d: 10 for d in domains.DOMAIN_IDS}
    fams = Counter(t.spec.metadata.family for t in tasks)
    assert set(fams) == set(families.names(reserved=False)), "every training family, no reserved one"
    assert all("train" in t.spec.metadata.tags for t in tasks)
    assert Counter(t.spec.metadata.difficulty for t in tasks) == {"easy": 32, "medium": 32, "hard": 16}
    report = check_paths([str(REFERENCE)])
    assert report.findings == []


@pytest.mark.parametrize("team", TEAM_NAMES)
def test_team_entries_have_a_manifest_and_50_to_200_tasks(team):
    manifest, findings = read_manifest(TEAMS / team / "submission.yaml")
    assert findings == [] and manifest.track == "environments"
    assert set(yaml.safe_load((TEAMS / team / "submission.yaml").read_text())) == {
        "team_name",
        "contact_email",
        "track",
    }
    n = len([p for p in (TEAMS / team / "envs").iterdir() if (p / "task.md").is_file()])
    assert 50 <= n <= 200
    for t in _tasks(TEAMS / team):
        assert t.spec.metadata.family not in families.names(reserved=True)
        assert "heldout" not in t.spec.metadata.tags


def test_broad_and_narrow_entries_are_clean_and_shaped_as_described():
    broad, narrow = _tasks(TEAMS / "polymath"), _tasks(TEAMS / "bluefence")
    assert set(Counter(t.domain for t in broad)) == set(domains.DOMAIN_IDS)
    assert {t.spec.metadata.family for t in broad} == set(families.names(reserved=False))
    assert {t.domain for t in narrow} == {"cybersecurity"}
    for team in ("polymath", "bluefence"):
        report = check_paths([str(TEAMS / team)])
        assert report.findings == [], team


def test_parrot_is_few_instances_each_repeated_as_near_duplicates():
    """The memorization control: 8 instances x 7 copies; a copy changes only the wording."""
    tasks = _tasks(TEAMS / "parrot")
    by_instance: dict[str, list] = {}
    for t in tasks:
        base, _, k = t.id.rpartition("-v")
        assert k.isdigit(), t.id
        by_instance.setdefault(base, []).append(t)
    assert len(tasks) == 56 and len(by_instance) == 8
    assert {t.spec.metadata.family for t in tasks} == {"unit-convert", "invoice-total", "metric-argmax", "code-output"}
    for base, copies in by_instance.items():
        assert len(copies) == 7, base
        truths = {json.dumps({k: v for k, v in _expected(t).items() if k != "task"}, sort_keys=True) for t in copies}
        assert len(truths) == 1, f"{base}: copies differ in answer, entities or difficulty"
        assert len({t.spec.prompt for t in copies}) == 7, f"{base}: two copies share a prompt"
        # same data: every copy holds the first copy's data lines (the instance block between the
        # intro and the question)
        data = copies[0].spec.prompt.split("\n\n")[1]
        assert all(data in t.spec.prompt for t in copies), base
    assert check_paths([str(TEAMS / "parrot")]).findings == []


def test_no_prompt_repeats_across_training_corpora():
    prompts = [t.spec.prompt for p in (REFERENCE, *(TEAMS / n for n in TEAM_NAMES)) for t in _tasks(p)]
    dup = [p for p, c in Counter(prompts).items() if c > 1]
    # the one planted duplicate package in hasty is the only repeat
    assert len(dup) == 1


# --------------------------------------------------------------------------- planted defects


def test_defects_file_names_real_tasks():
    defects = _defects()
    envs = TEAMS / "hasty" / "envs"
    assert len(defects) >= 10
    kinds = Counter(d["kind"] for d in defects.values())
    assert kinds["static"] >= 8 and kinds["dynamic"] >= 3
    for tid, d in defects.items():
        assert (envs / tid).is_dir(), tid
        assert d["rule"] and d["what"]
    rules = {d["rule"] for d in defects.values()}
    for must in ("validate.nop-passes", "validate.oracle-flaky", "leak.oracle-in-environment",
                 "dockerfile.first-instruction", "metadata.category"):  # fmt: skip
        assert must in rules


def test_every_static_defect_is_reported_and_nothing_else_errs():
    report = check_paths([str(TEAMS / "hasty")])
    by_task = {t.task_id: {f.rule for f in t.findings if f.severity == "error"} for t in report.tasks}
    defects = _defects()
    for tid, d in defects.items():
        if d["kind"] == "static":
            assert d["rule"] in by_task[tid], (tid, d["rule"], by_task[tid])
    erring = {tid for tid, rules in by_task.items() if rules}
    assert erring == {tid for tid, d in defects.items() if d["kind"] == "static"}
    assert [f for f in report.general if f.severity == "error"] == []


@pytest.mark.bwrap
def test_every_dynamic_defect_is_reported_by_validate(local_runtime, tmp_path):
    from arena.validate import validate_paths

    defects = _defects()
    dynamic = [tid for tid, d in defects.items() if d["kind"] == "dynamic"]
    clean = sorted(p.name for p in (TEAMS / "hasty" / "envs").iterdir() if p.name not in defects)[:2]
    paths = [str(TEAMS / "hasty" / "envs" / t) for t in dynamic + clean]
    rep = validate_paths(paths, runtime=local_runtime, workers=2, out_dir=tmp_path / "run", oracle_runs=6,
                         progress=False)  # fmt: skip
    found: dict[str, set[str]] = {}
    for f in rep.findings:
        found.setdefault(Path(f.path).parent.name, set()).add(f.rule)
    for tid in dynamic:
        want = {defects[tid]["rule"], *defects[tid].get("also", [])}
        assert found.get(tid, set()) & want, (tid, found.get(tid))
    for tid in clean:
        assert tid not in found, found[tid]
    rows = {r["task_id"]: r for r in rep.rows}
    assert all(rows[t]["passed"] for t in clean)


# --------------------------------------------------------------------------- held-out suite


def test_manifest_matches_the_packages():
    rows = _manifest()
    assert list(rows[0]) == ["task_id", "domain", "family", "transfer", "digest", "difficulty"]
    dirs = {p.name for p in (HELDOUT / "tasks").iterdir() if p.is_dir()}
    assert {r["task_id"] for r in rows} == dirs
    assert len(rows) == len(dirs)
    tasks = {t.id: t for t in _tasks(HELDOUT / "tasks")}
    for r in rows:
        t = tasks[r["task_id"]]
        assert tree_digest(t.root) == r["digest"], r["task_id"]
        assert t.domain == r["domain"] and t.spec.metadata.family == r["family"]
        assert t.spec.metadata.difficulty == r["difficulty"]
        assert r["transfer"] == ("far" if families.get(r["family"]).reserved else "near")
        assert "heldout" in t.spec.metadata.tags


def test_heldout_covers_every_domain_with_near_and_far_transfer():
    rows = _manifest()
    per_domain = Counter(r["domain"] for r in rows)
    assert set(per_domain) == set(domains.DOMAIN_IDS)
    assert min(per_domain.values()) >= 20
    for d in domains.DOMAIN_IDS:
        kinds = Counter(r["transfer"] for r in rows if r["domain"] == d)
        assert kinds["near"] >= 10 and kinds["far"] >= 5, (d, kinds)
    training_families = {t.spec.metadata.family for t in _tasks(REFERENCE)}
    for r in rows:
        if r["transfer"] == "near":
            assert r["family"] in training_families
        else:
            assert r["family"] not in training_families
    assert check_paths([str(HELDOUT)]).findings == []


def test_public_sample_is_twenty_tasks_of_the_suite():
    ids = (HELDOUT / "public_sample.txt").read_text().split()
    rows = {r["task_id"]: r for r in _manifest()}
    assert len(ids) == 20 == len(set(ids))
    assert set(ids) <= set(rows)
    assert {rows[i]["domain"] for i in ids} == set(domains.DOMAIN_IDS)
    assert {rows[i]["transfer"] for i in ids} == {"near", "far"}


def test_heldout_never_overlaps_training_data():
    training = [t for p in (REFERENCE, *(TEAMS / n for n in TEAM_NAMES)) for t in _tasks(p)]
    held = _tasks(HELDOUT)
    assert not {t.spec.prompt for t in training} & {t.spec.prompt for t in held}
    assert not {t.digest for t in training} & {t.digest for t in held}
    train_entities = {e for t in training for e in _expected(t)["entities"]}
    held_entities = {e for t in held for e in _expected(t)["entities"]}
    assert held_entities and train_entities
    assert not train_entities & held_entities
    assert all(_expected(t)["split"] == "heldout" for t in held)
    assert all(_expected(t)["split"] == "train" for t in training)


def test_heldout_readme_explains_the_suite():
    text = (HELDOUT / "README.md").read_text()
    for word in ("near", "far", "manifest.csv", "public_sample.txt", "entity pool", "paraphrased"):
        assert word.lower() in text.lower(), word


# --------------------------------------------------------------------------- the build


def test_build_script_reproduces_the_committed_corpora():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "build_corpora.py"), "--check"],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_corpora_stay_small():
    files = dirs = 0
    for root in (REFERENCE, TEAMS, HELDOUT):
        for p in root.rglob("*"):
            if p.is_dir():
                dirs += 1
            else:
                files += p.stat().st_size
    assert files < 8_000_000
    # what `du --apparent-size` reports; ~19.5 MB since bluefence holds the 200-task maximum (2026-11-29),
    # ~21.2 MB with the 56-task parrot entry (2026-12-04)
    assert files + 4096 * dirs < 22_000_000
